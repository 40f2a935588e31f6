using CsCheck;

namespace Tote.Devalue.Tests.Writing;

public sealed class RecordMapWriterTests
{
    private static readonly Gen<double?> Expiries = Gen.Frequency(
        (2, Gen.Const(default(double?))),
        // Numbers that also come up inside the values, so that a shared number entry is written once.
        (2, Gen.OneOf<double?>(0, 1, 3, -1, 1.5, 1_700_000_000_000)),
        (1, Gen.Long[0, 4_000_000_000_000].Select(ms => (double?)ms)));

    [Fact]
    public void Write_OfAstrosExampleRecord_IsAstrosText()
    {
        var text = RecordMapWriter.Write(DevalueOptions.Default, 0, static (map, _) => map.Add("cart", new List<string> { "a", "b" }, null));

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

                Assert.Equal(DevalueSerializer.Serialize((object)AsDevalueMap(entries)), text);
            },
            iter: 400,
            print: record => $"keys [{string.Join(", ", record.Keys)}], data [{string.Join(", ", record.Data.Select(d => d.ToString()))}]");
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

    private static string WriteRecord((string Key, object? Data, double? Expires)[] entries)
        => RecordMapWriter.Write(DevalueOptions.Default, entries, static (map, entries) =>
        {
            foreach (var (key, value, expires) in entries)
            {
                map.Add(key, value, expires);
            }
        });

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
}
