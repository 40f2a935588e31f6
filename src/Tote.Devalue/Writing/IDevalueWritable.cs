namespace Tote.Devalue;

/// <summary>
/// A value that writes its own entries when it is met in a value graph being written, instead
/// of being written by its runtime type: the codec's hook for callers that hold something other
/// than plain .NET objects (a part of parsed text to copy, a value of a declared type).
/// </summary>
internal interface IDevalueWritable
{
    /// <summary>
    /// Writes the value's entries, in devalue's pre-order, and gives the reference of its root;
    /// <see langword="false"/> when it cannot be written exactly. Whatever it wrote is then of no
    /// use: the caller abandons the whole write (<see cref="DevalueWriter.Abandon"/>) and writes
    /// something else.
    /// </summary>
    bool TryWrite(DevalueWriter writer, out int reference);
}
