namespace Tote.Devalue;

/// <summary>
/// A JavaScript <c>ArrayBuffer</c>: raw bytes that typed arrays view. Several
/// <see cref="DevalueTypedArray"/> views may share one buffer, and the sharing survives a round trip.
/// </summary>
public sealed class DevalueArrayBuffer
{
    /// <summary>Wraps bytes as a buffer (the array is used as is, not copied).</summary>
    /// <param name="bytes">The bytes.</param>
    public DevalueArrayBuffer(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Bytes = bytes;
    }

    /// <summary>The bytes of the buffer.</summary>
    public byte[] Bytes { get; }
}
