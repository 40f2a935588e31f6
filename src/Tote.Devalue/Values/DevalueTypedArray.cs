namespace Tote.Devalue;

/// <summary>
/// A JavaScript typed array (<c>Uint8Array</c>, <c>Float64Array</c>, …) or <c>DataView</c>: a view
/// of part or all of a <see cref="DevalueArrayBuffer"/>.
/// </summary>
/// <remarks>
/// Untyped reads return this type so that shared buffers and partial views write back exactly.
/// Typed reads bind any view to <c>byte[]</c> (its visible bytes); a
/// <c>byte[]</c> writes as a <c>Uint8Array</c>.
/// </remarks>
public sealed class DevalueTypedArray
{
    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["Int8Array"] = 1,
        ["Uint8Array"] = 1,
        ["Uint8ClampedArray"] = 1,
        ["Int16Array"] = 2,
        ["Uint16Array"] = 2,
        ["Float16Array"] = 2,
        ["Int32Array"] = 4,
        ["Uint32Array"] = 4,
        ["Float32Array"] = 4,
        ["Float64Array"] = 8,
        ["BigInt64Array"] = 8,
        ["BigUint64Array"] = 8,
        ["DataView"] = 1,
    };

    /// <summary>Creates a view of a buffer.</summary>
    /// <param name="kind">The JavaScript type name: <c>Uint8Array</c>, <c>Int16Array</c>, …, or <c>DataView</c>.</param>
    /// <param name="buffer">The buffer viewed.</param>
    /// <param name="byteOffset">Where the view starts, in bytes; a multiple of the element size.</param>
    /// <param name="length">The number of elements (bytes for a <c>DataView</c>); <see langword="null"/> for the rest of the buffer.</param>
    /// <exception cref="DevalueException">The kind is unknown or the view does not fit the buffer.</exception>
    public DevalueTypedArray(string kind, DevalueArrayBuffer buffer, int byteOffset = 0, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(buffer);
        if (!ElementSizes.TryGetValue(kind, out var elementSize))
        {
            throw new DevalueException($"Unknown type {kind}", $"Unknown typed array type '{kind}'.", path: null);
        }

        var available = buffer.Bytes.Length - byteOffset;
        if (byteOffset < 0 || byteOffset % elementSize != 0 || available < 0
            || (length is null && available % elementSize != 0)
            || (length is { } n && (n < 0 || (long)n * elementSize > available)))
        {
            throw new DevalueException(
                "Invalid typed array length",
                $"A {kind} at byte offset {byteOffset} with length {length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(rest)"} does not fit a buffer of {buffer.Bytes.Length} bytes.",
                path: null);
        }

        Kind = kind;
        Buffer = buffer;
        ByteOffset = byteOffset;
        Length = length ?? (available / elementSize);
        ElementSize = elementSize;
    }

    /// <summary>The JavaScript type name, such as <c>Uint8Array</c> or <c>DataView</c>.</summary>
    public string Kind { get; }

    /// <summary>The buffer viewed.</summary>
    public DevalueArrayBuffer Buffer { get; }

    /// <summary>Where the view starts in the buffer, in bytes.</summary>
    public int ByteOffset { get; }

    /// <summary>The number of elements (bytes, for a <c>DataView</c>).</summary>
    public int Length { get; }

    /// <summary>The number of bytes the view covers.</summary>
    public int ByteLength => Length * ElementSize;

    /// <summary>The visible bytes.</summary>
    public ReadOnlySpan<byte> Span => Buffer.Bytes.AsSpan(ByteOffset, ByteLength);

    internal int ElementSize { get; }

    internal static bool IsKnownKind(string kind) => ElementSizes.ContainsKey(kind);

    /// <summary>Copies the visible bytes into a new array.</summary>
    /// <returns>The bytes the view covers.</returns>
    public byte[] ToArray() => Span.ToArray();
}
