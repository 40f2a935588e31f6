using System.Numerics;

namespace Tote.Devalue.Tests.Typed;

public sealed class DevalueSerializerTypedTests
{
    private static T RoundTrip<T>(T value, out string text)
    {
        text = DevalueSerializer.Serialize(value);
        var back = DevalueSerializer.Deserialize<T>(text);
        Assert.Equal(text, DevalueSerializer.Serialize(back));
        return back!;
    }

    [Fact]
    public void Poco_WithRecordsListsAndSets_RoundTripsWithCamelCaseNames()
    {
        var cart = new Cart
        {
            Items = [new("rocket", 2, 19.99m), new("fuel", 1, 1.50m)],
            Owner = new User("u1", "Ada", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)),
            Tags = ["gift"],
        };

        var back = RoundTrip(cart, out var text);

        Assert.StartsWith("[{\"items\":1,\"owner\":", text, StringComparison.Ordinal);
        Assert.Equal(cart.Items, back.Items);
        Assert.Equal(cart.Owner, back.Owner);
        Assert.Equal(cart.Tags, back.Tags);
    }

    [Fact]
    public void Record_IsBuiltThroughItsConstructor()
    {
        var back = RoundTrip(new CartItem("a", 3, 2.5m), out var text);

        Assert.Equal("[{\"sku\":1,\"quantity\":2,\"price\":3},\"a\",3,2.5]", text);
        Assert.Equal(new CartItem("a", 3, 2.5m), back);
    }

    [Fact]
    public void JsonAttributes_AreHonoured()
    {
        var back = RoundTrip(new Annotated { Renamed = "r", Secret = "s", Kept = 7 }, out var text);

        Assert.Equal("[{\"x-renamed\":1,\"kept\":2},\"r\",7]", text);
        Assert.Equal("r", back.Renamed);
        Assert.Null(back.Secret);
        Assert.Equal(7, back.Kept);
    }

    [Fact]
    public void JsonConstructor_IsUsedForGetOnlyProperties()
    {
        var back = RoundTrip(new WithConstructor("x", 4), out _);

        Assert.Equal(("x", 4), (back.Name, back.Count));
    }

    [Fact]
    public void StringKeyedDictionary_WritesAnObjectInJavaScriptPropertyOrder()
    {
        var back = RoundTrip(new Dictionary<string, int> { ["b"] = 1, ["2"] = 2 }, out var text);

        Assert.Equal("[{\"2\":1,\"b\":2},2,1]", text);
        Assert.Equal(2, back["2"]);
    }

    [Fact]
    public void NonStringKeyedDictionary_WritesAMap()
    {
        var back = RoundTrip(new Dictionary<int, string> { [1] = "one", [2] = "two" }, out var text);

        Assert.Equal("[[\"Map\",1,2,3,4],1,\"one\",2,\"two\"]", text);
        Assert.Equal("two", back[2]);
    }

    [Fact]
    public void Enums_AreNumbersByDefaultAndNamesWithJsonStringEnumConverter()
    {
        Assert.Equal("[1]", DevalueSerializer.Serialize(Color.Green));
        Assert.Equal("[\"Suspended\"]", DevalueSerializer.Serialize(Status.Suspended));
        Assert.Equal(Status.Suspended, DevalueSerializer.Deserialize<Status>("[1]"));
        Assert.Equal(Color.Green, DevalueSerializer.Deserialize<Color>("[\"green\"]"));
    }

    [Fact]
    public void Nullable_ReadsNullAndUndefinedAsNull()
    {
        Assert.Null(DevalueSerializer.Deserialize<int?>("[null]"));
        Assert.Null(DevalueSerializer.Deserialize<int?>("-1"));
        Assert.Equal(5, DevalueSerializer.Deserialize<int?>("[5]"));
    }

    [Theory]
    [InlineData(9007199254740993L, "[[\"BigInt\",\"9007199254740993\"]]")]
    [InlineData(long.MaxValue, "[[\"BigInt\",\"9223372036854775807\"]]")]
    [InlineData(9007199254740992L, "[9007199254740992]")]
    [InlineData(-42L, "[-42]")]
    public void Long_BeyondTwoToThe53_IsWrittenAsBigIntAndReadExactly(long value, string expected)
    {
        Assert.Equal(value, RoundTrip(value, out var text));
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("19.99", "[19.99]")]
    [InlineData("1.50", "[\"1.50\"]")]
    [InlineData("79228162514264337593543950335", "[\"79228162514264337593543950335\"]")]
    [InlineData("0.1000000000000000000000000001", "[\"0.1000000000000000000000000001\"]")]
    public void Decimal_RoundTripsExactlyIncludingScale(string literal, string expected)
    {
        var value = decimal.Parse(literal, System.Globalization.CultureInfo.InvariantCulture);

        var back = RoundTrip(value, out var text);

        Assert.Equal(expected, text);
        Assert.Equal(value, back);
        Assert.Equal(literal, back.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DateTimeOffset_InWholeUtcMilliseconds_IsAJavaScriptDate()
    {
        var value = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 123, TimeSpan.Zero);

        Assert.Equal(value, RoundTrip(value, out var text));
        Assert.Equal("[[\"Date\",\"2024-01-02T03:04:05.123Z\"]]", text);
    }

    [Fact]
    public void DateTimeOffset_WithOffsetOrTicks_KeepsBothThroughText()
    {
        var value = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234);

        var back = RoundTrip(value, out _);

        Assert.Equal(value, back);
        Assert.Equal(value.Offset, back.Offset);
    }

    [Fact]
    public void DateTime_KeepsKindAndSubMillisecondTicks()
    {
        var local = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified).AddTicks(1234567);
        var utc = DateTime.SpecifyKind(new DateTime(2024, 1, 2, 3, 4, 5, 6), DateTimeKind.Utc);

        var backLocal = RoundTrip(local, out _);
        var backUtc = RoundTrip(utc, out var utcText);

        Assert.Equal((local, DateTimeKind.Unspecified), (backLocal, backLocal.Kind));
        Assert.Equal((utc, DateTimeKind.Utc), (backUtc, backUtc.Kind));
        Assert.Contains("\"Date\"", utcText, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesWithoutAJavaScriptTwin_RoundTripAsText()
    {
        Assert.Equal(Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), RoundTrip(Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), out _));
        Assert.Equal(new DateOnly(2024, 2, 29), RoundTrip(new DateOnly(2024, 2, 29), out var dateText));
        Assert.Equal(new TimeOnly(13, 45, 1, 5), RoundTrip(new TimeOnly(13, 45, 1, 5), out _));
        Assert.Equal(TimeSpan.FromTicks(1_234_567_891), RoundTrip(TimeSpan.FromTicks(1_234_567_891), out _));
        Assert.Equal("[\"2024-02-29\"]", dateText);
    }

    [Fact]
    public void BigInteger_IsABigInt()
    {
        var value = BigInteger.Parse("-123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(value, RoundTrip(value, out var text));
        Assert.Equal("[[\"BigInt\",\"-123456789012345678901234567890\"]]", text);
    }

    [Fact]
    public void Uri_IsAnAstroUrlAndRelativeUriIsAString()
    {
        Assert.Equal(new Uri("https://example.com/a?b=1"), RoundTrip(new Uri("https://example.com/a?b=1"), out var text));
        Assert.Equal("[[\"URL\",1],\"https://example.com/a?b=1\"]", text);
        Assert.Equal("[\"/cart\"]", DevalueSerializer.Serialize(new Uri("/cart", UriKind.Relative)));
    }

    [Fact]
    public void Uri_WithDevalueForm_IsWrittenInline()
    {
        var options = new DevalueOptions { UrlForm = DevalueUrlForm.Devalue };

        Assert.Equal("[[\"URL\",\"https://example.com/\"]]", DevalueSerializer.Serialize(new Uri("https://example.com/"), options));
    }

    [Fact]
    public void ByteArray_IsAUint8ArrayAndReadsFromAnyView()
    {
        Assert.Equal([1, 2, 3], RoundTrip(new byte[] { 1, 2, 3 }, out var text));
        Assert.Equal("[[\"Uint8Array\",1],[\"ArrayBuffer\",\"AQID\"]]", text);
        Assert.Equal([3, 4], DevalueSerializer.Deserialize<byte[]>("[[\"Uint16Array\",1,2,1],[\"ArrayBuffer\",\"AQIDBA==\"]]"));
    }

    [Fact]
    public void Collections_ReadFromArraysAndSets()
    {
        Assert.Equal(["a", "b"], DevalueSerializer.Deserialize<HashSet<string>>("[[1,2],\"a\",\"b\"]")!);
        Assert.Equal(["a", "b"], DevalueSerializer.Deserialize<string[]>("[[\"Set\",1,2],\"a\",\"b\"]")!);
        Assert.Equal([1.5, -0.0], DevalueSerializer.Deserialize<IReadOnlyList<double>>("[[1,-6],1.5]")!);
    }

    [Fact]
    public void SparseArray_ReadsHolesAsDefaultValues()
    {
        Assert.Equal([0, 7, 0], DevalueSerializer.Deserialize<int[]>("[[-7,3,1,1],7]")!);
    }

    [Fact]
    public void SharedReferences_AreKept()
    {
        var shared = new User("u", "S", DateTimeOffset.UnixEpoch);

        var back = RoundTrip(new List<User> { shared, shared }, out var text);

        Assert.StartsWith("[[1,1],", text, StringComparison.Ordinal);
        Assert.Same(back[0], back[1]);
    }

    [Fact]
    public void Cycles_OfMutableObjects_SurviveARoundTrip()
    {
        var root = new Node { Name = "root" };
        root.Next = root;
        root.Children.Add(new Node { Name = "child", Next = root });

        var back = RoundTrip(root, out _);

        Assert.Same(back, back.Next);
        Assert.Same(back, back.Children[0].Next);
    }

    [Fact]
    public void AnonymousTypes_WriteAsObjects()
    {
        Assert.Equal(
            "[{\"cart\":1,\"seen\":3},[2],\"apple\",[\"Date\",\"1970-01-01T00:00:00.000Z\"]]",
            DevalueSerializer.Serialize(new { cart = new List<string> { "apple" }, seen = DateTimeOffset.UnixEpoch }));
    }

    [Fact]
    public void Delegate_FailsNamingThePath()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(new CallbackHolder { Callback = () => 1 }));

        Assert.Equal("Cannot stringify a function", ex.Reason);
        Assert.Equal(".callback", ex.Path);
        Assert.StartsWith("CallbackHolder.Callback is a delegate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedType_FailsNamingThePath()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(new Wrapper<object>(new MemoryStream())));

        Assert.Equal("Cannot stringify arbitrary non-POJOs", ex.Reason);
        Assert.Equal(".value", ex.Path);
    }

    [Fact]
    public void TypeMismatch_NamesWhatAndWhere()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<Cart>("[{\"items\":1},\"x\"]"));

        Assert.Equal(".items", ex.Path);
        Assert.Equal("Cannot read a string as List<CartItem>. At Cart.Items.", ex.Message);
    }

    [Fact]
    public void Integer_FromAFraction_FailsInsteadOfLosingDigits()
    {
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<int>("[1.5]"));
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<byte>("[256]"));
    }

    [Fact]
    public void UntypedObjectProperty_ReadsNaturalTypes()
    {
        var back = DevalueSerializer.Deserialize<Wrapper<object>>("[{\"value\":1},[\"Map\",2,3],\"k\",1.5]")!;

        var map = Assert.IsType<DevalueMap>(back.Value);
        Assert.Equal(1.5, map["k"]);
    }

    [Fact]
    public void TypedWrite_IsReadableByTheUntypedReader()
    {
        var text = DevalueSerializer.Serialize(new Cart { Items = [new("a", 1, 2m)] });

        var natural = Assert.IsType<OrderedDictionary<string, object?>>(DevalueSerializer.Deserialize(text));
        var items = Assert.IsType<List<object?>>(natural["items"]);
        Assert.Equal("a", Assert.IsType<OrderedDictionary<string, object?>>(items[0])["sku"]);
    }

    [Fact]
    public void Deserialize_ConstructorThatRejectsTheValues_ThrowsDevalueExceptionWithTheCause()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<Positive>("[{\"value\":1},-5]"));

        Assert.IsType<ArgumentOutOfRangeException>(ex.InnerException);
        Assert.Contains("Positive", ex.Message, StringComparison.Ordinal);
    }
}
