using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tote.Devalue.Tests.Vectors;

/// <summary>
/// Deep equality of two natural value graphs (docs/devalue.md), as the vectors define it: same
/// types and values (NaN equals NaN, -0 differs from 0), same key and entry order, same holes, and
/// the same sharing of objects, checked with a bijection between the objects of both graphs.
/// </summary>
internal sealed class NaturalValueAssert
{
    // Object instance -> (its twin in the other graph, where it was first seen). Reference
    // equality on purpose: Uri and boxed DateTimeOffset override Equals, JavaScript objects do not.
    private readonly Dictionary<object, (object Twin, string Path)> _expectedToActual = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, (object Twin, string Path)> _actualToExpected = new(ReferenceEqualityComparer.Instance);

    private NaturalValueAssert()
    {
    }

    /// <summary>Fails with the path of the first difference.</summary>
    public static void Equal(object? expected, object? actual)
    {
        var failure = new NaturalValueAssert().Compare(expected, actual, "value");
        if (failure is not null)
        {
            Assert.Fail(failure);
        }
    }

    /// <summary>Describes the first difference, or <see langword="null"/> when the graphs are equal.</summary>
    public static string? Difference(object? expected, object? actual) => new NaturalValueAssert().Compare(expected, actual, "value");

    /// <summary>Whether a value is a JavaScript object, whose identity (sharing) matters.</summary>
    public static bool IsObject(object? value) => value is List<object?> or OrderedDictionary<string, object?>
        or DevalueMap or DevalueSet or DateTimeOffset or DevalueDate or DevalueRegExp or Uri
        or DevalueUrlSearchParams or DevalueBoxed or DevalueArrayBuffer or DevalueTypedArray;

    private string? Compare(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : Mismatch(path, expected, actual);
        }

        if (expected.GetType() != actual.GetType())
        {
            return Mismatch(path, expected, actual);
        }

        if (IsObject(expected))
        {
            if (_expectedToActual.TryGetValue(expected, out var seen))
            {
                return ReferenceEquals(seen.Twin, actual)
                    ? null
                    : $"At {path}: expected the same object as at {seen.Path}, but got a different {TypeName(actual)}.";
            }

            if (_actualToExpected.TryGetValue(actual, out var seenActual))
            {
                return $"At {path}: expected an object of its own, but got the same {TypeName(actual)} as at {seenActual.Path}.";
            }

            _expectedToActual.Add(expected, (actual, path));
            _actualToExpected.Add(actual, (expected, path));
        }

        return (expected, actual) switch
        {
            (double e, double a) => SameNumber(e, a) ? null : Mismatch(path, e, a),
            (bool e, bool a) => e == a ? null : Mismatch(path, e, a),
            (BigInteger e, BigInteger a) => e == a ? null : Mismatch(path, e, a),
            (string e, string a) => string.Equals(e, a, StringComparison.Ordinal) ? null : Mismatch(path, e, a),
            (DevalueUndefined, DevalueUndefined) or (DevalueHole, DevalueHole) => null,
            (DateTimeOffset e, DateTimeOffset a) => e.UtcTicks == a.UtcTicks && e.Offset == a.Offset ? null : Mismatch(path, e, a),
            (DevalueDate e, DevalueDate a) => SameNumber(e.EpochMilliseconds, a.EpochMilliseconds) ? null : Mismatch(path, e, a),
            (DevalueRegExp e, DevalueRegExp a) => e.Source == a.Source && e.Flags == a.Flags ? null : Mismatch(path, e, a),
            (Uri e, Uri a) => e.OriginalString == a.OriginalString ? null : Mismatch(path, e, a),
            (DevalueUrlSearchParams e, DevalueUrlSearchParams a) => e.Value == a.Value ? null : Mismatch(path, e, a),
            (DevalueBoxed e, DevalueBoxed a) => Compare(e.Value, a.Value, path + ".valueOf()"),
            (DevalueArrayBuffer e, DevalueArrayBuffer a) => e.Bytes.AsSpan().SequenceEqual(a.Bytes) ? null : Mismatch(path, e, a),
            (DevalueTypedArray e, DevalueTypedArray a) => CompareView(e, a, path),
            (List<object?> e, List<object?> a) => CompareList(e, a, path),
            (OrderedDictionary<string, object?> e, OrderedDictionary<string, object?> a) => CompareEntries(e, a, path),
            (DevalueMap e, DevalueMap a) => CompareMap(e, a, path),
            (DevalueSet e, DevalueSet a) => CompareSet(e, a, path),
            _ => $"At {path}: cannot compare values of type {TypeName(expected)}; it is not a natural devalue type.",
        };
    }

    private string? CompareView(DevalueTypedArray expected, DevalueTypedArray actual, string path)
    {
        if (expected.Kind != actual.Kind || expected.ByteOffset != actual.ByteOffset || expected.Length != actual.Length)
        {
            return Mismatch(path, expected, actual);
        }

        return Compare(expected.Buffer, actual.Buffer, path + ".buffer");
    }

    private string? CompareList(List<object?> expected, List<object?> actual, string path)
    {
        if (expected.Count != actual.Count)
        {
            return $"At {path}: expected an array of length {expected.Count}, but got length {actual.Count}.";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (Compare(expected[i], actual[i], $"{path}[{i}]") is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private string? CompareEntries(OrderedDictionary<string, object?> expected, OrderedDictionary<string, object?> actual, string path)
    {
        var expectedKeys = string.Join(", ", expected.Keys.Select(Quote));
        var actualKeys = string.Join(", ", actual.Keys.Select(Quote));
        if (expectedKeys != actualKeys)
        {
            return $"At {path}: expected the keys [{expectedKeys}] in this order, but got [{actualKeys}].";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var (key, value) = expected.GetAt(i);
            if (Compare(value, actual.GetAt(i).Value, path + PropertyPath(key)) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private string? CompareMap(DevalueMap expected, DevalueMap actual, string path)
    {
        if (expected.Count != actual.Count)
        {
            return $"At {path}: expected a Map of {expected.Count} entries, but got {actual.Count}.";
        }

        var index = 0;
        foreach (var (e, a) in expected.Zip(actual))
        {
            if (Compare(e.Key, a.Key, $"{path}.keys()[{index}]") is { } keyFailure)
            {
                return keyFailure;
            }

            if (Compare(e.Value, a.Value, $"{path}.get({(IsObject(e.Key) ? "…" : Describe(e.Key))})") is { } valueFailure)
            {
                return valueFailure;
            }

            index++;
        }

        return null;
    }

    private string? CompareSet(DevalueSet expected, DevalueSet actual, string path)
    {
        if (expected.Count != actual.Count)
        {
            return $"At {path}: expected a Set of {expected.Count} members, but got {actual.Count}.";
        }

        var index = 0;
        foreach (var (e, a) in expected.Zip(actual))
        {
            if (Compare(e, a, $"{path}.values()[{index}]") is { } failure)
            {
                return failure;
            }

            index++;
        }

        return null;
    }

    private static bool SameNumber(double expected, double actual)
        => (double.IsNaN(expected) && double.IsNaN(actual))
           || BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);

    private static string Mismatch(string path, object? expected, object? actual)
        => $"At {path}: expected {Describe(expected)}, but got {Describe(actual)}.";

    /// <summary>A short, unambiguous description of a value for failure messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        double d when d == 0 && double.IsNegative(d) => "-0 (double)",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + " (double)",
        bool b => b ? "true" : "false",
        BigInteger n => n.ToString(CultureInfo.InvariantCulture) + "n (BigInteger)",
        string s => Quote(s),
        DateTimeOffset d => $"DateTimeOffset {d.ToString("O", CultureInfo.InvariantCulture)}",
        DevalueDate d => $"DevalueDate({d.EpochMilliseconds.ToString("R", CultureInfo.InvariantCulture)})",
        Uri u => $"Uri {Quote(u.OriginalString)}",
        DevalueRegExp r => $"DevalueRegExp /{r.Source}/{r.Flags}",
        DevalueUrlSearchParams p => $"DevalueUrlSearchParams {Quote(p.Value)}",
        DevalueArrayBuffer b => $"DevalueArrayBuffer [{Convert.ToBase64String(b.Bytes)}]",
        DevalueTypedArray t => $"{t.Kind}(byteOffset {t.ByteOffset}, length {t.Length}) of {t.Buffer.Bytes.Length} bytes",
        List<object?> l => $"List of {l.Count}",
        DevalueNullPrototypeObject o => $"DevalueNullPrototypeObject of {o.Count}",
        OrderedDictionary<string, object?> o => $"OrderedDictionary of {o.Count}",
        DevalueMap m => $"DevalueMap of {m.Count}",
        DevalueSet s => $"DevalueSet of {s.Count}",
        _ => $"{TypeName(value)} {value}",
    };

    /// <summary>A C#-style string literal, with control characters and lone surrogates escaped.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (c == '"' || c == '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c < ' ' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u007f')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    private static string PropertyPath(string key)
        => key.Length > 0 && (char.IsLetter(key[0]) || key[0] is '_' or '$') && key.All(c => char.IsLetterOrDigit(c) || c is '_' or '$')
            ? "." + key
            : $"[{Quote(key)}]";

    private static string TypeName(object? value) => value?.GetType().Name ?? "null";
}
