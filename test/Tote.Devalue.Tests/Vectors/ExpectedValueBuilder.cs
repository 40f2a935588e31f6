using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Tote.Devalue.Tests.Vectors;

/// <summary>
/// Turns the <c>json</c> description of a vector into the natural .NET value graph that an untyped
/// <see cref="DevalueSerializer.Deserialize(string, DevalueOptions?)"/> returns (docs/devalue.md),
/// honouring <c>id</c>/<c>ref</c> sharing and cycles.
/// </summary>
internal sealed class ExpectedValueBuilder
{
    // The range DateTimeOffset holds: years 1 to 9999. JavaScript dates outside it read as DevalueDate.
    private const long MinDateTimeOffsetMilliseconds = -62_135_596_800_000;
    private const long MaxDateTimeOffsetMilliseconds = 253_402_300_799_999;

    private readonly Dictionary<int, object> _byId = [];

    private ExpectedValueBuilder()
    {
    }

    public static object? Build(JsonElement node) => new ExpectedValueBuilder().BuildNode(node);

    private object? BuildNode(JsonElement node)
    {
        var type = Text(node, "t");
        switch (type)
        {
            case "ref":
                var id = node.GetProperty("id").GetInt32();
                return _byId.TryGetValue(id, out var shared)
                    ? shared
                    : throw new InvalidDataException($"A ref points at id {id}, which has not appeared yet.");
            case "undefined":
                return DevalueUndefined.Value;
            case "null":
                return null;
            case "hole":
                return DevalueHole.Value;
            case "boolean":
                return node.GetProperty("v").GetBoolean();
            case "number":
                return ReadNumber(node.GetProperty("v"));
            case "bigint":
                return BigInteger.Parse(Text(node, "v"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case "string":
                return DevalueVector.RequiredText(node, "v", "utf16");
        }

        // Everything below is a JavaScript object: it may carry an id, and containers register
        // themselves before their children are built so that a child can refer back to them.
        return type switch
        {
            "date" => Register(node, ReadDate(node)),
            "regexp" => Register(node, new DevalueRegExp(Text(node, "source"), Text(node, "flags"))),
            "url" => Register(node, new Uri(Text(node, "v"), UriKind.Absolute)),
            "urlsearchparams" => Register(node, new DevalueUrlSearchParams(Text(node, "v"))),
            "boxed" => Register(node, new DevalueBoxed(BuildNode(node.GetProperty("v"))
                ?? throw new InvalidDataException("A boxed value cannot box null."))),
            "arraybuffer" => Register(node, new DevalueArrayBuffer(Convert.FromBase64String(Text(node, "base64")))),
            "typedarray" => Register(node, ReadView(node, Text(node, "type"), "length")),
            "dataview" => Register(node, ReadView(node, "DataView", "byteLength")),
            "array" => BuildArray(node),
            "object" => BuildEntries(node, new OrderedDictionary<string, object?>(StringComparer.Ordinal)),
            "null-proto-object" => BuildEntries(node, new DevalueNullPrototypeObject()),
            "map" => BuildMap(node),
            "set" => BuildSet(node),
            _ => throw new InvalidDataException($"Unknown node type '{type}'."),
        };
    }

    private List<object?> BuildArray(JsonElement node)
    {
        var list = new List<object?>();
        Register(node, list);
        if (node.TryGetProperty("items", out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                list.Add(BuildNode(item));
            }

            return list;
        }

        var length = node.GetProperty("length").GetInt32();
        for (var i = 0; i < length; i++)
        {
            list.Add(DevalueHole.Value);
        }

        foreach (var pair in node.GetProperty("sparse").EnumerateArray())
        {
            list[pair[0].GetInt32()] = BuildNode(pair[1]);
        }

        return list;
    }

    private T BuildEntries<T>(JsonElement node, T dictionary)
        where T : OrderedDictionary<string, object?>
    {
        Register(node, dictionary);
        foreach (var entry in node.GetProperty("entries").EnumerateArray())
        {
            dictionary.Add(entry[0].GetString()!, BuildNode(entry[1]));
        }

        return dictionary;
    }

    private DevalueMap BuildMap(JsonElement node)
    {
        var map = new DevalueMap();
        Register(node, map);
        foreach (var entry in node.GetProperty("entries").EnumerateArray())
        {
            var key = BuildNode(entry[0]);
            map.Set(key, BuildNode(entry[1]));
        }

        return map;
    }

    private DevalueSet BuildSet(JsonElement node)
    {
        var set = new DevalueSet();
        Register(node, set);
        foreach (var item in node.GetProperty("items").EnumerateArray())
        {
            set.Add(BuildNode(item));
        }

        return set;
    }

    private DevalueTypedArray ReadView(JsonElement node, string kind, string lengthProperty)
    {
        var buffer = BuildNode(node.GetProperty("buffer")) as DevalueArrayBuffer
            ?? throw new InvalidDataException("A typed array's buffer must be an arraybuffer node or a ref to one.");
        return new DevalueTypedArray(
            kind,
            buffer,
            node.GetProperty("byteOffset").GetInt32(),
            node.GetProperty(lengthProperty).GetInt32());
    }

    private static object ReadDate(JsonElement node)
    {
        var ms = node.GetProperty("ms");
        if (ms.ValueKind == JsonValueKind.Null)
        {
            return new DevalueDate(double.NaN);
        }

        var milliseconds = ms.GetInt64();
        return milliseconds is >= MinDateTimeOffsetMilliseconds and <= MaxDateTimeOffsetMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : new DevalueDate(milliseconds);
    }

    private static double ReadNumber(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        return value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            "-0" => -0.0,
            var other => throw new InvalidDataException($"Unknown special number '{other}'."),
        };
    }

    private T Register<T>(JsonElement node, T value)
        where T : notnull
    {
        if (node.TryGetProperty("id", out var id))
        {
            _byId.Add(id.GetInt32(), value);
        }

        return value;
    }

    private static string Text(JsonElement node, string property) => DevalueVector.RequiredText(node, property);
}
