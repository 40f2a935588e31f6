using System.Globalization;
using System.Text;

namespace Tote.Benchmarks.Devalue;

/// <summary>The shapes of hostile devalue text that <see cref="HostileTexts.Build"/> makes.</summary>
public enum HostileShape
{
    /// <summary><c>[["BigInt","999…"]]</c>: one BigInt of every digit the size allows (over the default limit from 10 KB).</summary>
    BigIntDigits,

    /// <summary><c>[["BigInt","0xfff…"]]</c>: the same in hexadecimal.</summary>
    HexBigIntDigits,

    /// <summary><c>[[1,2,…],["BigInt","9…9"],…]</c>: many BigInts of 1,000 digits each, all within the limit.</summary>
    ManyBigInts,

    /// <summary><c>[[1,1,…],["BigInt","9…9"]]</c>: one BigInt of 10,000 digits (the default limit), referred to again and again.</summary>
    ReferencesToABigInt,

    /// <summary><c>[[1,1,…],0.777…]</c>: one number of 10,000 digits, referred to again and again.</summary>
    ReferencesToALongNumber,

    /// <summary><c>[0.123…]</c>: one number token of every digit the size allows.</summary>
    LongNumber,

    /// <summary><c>[[1,1,1,…],"x"]</c>: one array referring to the same entry again and again.</summary>
    References,

    /// <summary><c>[[1],[2],…,[]]</c>: each entry holds the next, far deeper than <c>MaxDepth</c>.</summary>
    DeepNesting,

    /// <summary><c>["\n\u0041\n\u0041…"]</c>: one string that is nothing but escapes.</summary>
    EscapedString,

    /// <summary><c>[["Uint8Array",1],["ArrayBuffer","AAAA…"]]</c>: one typed array over a huge buffer.</summary>
    TypedArray,

    /// <summary><c>[["Map",1,2,3,4,…],0,1,…]</c>: a Map with as many distinct number keys as fit.</summary>
    MapKeys,
}

/// <summary>
/// Builds hostile devalue text of about a given size, for the scaling benchmark and the tests that
/// check the codec stays linear in time and memory.
/// </summary>
public static class HostileTexts
{
    /// <summary>Devalue text of the given shape, about <paramref name="size"/> characters long.</summary>
    public static string Build(HostileShape shape, int size) => shape switch
    {
        HostileShape.BigIntDigits => $"[[\"BigInt\",\"{new string('9', size)}\"]]",
        HostileShape.HexBigIntDigits => $"[[\"BigInt\",\"0x{new string('f', size)}\"]]",
        HostileShape.ManyBigInts => ManyBigInts(size),
        HostileShape.ReferencesToABigInt => $"[[{string.Join(',', Enumerable.Repeat('1', size / 2))}],[\"BigInt\",\"{new string('9', 10_000)}\"]]",
        HostileShape.ReferencesToALongNumber => $"[[{string.Join(',', Enumerable.Repeat('1', size / 2))}],0.{new string('7', 10_000)}]",
        HostileShape.LongNumber => $"[0.{new string('7', size)}]",
        HostileShape.References => $"[[{string.Join(',', Enumerable.Repeat('1', size / 2))}],\"x\"]",
        HostileShape.DeepNesting => DeepNesting(size),
        HostileShape.EscapedString => $"[\"{string.Concat(Enumerable.Repeat("\\n\\u0041", size / 8))}\"]",
        HostileShape.TypedArray => $"[[\"Uint8Array\",1],[\"ArrayBuffer\",\"{new string('A', size / 4 * 4)}\"]]",
        HostileShape.MapKeys => MapKeys(size),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    private static string ManyBigInts(int size)
    {
        var bigInt = $"[\"BigInt\",\"{new string('9', 1000)}\"]";
        var count = Math.Max(1, size / (bigInt.Length + 6));
        var text = new StringBuilder("[[");
        for (var i = 1; i <= count; i++)
        {
            text.Append(i > 1 ? "," : string.Empty).Append(i.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(']');
        for (var i = 0; i < count; i++)
        {
            text.Append(',').Append(bigInt);
        }

        return text.Append(']').ToString();
    }

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
        // Entry 0 is the Map; entries 1… are the numbers 0, 1, …, each a key whose value is the next one.
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
}
