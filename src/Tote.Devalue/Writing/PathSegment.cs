using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tote.Devalue;

/// <summary>
/// One step of the path to a value. It is written two ways: as devalue writes error paths
/// (<c>.items[2].address</c>, for <see cref="DevalueException.Path"/>, so errors compare with
/// devalue's), and in C# terms for messages (<c>Items[2].Address</c>: member names as declared,
/// dictionary keys as indexers).
/// </summary>
internal readonly partial struct PathSegment
{
    private const byte MemberKind = 1;
    private const byte IndexKind = 2;
    private const byte MapEntryKind = 3;
    private const byte KeyKind = 4;
    private const byte SetItemKind = 5;

    private readonly object? _key;
    private readonly int _index;
    private readonly byte _kind;
    private readonly string? _memberName;
    private readonly Type? _owner;

    private PathSegment(byte kind, object? key, int index, string? memberName = null, Type? owner = null)
    {
        _kind = kind;
        _key = key;
        _index = index;
        _memberName = memberName;
        _owner = owner;
    }

    /// <summary>A member of a class, record or struct.</summary>
    /// <param name="name">The name it is stored under (after <c>[JsonPropertyName]</c> and naming policies).</param>
    /// <param name="memberName">The member's name in C#.</param>
    /// <param name="owner">The type the member belongs to.</param>
    public static PathSegment Member(string name, string memberName, Type owner) => new(MemberKind, name, 0, memberName, owner);

    /// <summary>A key of a string-keyed dictionary, or of an object read as natural types.</summary>
    public static PathSegment Key(string key) => new(KeyKind, key, 0);

    public static PathSegment Index(int index) => new(IndexKind, null, index);

    /// <summary>
    /// An item of a set. devalue's paths have no step for it; in C# terms it is "an item of" the
    /// set, or <c>[…]</c> inside a longer path.
    /// </summary>
    public static PathSegment SetItem { get; } = new(SetItemKind, null, 0);

    /// <summary>An entry of a <c>Map</c> (a dictionary whose keys are not all strings).</summary>
    public static PathSegment MapEntry(object? key) => new(MapEntryKind, key, 0);

    /// <summary>The path as devalue writes it: <c>.user.name</c>, <c>[3]</c>, <c>.get("key")</c>.</summary>
    public static string Format(ReadOnlySpan<PathSegment> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            segment.AppendDevalue(builder);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The subject of a sentence about the value at the end of <paramref name="segments"/>, in C#
    /// terms: <c>The value</c>, <c>CartItem.Supplier</c>, <c>The value at Items[2].Supplier (CartItem.Supplier)</c>.
    /// </summary>
    public static string Subject(ReadOnlySpan<PathSegment> segments)
    {
        if (segments.IsEmpty)
        {
            return "The value";
        }

        if (segments[^1]._kind == SetItemKind)
        {
            return "An item of " + (segments.Length == 1 ? "the value" : Place(segments[..^1]));
        }

        return segments.Length == 1 && segments[0]._kind == MemberKind ? segments[0].QualifiedMember() : "The value at " + Place(segments);
    }

    /// <summary>
    /// Where the value at the end of <paramref name="segments"/> is, in C# terms, for the end of a
    /// message: <c>CartItem.Quantity</c>, <c>[0].Quantity (CartItem.Quantity)</c>, <c>Prices["apple"]</c>.
    /// </summary>
    public static string Place(ReadOnlySpan<PathSegment> segments)
    {
        var last = segments[^1];
        if (last._kind == SetItemKind)
        {
            return segments.Length == 1 ? "an item of the value" : "an item of " + Place(segments[..^1]);
        }
        if (segments.Length == 1 && last._kind == MemberKind)
        {
            return last.QualifiedMember();
        }

        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            segment.AppendCSharp(builder);
        }

        return last._kind == MemberKind ? $"{builder} ({last.QualifiedMember()})" : builder.ToString();
    }

    private string QualifiedMember() => TypeNames.Describe(_owner!) + "." + _memberName;

    private void AppendDevalue(StringBuilder builder)
    {
        switch (_kind)
        {
            case MemberKind:
            case KeyKind:
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
            case IndexKind:
                builder.Append('[').Append(_index).Append(']');
                break;
            case MapEntryKind:
                builder.Append(".get(").Append(FormatPrimitive(_key)).Append(')');
                break;
        }
    }

    private void AppendCSharp(StringBuilder builder)
    {
        switch (_kind)
        {
            case MemberKind:
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(_memberName);
                break;
            case KeyKind:
                builder.Append('[').Append(JsString.Quote((string)_key!)).Append(']');
                break;
            case IndexKind:
                builder.Append('[').Append(_index).Append(']');
                break;
            case MapEntryKind:
                builder.Append('[').Append(FormatCSharpKey(_key)).Append(']');
                break;
            case SetItemKind:
                builder.Append("[…]");
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
        System.Numerics.BigInteger i => "[\"BigInt\",\"" + i.ToString(CultureInfo.InvariantCulture) + "\"]",
        DevalueUndefined => "-1",
        IConvertible c when key.GetType().IsPrimitive => JsNumber.ToString(c.ToDouble(CultureInfo.InvariantCulture)),
        _ => "...",
    };

    private static string FormatCSharpKey(object? key) => key switch
    {
        null => "null",
        string s => JsString.Quote(s),
        bool b => b ? "true" : "false",
        char c => "'" + c + "'",
        Enum e => e.GetType().Name + "." + e,
        IFormattable f when key.GetType().IsPrimitive || key is decimal or System.Numerics.BigInteger or Guid or DateTimeOffset or DateTime
            => f.ToString(null, CultureInfo.InvariantCulture),
        _ => "…",
    };

    [GeneratedRegex("^[a-zA-Z_$][a-zA-Z_$0-9]*$")]
    private static partial Regex Identifier();
}
