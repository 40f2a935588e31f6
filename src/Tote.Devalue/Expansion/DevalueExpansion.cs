namespace Tote.Devalue;

/// <summary>
/// The expanded length of devalue text: its length once every shared value is written out at
/// each place that references it, as a reader writing the value out again (JSON, HTML, one
/// copy per reference) does. devalue writes a shared value once, so text far below a size limit
/// can expand far beyond it: 300 references to one 1 MB string, or <c>[-7,999999]</c> (a sparse
/// array of a million holes in 11 characters). A caller that bounds what it stores or loads
/// bounds this length too, the way XML parsers bound entity expansion.
/// </summary>
/// <remarks>
/// Linear in the text: each entry is measured once and its measure added at every reference,
/// saturating just past the cap, so a chain of doublings neither overflows nor takes
/// exponential time. See <see cref="DevalueReader.MeasureExpandedLength"/> for the rules.
/// </remarks>
internal static class DevalueExpansion
{
    /// <summary>Serializes <paramref name="value"/> as <see cref="DevalueSerializer.Serialize{T}(T, DevalueOptions?)"/> does, and gives the text's expanded length.</summary>
    /// <param name="value">The value.</param>
    /// <param name="options">Options for the write.</param>
    /// <param name="cap">The length past which the exact figure does not matter: the answer is then <paramref name="cap"/> + 1.</param>
    /// <param name="expandedLength">The expanded length, at most <paramref name="cap"/> + 1.</param>
    /// <returns>The devalue text.</returns>
    public static string Serialize<T>(T value, DevalueOptions options, long cap, out long expandedLength)
    {
        var text = DevalueWriter.Write(options, (Converter: options.Types.GetConverter<T>(), Value: value), static (writer, s) => s.Converter.Write(writer, s.Value), out var repeats);
        expandedLength = Of(text, repeats, options, cap);
        return text;
    }

    /// <summary>
    /// The expanded length of text just written: its own length plus the primitives it repeats,
    /// which the writer counted; only text that repeats a container is read back and measured.
    /// </summary>
    public static long Of(string text, DevalueRepeats repeats, DevalueOptions options, long cap)
    {
        if (!repeats.Containers)
        {
            return Math.Min(cap == long.MaxValue ? cap : cap + 1, text.Length + repeats.PrimitiveLength);
        }

        var document = DevalueDocument.Parse(text, options);
        try
        {
            return document.MeasureExpandedLength(cap);
        }
        finally
        {
            document.Release();
        }
    }
}
