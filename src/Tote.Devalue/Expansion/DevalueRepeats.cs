namespace Tote.Devalue;

/// <summary>
/// What a write repeated by reference, as the writer saw it while de-duplicating: enough to
/// know the text's expanded length without reading it back, unless a container was repeated.
/// </summary>
/// <param name="PrimitiveLength">
/// The text length of every primitive entry each further time it was referenced, plus the holes
/// of sparse arrays (<see cref="DevalueReader.HoleLength"/> each).
/// </param>
/// <param name="Containers">Whether an object, array or other container was referenced more than once (or a cycle closed).</param>
internal readonly record struct DevalueRepeats(long PrimitiveLength, bool Containers);
