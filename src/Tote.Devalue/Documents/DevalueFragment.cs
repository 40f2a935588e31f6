namespace Tote.Devalue;

/// <summary>
/// A value inside a <see cref="DevalueDocument"/>, placed in a value graph being written: the
/// writer copies its entries from the document's text instead of serializing .NET objects, and
/// the result is byte for byte what writing the natural value would give.
/// </summary>
/// <remarks>
/// Fragments of one document written in one call keep sharing what they shared in the document.
/// Where an exact copy needs the natural value's normalization (a sparse array, a Set with
/// repeated members, an object with numeric keys, …) <see cref="TryWrite"/> refuses and the
/// write is abandoned; the caller writes natural values instead.
/// </remarks>
internal sealed class DevalueFragment(DevalueDocument document, int reference) : IDevalueWritable
{
    public DevalueDocument Document { get; } = document;

    public int Reference { get; } = reference;

    public bool TryWrite(DevalueWriter writer, out int reference) => FragmentCopier.TryWrite(writer, this, out reference);
}
