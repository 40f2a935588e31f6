namespace Tote.Devalue.Tests.Expansion;

public sealed class DevalueExpansionTests
{
    private const long NoCap = long.MaxValue;

    private static long Measure(string text, long cap = NoCap)
    {
        var document = DevalueDocument.Parse(text);
        try
        {
            return document.MeasureExpandedLength(cap);
        }
        finally
        {
            document.Release();
        }
    }

    [Fact]
    public void Measure_TextWithoutSharing_IsTheLengthOfItsEntries()
    {
        // [1,2] is 5, "a" and "b" are 3 each.
        Assert.Equal(11, Measure("""[[1,2],"a","b"]"""));
    }

    [Fact]
    public void Measure_AStringReferencedThreeTimes_CountsItThreeTimes()
    {
        // [1,1,1] is 7, "abcdefgh" is 10.
        Assert.Equal(7 + (3 * 10), Measure("""[[1,1,1],"abcdefgh"]"""));
    }

    [Fact]
    public void Measure_AnObjectReferencedTwice_CountsItsWholeSubtreeTwice()
    {
        // {"k":2} is 7 and expands to 7 + 5.
        Assert.Equal(5 + (2 * 12), Measure("""[[1,1],{"k":2},"xyz"]"""));
    }

    [Fact]
    public void Measure_MapsSetsAndBoxes_CountTheirMembersAtEveryReference()
    {
        Assert.Equal(11 + (2 * 6), Measure("""[["Set",1,1],"abcd"]"""));
        Assert.Equal(13 + (3 * 6), Measure("""[["Map",1,1,1],"abcd"]"""));
        Assert.Equal(12 + 6, Measure("""[["Object",1],"abcd"]"""));
    }

    [Fact]
    public void Measure_ACycle_CostsOnlyItsReference()
    {
        Assert.Equal(3, Measure("[[0]]"));
        Assert.Equal(10, Measure("""[{"self":0}]"""));
    }

    [Fact]
    public void Measure_ASparseArray_CountsEveryDeclaredSlot()
    {
        // [-7,999999] is 11 characters and expands to a million holes.
        Assert.Equal(11 + (DevalueReader.HoleLength * 999_999L), Measure("[[-7,999999]]"));
    }

    [Fact]
    public void Measure_DenseHoles_CountAsTheyAreWritten()
    {
        Assert.Equal(7, Measure("[[-2,-2]]"));
    }

    [Fact]
    public void Measure_ADoublingChain_SaturatesJustPastTheCapWithoutOverflowing()
    {
        // Each entry references the next twice: 200 levels expand to about 2^200 characters.
        var text = DoublingChain(200);

        Assert.Equal(1_000_001, Measure(text, cap: 1_000_000));
        Assert.Equal(long.MaxValue, Measure(text));
    }

    [Fact]
    public void Measure_AValueBelowTheCap_IsExact()
    {
        Assert.Equal(7 + (3 * 10), Measure("""[[1,1,1],"abcdefgh"]""", cap: 37));
    }

    [Fact]
    public void Measure_ASpecialValueAtTheRoot_IsZero()
    {
        Assert.Equal(0, Measure("-1"));
    }

    [Fact]
    public void Serialize_WithoutRepeats_GivesTheTextLength()
    {
        var text = DevalueExpansion.Serialize(new List<string> { "a", "b" }, DevalueOptions.Default, NoCap, out var expanded);

        Assert.Equal(text.Length, expanded);
    }

    [Fact]
    public void Serialize_RepeatedStrings_CountsEachRepeat()
    {
        var big = new string('x', 1000);

        var text = DevalueExpansion.Serialize(new List<string> { big, new(big), big }, DevalueOptions.Default, NoCap, out var expanded);

        Assert.True(text.Length < 1100, text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(text.Length + (2 * 1002), expanded);
        Assert.True(expanded >= Measure(text));
    }

    [Fact]
    public void Serialize_AnObjectSharedByReference_AgreesWithTheMeasureOfItsText()
    {
        var shared = new List<string> { new('y', 500), "z" };

        var text = DevalueExpansion.Serialize(new List<List<string>> { shared, shared, shared }, DevalueOptions.Default, NoCap, out var expanded);

        Assert.Equal(Measure(text), expanded);
        Assert.True(expanded > 3 * 500);
    }

    [Fact]
    public void Serialize_ASparseArray_CountsItsHoles()
    {
        var holes = Enumerable.Repeat<object?>(DevalueHole.Value, 10_000).Append("end").ToList();

        var text = DevalueExpansion.Serialize<object?>(holes, DevalueOptions.Default, NoCap, out var expanded);

        Assert.StartsWith("[[-7,", text, StringComparison.Ordinal);
        Assert.True(expanded >= DevalueReader.HoleLength * 10_000L, expanded.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Serialize_PastTheCap_AnswersCapPlusOne()
    {
        var big = new string('x', 1000);

        DevalueExpansion.Serialize(Enumerable.Repeat(big, 100).ToList(), DevalueOptions.Default, 5_000, out var expanded);

        Assert.Equal(5_001, expanded);
    }

    /// <summary><c>[[1,1],[2,2],…,"x"]</c>: entry i references entry i + 1 twice.</summary>
    internal static string DoublingChain(int levels)
        => "[" + string.Concat(Enumerable.Range(1, levels).Select(i => $"[{i},{i}],")) + "\"x\"]";
}
