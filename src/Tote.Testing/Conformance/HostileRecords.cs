using System.Globalization;
using System.Text;
using CsCheck;
using DamageKind = Tote.Testing.HostileRecord.DamageKind;

namespace Tote.Testing;

/// <summary>
/// Generators of hostile stored sessions: well-formed ones the app must read back, hostile devalue
/// in a valid header, hostile times around valid data, and damaged bytes. The devalue shapes are
/// those the codec's own fuzz and scaling tests use, each wrapped as a session's <c>cart</c> value
/// or standing as the whole record.
/// </summary>
internal static class HostileRecords
{
    private const long Hour = 3_600_000;

    private static readonly Gen<string> CartItems = Gen.OneOf(
        Gen.Char["ab <>\"\\/\u00e9\u2028\u65e5"].Array[0, 8].Select(c => new string(c)),
        Gen.OneOf("", "__proto__", "\ud83d\ude00", "-1", "[1]", "{\"data\":1}"));

    /// <summary>Every kind of hostile record for a store whose clock reads <paramref name="now"/> (epoch milliseconds).</summary>
    public static Gen<HostileRecord> All(long now, int maxSessionSize) => Gen.Frequency(
        (3, WellFormed(now)),
        (6, HostilePayloads(maxSessionSize).Select(p => new HostileRecord(p.Kind, Utf8(p.Text), now - Hour, now + Hour, 1))),
        (1, InvalidUtf8Payloads(now)),
        (2, HostileTimes(now)),
        (3, Damaged(now)));

    /// <summary>A cart of ordinary strings, live: the app must adopt the session and read the cart back.</summary>
    private static Gen<HostileRecord> WellFormed(long now) => Gen.Select(CartItems.Array[0, 5], Gen.Long[1, long.MaxValue], (cart, version) =>
        new HostileRecord("well-formed", Utf8(Cart(cart)), now - Hour, now + Hour, version) { ExpectedCart = cart });

    private static Gen<(string Kind, string Text)> HostilePayloads(int maxSessionSize) => Gen.OneOf(
        // Whole records that are hostile devalue, not a session's Map.
        Gen.Select(Gen.Enum<Shape>(), Gen.Int[1, 40_000], (shape, size) => ($"whole record {shape}", Build(shape, size))),
        // A session whose cart is a hostile value.
        Gen.Select(Gen.Enum<Shape>(), Gen.Int[1, 40_000], (shape, size) => ($"cart is {shape}", Wrap(Build(shape, size)))),
        Gen.Int[1, 30_000].Select(digits => ("cart is a BigInt of many digits", Wrap($"[[\"BigInt\",\"{new string('7', digits)}\"]]"))),
        Gen.Int[1, 5_000].Select(count => ("cart is a huge Map", Wrap(Build(Shape.MapKeys, count * 16)))),
        Gen.Int[1, 3_000].Select(depth => ("cart is deeply nested", Wrap(Build(Shape.DeepNesting, depth * 6)))),
        Gen.OneOf(@"\ud800", @"\udfff", @"a\udc00b", @"\ud800\ud800", @"\u").Select(s => ("cart holds lone surrogates", $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}},[4],\"{s}\"]")),
        // Values that do not fit the type the app reads (a list of strings).
        Gen.OneOf("\"text\"", "42", "null", "true", "{\"a\":4},1", "[4,5],1,2", "[\"Date\",\"2024-01-01T00:00:00.000Z\"]", "[4],[\"BigInt\",\"1\"]", "[\"Set\",4],\"a\"", "[4],[5],[6],[]", "-1", "[4,-2]", "[\"Map\",4,5],\"k\",\"v\"")
            .Select(value => ("cart does not fit List<string>", $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}},{value}]")),
        // A key's own expiry out of range.
        Gen.OneOf("1e400", "-5", "0", "\"x\"", "4", "9007199254740993", "1", "-1e400", "null", "[]", "8640000000000001")
            .Select(expires => ("cart's expires is hostile", $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":{expires}}},[4],\"a\"]")),
        // Records near and over the size the app allows.
        Gen.Int[-200, 200].Select(delta => ("size near MaxSessionSize", Cart([new string('a', Math.Max(0, maxSessionSize + delta - 60))]))),
        Gen.Int[1, 4].Select(times => ("size over MaxSessionSize", Cart([new string('b', maxSessionSize * times)]))),
        // A well-formed record with characters edited.
        Gen.Select(CartItems.Array[1, 4], Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Char["[]{},:\"0-9\\-"]).Array[1, 3], (cart, edits) => ("edited record", Edit(Cart(cart), edits))));

    private static Gen<HostileRecord> InvalidUtf8Payloads(long now) => Gen.Select(
        Gen.OneOf<byte[]>([0xED, 0xA0, 0x80], [0xC3, 0x28], [0xFF], [0xF0, 0x9F], [0xC0, 0xAF], [0x00]),
        bytes => new HostileRecord("invalid UTF-8 in a string", [.. Utf8("[[\"Map\",1,2],\"cart\",{\"data\":3,\"expires\":-1},[4],\"a"), .. bytes, .. Utf8("\"]")], now - Hour, now + Hour, 1));

    private static Gen<HostileRecord> HostileTimes(long now)
    {
        var times = Gen.OneOf(
            Gen.OneOf(long.MinValue, -1, 0, 1, now - 1, now, now + 1, long.MaxValue, 253_402_300_800_000, 253_402_300_799_999, -62_135_596_800_001),
            Gen.Long[now - (1000 * Hour), now + (1000 * Hour)]);
        return Gen.Select(times, times, Gen.OneOf(long.MinValue, -1, 0, long.MaxValue), (created, expires, version) =>
            new HostileRecord("hostile times", Utf8(Cart(["a"])), created, expires, version) { MustNotBeAdopted = expires <= now });
    }

    private static Gen<HostileRecord> Damaged(long now)
    {
        var junk = Gen.OneOf(
            Gen.Byte.Array[1, 64],
            Gen.OneOf<byte[]>([(byte)'\n'], [(byte)' '], [0xFF], [0x00], "\ntote1 1 2 3\n"u8.ToArray(), [(byte)'-'], [(byte)'9', (byte)'9', (byte)'9', (byte)'9']));
        var noise = Gen.Select(Gen.Byte[0x80, 0xFF], Gen.Byte.Array[0, 4_000], (first, rest) => new HostileRecord(
            "bytes replaced by noise", Utf8(Cart(["a"])), now - Hour, now + Hour, 1, DamageKind.Noise, 0, [first, .. rest]) { MustNotBeAdopted = true });
        var edited = Gen.Select(Gen.OneOf(DamageKind.Truncate, DamageKind.Overwrite, DamageKind.Insert), Gen.Int[0, int.MaxValue], junk, (damage, at, bytes) =>
            new HostileRecord($"bytes {damage}", Utf8(Cart(["a", "b"])), now - Hour, now + Hour, 1, damage, at, bytes));
        return Gen.OneOf(noise, edited);
    }

    private static string Cart(IEnumerable<string> items)
    {
        var list = items.ToList();
        var text = new StringBuilder("[[\"Map\",1,2],\"cart\",{\"data\":3,\"expires\":-1},[");
        text.AppendJoin(',', Enumerable.Range(4, list.Count).Select(i => i.ToString(CultureInfo.InvariantCulture))).Append(']');
        foreach (var item in list)
        {
            text.Append(',').Append(Quote(item));
        }

        return text.Append(']').ToString();
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\u2028' => quoted.Append("\\u2028"),
                < ' ' => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    // A devalue table whose entry 0 is the hostile value, re-indexed after a session Map whose cart
    // is entry 3: inside a nested array a run of digits is an index; at the top level it is a number
    // entry, left alone. (The shapes hold no digits in strings that this would misread.)
    internal static string Wrap(string table)
    {
        const int Offset = 3;
        var text = new StringBuilder("[[\"Map\",1,2],\"cart\",{\"data\":3,\"expires\":-1},");
        var body = table.AsSpan(1, table.Length - 2);
        var depth = 0;
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '"')
            {
                inString = !inString;
            }
            else if (!inString && c == '[')
            {
                depth++;
            }
            else if (!inString && c == ']')
            {
                depth--;
            }
            else if (!inString && depth > 0 && char.IsAsciiDigit(c) && body[i - 1] is '[' or ',')
            {
                var end = i;
                while (end < body.Length && char.IsAsciiDigit(body[end]))
                {
                    end++;
                }

                text.Append((int.Parse(body[i..end], CultureInfo.InvariantCulture) + Offset).ToString(CultureInfo.InvariantCulture));
                i = end - 1;
                continue;
            }

            text.Append(c);
        }

        return text.Append(']').ToString();
    }

    private static string Edit(string text, (int Kind, int Position, char Char)[] edits)
    {
        var builder = new StringBuilder(text);
        foreach (var (kind, position, c) in edits)
        {
            var at = position % (builder.Length + 1);
            _ = kind switch
            {
                0 => builder.Remove(at, builder.Length - at),
                1 when at < builder.Length => builder.Remove(at, 1).Insert(at, c),
                2 when at < builder.Length => builder.Remove(at, 1),
                _ => builder.Insert(at, c),
            };
        }

        return builder.ToString();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    internal static string Build(Shape shape, int size) => shape switch
    {
        Shape.BigIntDigits => $"[[\"BigInt\",\"{new string('9', size)}\"]]",
        Shape.HexBigIntDigits => $"[[\"BigInt\",\"0x{new string('f', size)}\"]]",
        Shape.References => $"[[{string.Join(',', Enumerable.Repeat('1', Math.Max(1, size / 2)))}],\"x\"]",
        Shape.LongNumber => $"[0.{new string('7', size)}]",
        Shape.DeepNesting => DeepNesting(size),
        Shape.EscapedString => $"[\"{string.Concat(Enumerable.Repeat("\\n\\u0041", Math.Max(1, size / 8)))}\"]",
        Shape.TypedArray => $"[[\"Uint8Array\",1],[\"ArrayBuffer\",\"{new string('A', size / 4 * 4)}\"]]",
        _ => MapKeys(size),
    };

    private static string DeepNesting(int size)
    {
        var text = new StringBuilder("[");
        for (var i = 1; text.Length < size; i++)
        {
            text.Append('[').Append(i.ToString(CultureInfo.InvariantCulture)).Append("],");
        }

        return text.Append("[]]").ToString();
    }

    private static string MapKeys(int size)
    {
        var text = new StringBuilder("[[\"Map\"");
        var count = Math.Max(2, size / 16 * 2);
        for (var i = 1; i <= count; i++)
        {
            text.Append(',').Append(i.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(']');
        for (var i = 0; i < count; i++)
        {
            text.Append(',').Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return text.Append(']').ToString();
    }

    /// <summary>The codec's hostile shapes (bench/Tote.Benchmarks/Devalue/HostileTexts.cs), as record payloads.</summary>
    internal enum Shape
    {
        BigIntDigits,
        HexBigIntDigits,
        References,
        LongNumber,
        DeepNesting,
        EscapedString,
        TypedArray,
        MapKeys,
    }
}
