using Tote.Devalue.Tests.Vectors;

namespace Tote.Devalue.Tests.Documents;

public sealed class DevalueDocumentTests
{
    public static TheoryData<string> ValidCases => PublicVectors.ParseableNames;

    // The vectors holding what a copy cannot write exactly (sparse arrays, boxes, typed arrays,
    // null-prototype objects, keys JavaScript reorders, repeated Set members, …): their
    // fragments refuse, and the caller writes the natural value instead.
    private static readonly HashSet<string> RefusedVectors = new(StringComparer.Ordinal)
    {
        "boxed-bigint", "boxed-boolean-false", "boxed-empty-string", "boxed-nan", "boxed-number", "boxed-string",
        "dataview-partial", "float64array", "int16array", "int8array", "shared-buffer-views",
        "typed-array-explicit-full-range", "uint16array-offset-view", "uint32array", "uint8array",
        "uint8array-empty", "uint8clampedarray",
        "holes-two-empty", "sparse-after-dense-prefix", "sparse-where-holes-are-shorter", "sparse-with-objects",
        "null-proto-empty", "null-proto-nested", "null-proto-self",
        "object-numeric-keys", "set-duplicate-values",
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void WritingAFragment_OfEveryValidVector_IsTheNaturalWriteOrRefusesAsListed(string name)
    {
        var text = PublicVectors.Get(name).Devalue!;
        var natural = DevalueSerializer.Serialize(DevalueSerializer.Deserialize(text));
        var document = DevalueDocument.Parse(text);

        var copied = Fragments.TryCopy(document, document.Root, out var copy);

        Assert.Equal(!RefusedVectors.Contains(name), copied);
        if (copied)
        {
            Assert.Equal(natural, copy);
        }
    }

    [Fact]
    public void RefusedVectors_AreAllValidVectors()
    {
        var valid = ValidCases.Select(row => row.Data).ToHashSet(StringComparer.Ordinal);

        Assert.Subset(valid, RefusedVectors);
    }

    [Fact]
    public void Release_ThenRead_ParsesAgainAndReadsTheSameValues()
    {
        var document = DevalueDocument.Parse("""[{"cart":1},[2,3],"apple","pear"]""");
        var cart = Cart(document);

        document.Release();
        document.Release(); // twice is harmless

        Assert.Equal(["apple", "pear"], Cart(document));
        Assert.Equal(["apple", "pear"], cart);
    }

    [Fact]
    public void Release_HandsTheTokenTableToTheNextDocument_WithoutEitherSeeingTheOther()
    {
        // Lengths close enough that the second parse rents the table the first gave back, and
        // shapes different enough that reading one through the other's tokens would show.
        var first = DevalueDocument.Parse("""[{"cart":1},[2,3],"apple","pears"]""");
        first.Release();
        var second = DevalueDocument.Parse("""[{"cart":1},[2,2,2,2,2,2,2],"lime"]""");

        Assert.Equal(["apple", "pears"], Cart(first));
        Assert.Equal(Enumerable.Repeat("lime", 7), Cart(second));
        second.Release();
        Assert.Equal(["apple", "pears"], Cart(first));
        Assert.Equal(Enumerable.Repeat("lime", 7), Cart(second));
    }

    [Fact]
    public void Release_ThenParseALongerText_ReadsItWhole()
    {
        var small = DevalueDocument.Parse("""[{"cart":1},[2],"a"]""");
        Assert.Equal(["a"], Cart(small));
        small.Release();
        var items = Enumerable.Range(0, 300).Select(i => "item-" + i).ToList();
        var large = DevalueDocument.Parse(DevalueSerializer.Serialize(new Dictionary<string, List<string>> { ["cart"] = items }));

        Assert.Equal(items, Cart(large));
        Assert.Equal(["a"], Cart(small));
    }

    [Fact]
    public void Release_ThenParseAgain_StartsWithNoValueOfTheEarlierText()
    {
        // Both texts share an entry between two places; the first read resolves it, and the
        // reused reader must not hand that value to the second text.
        var first = DevalueDocument.Parse("""[{"a":1,"b":1},{"x":2},"one"]""");
        var firstValue = Assert.IsType<OrderedDictionary<string, object?>>(first.ReadNatural(first.Root));
        first.Release();
        var second = DevalueDocument.Parse("""[{"a":1,"b":1},{"y":2},"two"]""");

        var secondValue = Assert.IsType<OrderedDictionary<string, object?>>(second.ReadNatural(second.Root));

        Assert.Same(secondValue["a"], secondValue["b"]);
        Assert.NotSame(firstValue["a"], secondValue["a"]);
        Assert.Equal("two", Assert.IsType<OrderedDictionary<string, object?>>(secondValue["a"])["y"]);
    }

    private static List<string> Cart(DevalueDocument document)
    {
        Assert.True(document.TryGetProperty(document.Root, "cart", out var cart));
        return document.Read<List<string>>(cart)!;
    }

    [Theory]
    [InlineData("""[["Set",1,1],"a"]""")]
    [InlineData("""[["Set",1,2],"a","a"]""")]
    [InlineData("""[["Map",1,2,1,3],"k",1,2]""")]
    [InlineData("""[{"b":1,"1":1},2]""")]
    [InlineData("""[{"a":1,"a":2},3,4]""")]
    [InlineData("""[[-7,3,1,1],"x"]""")]
    [InlineData("""[["null","a",1],2]""")]
    public void WritingAFragment_ThatTheNaturalValueWouldNormalize_Refuses(string text)
    {
        var document = DevalueDocument.Parse(text);

        Assert.False(Fragments.TryCopy(document, document.Root, out var copy));
        Assert.Null(copy);
    }

    [Fact]
    public void WritingFragments_OfOneDocument_KeepsWhatTheyShare()
    {
        var shared = new List<object?> { "a" };
        var document = DevalueDocument.Parse(DevalueSerializer.Serialize(new List<object?> { shared, shared }));
        var items = document.Read<List<List<string>>>(document.Root); // a typed read first must not disturb the copy
        var first = new DevalueFragment(document, FirstElement(document));

        var text = DevalueSerializer.Serialize(new List<object?> { first, first, "a" });

        Assert.Equal(DevalueSerializer.Serialize(new List<object?> { shared, shared, "a" }), text);
        Assert.Equal(["a"], items![1]);
    }

    [Fact]
    public void WritingFragments_OfTwoDocuments_DeduplicatesPrimitivesAcrossThem()
    {
        var one = DevalueDocument.Parse(DevalueSerializer.Serialize(new List<string> { "x", "y" }));
        var two = DevalueDocument.Parse(DevalueSerializer.Serialize(new List<string> { "y", "x" }));

        var text = DevalueSerializer.Serialize(new List<object?> { new DevalueFragment(one, one.Root), new DevalueFragment(two, two.Root) });

        Assert.Equal("""[[1,4],[2,3],"x","y",[3,2]]""", text);
    }

    [Fact]
    public void Read_Twice_ReturnsObjectsThatShareNothing()
    {
        var document = DevalueDocument.Parse(DevalueSerializer.Serialize(new List<List<string>> { new() { "a" } }));

        var first = document.Read<List<List<string>>>(document.Root)!;
        first[0].Add("changed");
        var second = document.Read<List<List<string>>>(document.Root)!;

        Assert.Equal(["a"], second[0]);
        Assert.NotSame(first[0], second[0]);
    }

    [Fact]
    public void ReadNatural_Twice_ReturnsObjectsThatShareNothing()
    {
        var document = DevalueDocument.Parse("""[{"items":1},[2],"a"]""");

        var first = (OrderedDictionary<string, object?>)document.ReadNatural(document.Root)!;
        var second = (OrderedDictionary<string, object?>)document.ReadNatural(document.Root)!;

        Assert.NotSame(first["items"], second["items"]);
        Assert.Equal(first["items"], second["items"]);
    }

    [Fact]
    public void TryGetProperty_OfARepeatedKey_FindsTheLastOneAsJsonParseDoes()
    {
        var document = DevalueDocument.Parse("""[{"data":1,"data":2},"first","last"]""");

        Assert.True(document.TryGetProperty(document.Root, "data", out var value));
        Assert.Equal("last", document.GetStringOrNull(value));
        Assert.False(document.TryGetProperty(document.Root, "expires", out _));
    }

    [Fact]
    public void GetMapEntries_OfAMap_ListsKeyAndValueReferencesInOrder()
    {
        var document = DevalueDocument.Parse("""[["Map",1,2,3,-1],"cart",7,"user"]""");

        var entries = new List<(int Key, int Value)>();
        foreach (var entry in document.GetMapEntries(document.Root))
        {
            entries.Add(entry);
        }

        Assert.Equal([("cart", 7d), ("user", (double?)null)], entries.Select(e => (document.GetStringOrNull(e.Key), document.GetNumberOrNull(e.Value))));
    }

    [Fact]
    public void Validate_OfTextDevalueRefuses_ThrowsDevalueException()
    {
        var document = DevalueDocument.Parse("""[{"a":5}]""");

        Assert.Throws<DevalueException>(document.Validate);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(500)]
    public void Validate_OfNestedArrays_RefusesExactlyTheDepthsAnUntypedReadRefuses(int depth)
    {
        // [[1],[2],…,[depth-1],"leaf"]: each array holds the next.
        var entries = Enumerable.Range(1, depth - 1).Select(i => $"[{i}]").Append("\"leaf\"");
        var text = "[" + string.Join(",", entries) + "]";
        var readFails = Record.Exception(() => DevalueSerializer.Deserialize(text));

        var validateFails = Record.Exception(DevalueDocument.Parse(text).Validate);

        Assert.Equal(readFails?.Message, validateFails?.Message);
    }

    [Theory]
    [InlineData("""[["Map",1],"key"]""")]
    [InlineData("""[["Set",7],"x"]""")]
    [InlineData("""[{"__proto__":1},2]""")]
    [InlineData("""[["Nope",1],2]""")]
    [InlineData("""[[1,"x"],2]""")]
    public void Validate_OfTextAnUntypedReadRefuses_ThrowsItsError(string text)
    {
        var read = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));

        var validated = Assert.Throws<DevalueException>(DevalueDocument.Parse(text).Validate);

        Assert.Equal(read.Reason, validated.Reason);
    }

    private static int FirstElement(DevalueDocument document) =>
        document.Reader.ResolveIndex(document.Reader.ElementToken(document.Root, 0));

    [Theory]
    [InlineData("12345678901234567890123", "12345678901234567890123")]
    [InlineData("-42", "-42")]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("007", "7")]
    [InlineData(" 7 ", "7")]
    [InlineData("+7", "7")]
    [InlineData("0x10", "16")]
    [InlineData("", "0")]
    public void WritingAFragment_OfABigInt_WritesTheDigitsDevalueWrites(string stored, string written)
    {
        var document = DevalueDocument.Parse($"[[1,2],[\"BigInt\",\"{stored}\"],[\"BigInt\",\"{written}\"]]");

        var text = Fragments.Copy(document);

        // Equal BigInts share one entry, whether copied as text or converted.
        Assert.Equal($"[[1,1],[\"BigInt\",\"{written}\"]]", text);
    }

    [Fact]
    public void WritingAFragment_OfABigIntOverMaxBigIntDigits_ThrowsNamingMaxBigIntDigits()
    {
        var document = DevalueDocument.Parse($"[[\"BigInt\",\"{new string('1', 10_001)}\"]]");

        var exception = Assert.Throws<DevalueException>(() => Fragments.Copy(document));

        Assert.Contains(nameof(DevalueOptions.MaxBigIntDigits), exception.Message, StringComparison.Ordinal);
    }
}
