using Tote.Devalue.Tests.Vectors;

namespace Tote.Devalue.Tests;

/// <summary>
/// Natural-type behaviour the public vectors do not pin down. Texts marked "devalue 5.9.4 output"
/// were produced by devalue itself, so <c>Serialize(Deserialize(text))</c> must give them back.
/// </summary>
public sealed class DevalueSerializerNaturalTypeTests
{
    private const string Epoch = "[\"Date\",\"1970-01-01T00:00:00.000Z\"]";

    public static TheoryData<string> HolesOutsideArrays => ["root", "object", "set", "map-key"];

    [Fact]
    public void Deserialize_MapWithTwoEqualDatesAsKeys_KeepsBothEntries()
    {
        // devalue 5.9.4 output for new Map([[new Date(0), "a"], [new Date(0), "b"]]): two Date
        // objects are two keys, as JavaScript compares Map keys that are objects by identity.
        const string text = "[[\"Map\",1,2,3,4]," + Epoch + ",\"a\"," + Epoch + ",\"b\"]";

        var map = Assert.IsType<DevalueMap>(DevalueSerializer.Deserialize(text));

        Assert.Equal(2, map.Count);
        Assert.Equal(text, DevalueSerializer.Serialize(map));
    }

    [Fact]
    public void Deserialize_SetWithTwoEqualDates_KeepsBothMembers()
    {
        // devalue 5.9.4 output for new Set([new Date(0), new Date(0)]).
        const string text = "[[\"Set\",1,2]," + Epoch + "," + Epoch + "]";

        var set = Assert.IsType<DevalueSet>(DevalueSerializer.Deserialize(text));

        Assert.Equal(2, set.Count);
        Assert.Equal(text, DevalueSerializer.Serialize(set));
    }

    [Fact]
    public void Serialize_OneBoxedDateInTwoPlaces_WritesOneDateEntry()
    {
        object date = DateTimeOffset.UnixEpoch;

        var text = DevalueSerializer.Serialize(new List<object?> { date, date });

        Assert.Equal("[[1,1]," + Epoch + "]", text);
    }

    [Fact]
    public void Serialize_EqualDatesInTwoBoxes_WritesTwoDateEntries()
    {
        var text = DevalueSerializer.Serialize(new List<object?> { DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch });

        Assert.Equal("[[1,2]," + Epoch + "," + Epoch + "]", text);
    }

    [Fact]
    public void Serialize_ObjectWithIntegerLikeKeys_WritesThemFirstInAscendingOrder()
    {
        // devalue 5.9.4 output for { b: 1, 2: 2, 1: 3 }: JavaScript lists array-index keys first.
        var value = new OrderedDictionary<string, object?> { ["b"] = 1d, ["2"] = 2d, ["1"] = 3d };

        var text = DevalueSerializer.Serialize(value);

        Assert.Equal("[{\"1\":1,\"2\":2,\"b\":3},3,2,1]", text);
    }

    [Fact]
    public void Serialize_UriWithDevalueUrlForm_WritesTheHrefInline()
    {
        var options = new DevalueOptions { UrlForm = DevalueUrlForm.Devalue };

        var text = DevalueSerializer.Serialize(new Uri("https://example.com/a", UriKind.Absolute), options);

        Assert.Equal("[[\"URL\",\"https://example.com/a\"]]", text);
    }

    [Theory]
    [MemberData(nameof(HolesOutsideArrays))]
    public void Serialize_HoleOutsideAnArray_WritesNothingTheReaderRejects(string where)
    {
        // A hole only exists inside an array. Written anywhere else it must either be refused or
        // come out as text that reads back: devalue rejects a bare -2 at the root.
        var value = HoleOutsideAnArray(where);
        string text;
        try
        {
            text = DevalueSerializer.Serialize(value);
        }
        catch (DevalueException)
        {
            return;
        }

        var exception = Record.Exception(() => DevalueSerializer.Deserialize(text));
        Assert.True(exception is null, $"Serialize wrote {NaturalValueAssert.Quote(text)}, which Deserialize rejects: {exception?.Message}");
    }

    private static object? HoleOutsideAnArray(string where)
    {
        var set = new DevalueSet();
        set.Add(DevalueHole.Value);
        return where switch
        {
            "root" => DevalueHole.Value,
            "object" => new OrderedDictionary<string, object?> { ["a"] = DevalueHole.Value },
            "set" => set,
            "map-key" => new DevalueMap().Set(DevalueHole.Value, 1d),
            _ => throw new ArgumentOutOfRangeException(nameof(where), where, null),
        };
    }
}
