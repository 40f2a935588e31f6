using System.Text.Json;
using Tote.Devalue.Tests.Typed;

namespace Tote.Devalue.Tests.Converters;

public sealed record Shipment(string Carrier, int Parcels = 1, double Weight = 0.5, Color Color = Color.Green, string? Note = "none");

public sealed record Labelled(string Label)
{
    public int Extra { get; set; }
}

/// <summary>Reading objects into records and classes: key matching and constructor arguments.</summary>
public sealed class PocoConverterTests
{
    // JSON.parse keeps the last of repeated keys, so devalue's JavaScript reader sees only that one.
    [Theory]
    [InlineData("keys in any order", "[{\"price\":3,\"quantity\":2,\"sku\":1},\"a\",4,2.5]", "a", 4, 2.5)]
    [InlineData("a repeated key", "[{\"sku\":1,\"quantity\":2,\"price\":3,\"sku\":4},\"a\",4,2.5,\"b\"]", "b", 4, 2.5)]
    [InlineData("unknown keys", "[{\"colour\":1,\"sku\":2,\"extra\":1,\"quantity\":3,\"price\":3},\"red\",\"a\",4]", "a", 4, 4)]
    [InlineData("an escaped key", "[{\"s\\u006bu\":1,\"quantity\":2,\"price\":2},\"a\",3]", "a", 3, 3)]
    [InlineData("missing keys without defaults", "[{\"quantity\":1},7]", null, 7, 0)]
    public void Record_BindsKeysAsJsonParseReadsThem(string what, string text, string? sku, int quantity, double price)
    {
        var item = DevalueSerializer.Deserialize<CartItem>(text);

        Assert.True(new CartItem(sku!, quantity, (decimal)price) == item, what);
    }

    [Fact]
    public void Record_WithMissingKeys_UsesTheParameterDefaults()
    {
        var shipment = DevalueSerializer.Deserialize<Shipment>("[{\"carrier\":1},\"post\"]");

        Assert.Equal(new Shipment("post"), shipment);
    }

    [Fact]
    public void Record_WithCaseInsensitiveOptions_MatchesKeysInAnyCase()
    {
        var options = new DevalueOptions
        {
            JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNameCaseInsensitive = true },
        };

        var item = DevalueSerializer.Deserialize<CartItem>("[{\"SKU\":1,\"Quantity\":2,\"PRICE\":2},\"a\",3]", options);

        Assert.Equal(new CartItem("a", 3, 3m), item);
    }

    [Fact]
    public void Record_WithCaseSensitiveOptions_IgnoresKeysInAnotherCase()
    {
        var options = new DevalueOptions
        {
            JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNameCaseInsensitive = false },
        };

        var item = DevalueSerializer.Deserialize<CartItem>("[{\"SKU\":1,\"quantity\":2,\"price\":2},\"a\",3]", options);

        Assert.Equal(new CartItem(null!, 3, 3m), item);
    }

    [Fact]
    public void Record_WithASettablePropertyBesidesItsParameters_SetsItAfterConstruction()
    {
        var back = DevalueSerializer.Deserialize<Labelled>(DevalueSerializer.Serialize(new Labelled("x") { Extra = 5 }));

        Assert.Equal(new Labelled("x") { Extra = 5 }, back);
    }

    [Fact]
    public void Records_NestedInRecordsOfTheSameType_EachGetTheirOwnArguments()
    {
        var value = new Wrapper<Wrapper<Wrapper<int>>>(new(new(42)));

        var back = DevalueSerializer.Deserialize<Wrapper<Wrapper<Wrapper<int>>>>(DevalueSerializer.Serialize(value));

        Assert.Equal(42, back!.Value.Value.Value);
    }

    [Fact]
    public void Record_ArgumentOfTheWrongType_FailsNamingTheProperty()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<List<CartItem>>("[[1],{\"sku\":2,\"quantity\":3,\"price\":3},\"a\",\"many\"]"));

        Assert.Equal("[0].quantity", ex.Path);
    }

    [Fact]
    public void ManyRecords_InOneList_AreAllBound()
    {
        var items = Enumerable.Range(0, 200).Select(i => new CartItem($"sku-{i}", i, i + 0.25m)).ToList();

        var back = DevalueSerializer.Deserialize<List<CartItem>>(DevalueSerializer.Serialize(items));

        Assert.Equal(items, back);
    }
}
