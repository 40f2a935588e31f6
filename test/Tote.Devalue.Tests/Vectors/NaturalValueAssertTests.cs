using System.Text.Json;

namespace Tote.Devalue.Tests.Vectors;

/// <summary>
/// The vector helpers are the yardstick of every vector test: these tests make sure they build
/// every described value and that the equality they check is not vacuous.
/// </summary>
public sealed class NaturalValueAssertTests
{
    public static TheoryData<string> DescribedCases => PublicVectors.ParseableNames;

    [Theory]
    [MemberData(nameof(DescribedCases))]
    public void ExpectedValueBuilder_BuildsTwoEqualGraphsFromOneDescription(string name)
    {
        var json = PublicVectors.Get(name).Json;

        NaturalValueAssert.Equal(ExpectedValueBuilder.Build(json), ExpectedValueBuilder.Build(json));
    }

    [Fact]
    public void ExpectedValueBuilder_SharesTheObjectOfARef()
    {
        var list = Assert.IsType<List<object?>>(Build("""{"t":"array","items":[{"t":"date","id":1,"v":"1970-01-01T00:00:00.000Z","ms":0},{"t":"ref","id":1}]}"""));

        Assert.Same(list[0], list[1]);
        Assert.IsType<DateTimeOffset>(list[0]);
    }

    [Fact]
    public void ExpectedValueBuilder_ReadsDatesOutsideYears1To9999AsDevalueDate()
    {
        var date = Assert.IsType<DevalueDate>(Build("""{"t":"date","v":"-000001-01-01T00:00:00.000Z","ms":-62198755200000}"""));

        Assert.Equal(-62198755200000d, date.EpochMilliseconds);
    }

    [Fact]
    public void ExpectedValueBuilder_ReadsLoneSurrogatesFromUtf16()
    {
        Assert.Equal("x\ud800y", Build("""{"t":"string","v":"x\ud800y","utf16":"0078d8000079"}"""));
    }

    [Fact]
    public void Difference_NegativeZeroAndZero_Differ()
    {
        Assert.NotNull(NaturalValueAssert.Difference(-0.0, 0.0));
    }

    [Fact]
    public void Difference_NaNAndNaN_AreEqual()
    {
        Assert.Null(NaturalValueAssert.Difference(double.NaN, -double.NaN));
    }

    [Fact]
    public void Difference_SharedAgainstTwoEqualObjects_Differ()
    {
        var shared = new List<object?> { 1d };
        var sharing = new List<object?> { shared, shared };
        var notSharing = new List<object?> { new List<object?> { 1d }, new List<object?> { 1d } };

        Assert.NotNull(NaturalValueAssert.Difference(sharing, notSharing));
        Assert.NotNull(NaturalValueAssert.Difference(notSharing, sharing));
    }

    [Fact]
    public void Difference_EqualDatesInDistinctBoxesAgainstOneBox_Differ()
    {
        object date = DateTimeOffset.UnixEpoch;
        var oneBox = new List<object?> { date, date };
        var twoBoxes = new List<object?> { DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch };

        Assert.NotNull(NaturalValueAssert.Difference(oneBox, twoBoxes));
    }

    [Fact]
    public void Difference_KeysInAnotherOrder_Differ()
    {
        var ab = new OrderedDictionary<string, object?> { ["a"] = 1d, ["b"] = 2d };
        var ba = new OrderedDictionary<string, object?> { ["b"] = 2d, ["a"] = 1d };

        Assert.Contains("in this order", NaturalValueAssert.Difference(ab, ba), StringComparison.Ordinal);
    }

    [Fact]
    public void Difference_PlainObjectAndNullPrototypeObject_Differ()
    {
        Assert.NotNull(NaturalValueAssert.Difference(new OrderedDictionary<string, object?>(), new DevalueNullPrototypeObject()));
    }

    [Fact]
    public void Difference_HoleAndUndefined_Differ()
    {
        Assert.NotNull(NaturalValueAssert.Difference(new List<object?> { DevalueHole.Value }, new List<object?> { DevalueUndefined.Value }));
    }

    [Fact]
    public void Difference_EqualCycles_AreEqual()
    {
        Assert.Null(NaturalValueAssert.Difference(SelfContainingObject(), SelfContainingObject()));
    }

    [Fact]
    public void Difference_NamesThePathOfTheFirstDifference()
    {
        var expected = new OrderedDictionary<string, object?> { ["a-b"] = new List<object?> { 1d, new DevalueMap().Set("k", 2d) } };
        var actual = new OrderedDictionary<string, object?> { ["a-b"] = new List<object?> { 1d, new DevalueMap().Set("k", 3d) } };

        Assert.Equal(
            """At value["a-b"][1].get("k"): expected 2 (double), but got 3 (double).""",
            NaturalValueAssert.Difference(expected, actual));
    }

    private static OrderedDictionary<string, object?> SelfContainingObject()
    {
        var value = new OrderedDictionary<string, object?>();
        value["self"] = value;
        return value;
    }

    private static object? Build(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ExpectedValueBuilder.Build(document.RootElement);
    }
}
