namespace Tote.Devalue;

/// <summary>Maps the tag of a tagged entry (<c>["Date",…]</c>) to a shared string without allocating.</summary>
internal static class TagNames
{
    private static readonly string[] Known =
    [
        "Date", "Set", "Map", "RegExp", "Object", "BigInt", "null", "ArrayBuffer", "URL", "URLSearchParams",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Float16Array", "Int32Array",
        "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "DataView",
    ];

    public static string Intern(ReadOnlySpan<char> raw, bool hasEscapes, DevalueReader reader, int tokenIndex)
    {
        if (!hasEscapes)
        {
            foreach (var known in Known)
            {
                if (raw.SequenceEqual(known))
                {
                    return known;
                }
            }
        }

        var text = reader.TokenString(tokenIndex);
        return Array.Find(Known, k => k == text) ?? text;
    }
}
