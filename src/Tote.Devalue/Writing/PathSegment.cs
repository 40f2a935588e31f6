using System.Text;
using System.Text.RegularExpressions;

namespace Tote.Devalue;

/// <summary>One step of the path to a value, written the way devalue writes error paths.</summary>
internal readonly partial struct PathSegment
{
    private readonly object? _key;
    private readonly int _index;
    private readonly byte _kind;

    private PathSegment(byte kind, object? key, int index)
    {
        _kind = kind;
        _key = key;
        _index = index;
    }

    public static PathSegment Property(string name) => new(1, name, 0);

    public static PathSegment Index(int index) => new(2, null, index);

    public static PathSegment MapEntry(object? key) => new(3, key, 0);

    public static string Format(ReadOnlySpan<PathSegment> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            segment.AppendTo(builder);
        }

        return builder.ToString();
    }

    private void AppendTo(StringBuilder builder)
    {
        switch (_kind)
        {
            case 1:
                var name = (string)_key!;
                if (Identifier().IsMatch(name))
                {
                    builder.Append('.').Append(name);
                }
                else
                {
                    builder.Append('[').Append(System.Text.Json.JsonSerializer.Serialize(name)).Append(']');
                }

                break;
            case 2:
                builder.Append('[').Append(_index).Append(']');
                break;
            case 3:
                builder.Append(".get(").Append(FormatPrimitive(_key)).Append(')');
                break;
        }
    }

    private static string FormatPrimitive(object? key) => key switch
    {
        null => "null",
        string s => JsString.Quote(s),
        double d when d == 0 && double.IsNegative(d) => "-6",
        double d => JsNumber.ToString(d),
        bool b => b ? "true" : "false",
        System.Numerics.BigInteger i => "[\"BigInt\",\"" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"]",
        DevalueUndefined => "-1",
        IConvertible c when key.GetType().IsPrimitive => JsNumber.ToString(c.ToDouble(System.Globalization.CultureInfo.InvariantCulture)),
        _ => "...",
    };

    [GeneratedRegex("^[a-zA-Z_$][a-zA-Z_$0-9]*$")]
    private static partial Regex Identifier();
}
