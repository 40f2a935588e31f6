using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <summary>
/// JavaScript's SameValueZero, the equality <c>Map</c> and <c>Set</c> use: strings, numbers,
/// booleans and big integers by value (NaN equals NaN, -0 equals 0), objects by identity.
/// </summary>
internal sealed class SameValueZeroComparer : IEqualityComparer<object?>
{
    public static SameValueZeroComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        return (x, y) switch
        {
            (null, _) or (_, null) => false,
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b)),
            (bool a, bool b) => a == b,
            (BigInteger a, BigInteger b) => a == b,
            // Other .NET primitives (int, long, …) stand for JavaScript numbers; everything else,
            // boxed DateTimeOffset included (it stands for a Date object), compares by identity.
            _ => x.GetType().IsPrimitive && x.Equals(y),
        };
    }

    public int GetHashCode(object? obj) => obj switch
    {
        null => 0,
        string s => string.GetHashCode(s, StringComparison.Ordinal),
        // HashCode is seeded per process, so crafted inputs cannot force collisions.
        double d => double.IsNaN(d) ? HashCode.Combine(double.NaN) : HashCode.Combine(d == 0 ? 0d : d),
        _ when obj.GetType().IsPrimitive => HashCode.Combine(obj),
        _ => RuntimeHelpers.GetHashCode(obj),
    };

    /// <summary>JavaScript stores a <c>-0</c> key or member as <c>+0</c>.</summary>
    public static object? Normalize(object? value) => value is double d && d == 0 ? 0d : value;
}
