using System.Text;
using CsCheck;

namespace Tote.Devalue.Tests.Writing;

public sealed class DevalueMapWriterTests
{
    private static readonly Gen<double?> Expiries = Gen.Frequency(
        (2, Gen.Const(default(double?))),
        // Numbers that also come up inside the values, so that a shared number entry is written once.
        (2, Gen.OneOf<double?>(0, 1, 3, -1, 1.5, 1_700_000_000_000)),
        (1, Gen.Long[0, 4_000_000_000_000].Select(ms => (double?)ms)));

    [Fact]
    public void Write_OfAstrosExampleRecord_IsAstrosText()
    {
        var text = WriteRecord([("cart", new List<string> { "a", "b" }, null)]);

        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""", text);
    }

    [Fact]
    public void Write_IsWhatDevalueWritesForTheSameMapOfDataAndExpiresObjects()
    {
        var records = Gen.Select(
            DevalueSerializerPropertyTests.Keys.Array[0, 4],
            DevalueSerializerPropertyTests.Graphs.Array[4],
            Expiries.Array[4],
            (keys, data, expiries) => (Keys: keys.Distinct(StringComparer.Ordinal).ToArray(), Data: data, Expiries: expiries));

        records.Sample(
            record =>
            {
                // One graph for all the data, so that values of different keys share objects.
                var data = (List<object?>)DevalueSerializerPropertyTests.GraphBuilder.Build(new DevalueSerializerPropertyTests.ListShape(record.Data))!;
                var entries = record.Keys.Select((key, i) => (Key: key, Data: data[i], Expires: record.Expiries[i])).ToArray();

                var text = WriteRecord(entries);

                Assert.Equal(EscapeLoneSurrogates(DevalueSerializer.Serialize((object)AsDevalueMap(entries))), text);
            },
            iter: 400,
            print: record => $"keys [{string.Join(", ", record.Keys)}], data [{string.Join(", ", record.Data.Select(d => d.ToString()))}]");
    }

    [Fact]
    public void Write_OfAStringWithLoneSurrogates_EscapesThemAsJsonStringifyDoes()
    {
        // devalue 5.9.4 writes "\ud800abc\udfff" raw, which UTF-8 cannot hold (Node stores U+FFFD
        // in their place); JSON.stringify writes the escapes below, and devalue.parse of this
        // text gives back the very same string.
        var text = WriteRecord([("k", "\ud800abc\udfff", null)]);

        Assert.Equal("""[["Map",1,2],"k",{"data":3,"expires":-1},"\ud800abc\udfff"]""", text);
    }

    [Fact]
    public void Write_OfAStringWithLoneSurrogates_EncodesToStrictUtf8AndReadsBackTheSameString()
    {
        const string value = "\udc00\ud800 x \ud83d\ude00 y \ud800";

        var text = WriteRecord([("k\udfff", value, 5)]);

        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(text);
        var read = Assert.IsType<DevalueMap>(DevalueSerializer.Deserialize(Encoding.UTF8.GetString(bytes)));
        var entry = Assert.IsType<OrderedDictionary<string, object?>>(read["k\udfff"]);
        Assert.Equal(value, entry["data"]);
    }

    [Fact]
    public void Write_OfASurrogatePair_WritesItRaw()
    {
        var text = WriteRecord([("k", "\ud83d\ude00", null)]);

        Assert.Equal("[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":-1},\"\ud83d\ude00\"]", text);
    }

    [Fact]
    public void Write_OfAFragmentCopiedFromDevaluesRawLoneSurrogates_EscapesThem()
    {
        // devalue's own text for { "\ud800": "x\udfff" }: raw lone surrogates, in a key and a value.
        var document = DevalueDocument.Parse("[{\"\ud800\":1},\"x\udfff\"]");

        var text = WriteRecord([("k", new DevalueFragment(document, document.Root), null)]);

        Assert.Equal("""[["Map",1,2],"k",{"data":3,"expires":-1},{"\ud800":4},"x\udfff"]""", text);
    }

    [Fact]
    public void TryWrite_WhenAValueRefusesToWriteItself_GivesNoTextAndStopsAdding()
    {
        // A Set repeating a member: devalue's natural value would drop the repeat, a copy cannot.
        var document = DevalueDocument.Parse("""[["Set",1,1],"a"]""");
        var added = new List<bool>();

        var written = DevalueMapWriter.TryWrite(DevalueOptions.Default, (document, added), static (map, s) =>
        {
            s.added.Add(map.Add("first", ("data", new DevalueFragment(s.document, s.document.Root))));
            s.added.Add(map.Add("second", ("data", "x")));
        }, out var text, out _);

        Assert.False(written);
        Assert.Null(text);
        Assert.Equal([false, false], added);
    }

    [Fact]
    public void Serialize_OfAStringWithLoneSurrogates_StillWritesThemRawAsDevalueDoes()
    {
        Assert.Equal("[\"\ud800abc\udfff\"]", DevalueSerializer.Serialize("\ud800abc\udfff"));
    }

    [Fact]
    public void Write_OfAValueThatCannotBeWritten_FailsWithThePathDevalueGivesTheSameMap()
    {
        (string, object?, double?)[] entries = [("name", "ada", null), ("cart", new List<object> { new() }, 5)];
        var expected = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize((object)AsDevalueMap(entries)));

        var error = Assert.Throws<DevalueException>(() => WriteRecord(entries));

        Assert.Equal(expected.Message, error.Message);
        Assert.Contains("cart", error.Message, StringComparison.Ordinal);
    }

    // A Map of { data, expires } objects, the shape of Astro's session record, as Tote writes it.
    private static string WriteRecord((string Key, object? Data, double? Expires)[] entries)
        => DevalueMapWriter.Write(DevalueOptions.Default, entries, static (map, entries) =>
        {
            foreach (var (key, value, expires) in entries)
            {
                map.Add(key, ("data", value), ("expires", expires is { } at ? at : DevalueUndefined.Value));
            }
        }, out _);

    private static DevalueMap AsDevalueMap(IEnumerable<(string Key, object? Data, double? Expires)> entries)
    {
        var map = new DevalueMap();
        foreach (var (key, data, expires) in entries)
        {
            map.Set(key, new OrderedDictionary<string, object?>(2)
            {
                ["data"] = data,
                ["expires"] = expires is { } at ? at : DevalueUndefined.Value,
            });
        }

        return map;
    }

    /// <summary>
    /// devalue text with each lone surrogate replaced by its lowercase <c>\\uXXXX</c> escape: outside
    /// strings devalue text is ASCII, so every surrogate in it is inside a string.
    /// </summary>
    private static string EscapeLoneSurrogates(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
