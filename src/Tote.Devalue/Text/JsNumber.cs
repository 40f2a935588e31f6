using System.Globalization;

namespace Tote.Devalue;

/// <summary>Formats doubles exactly as JavaScript's <c>Number.prototype.toString()</c> does, and reads JSON numbers.</summary>
internal static class JsNumber
{
    // Every power of ten up to 10^22 is a double exactly.
    private static readonly double[] ExactPowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Enough room for any finite double in JavaScript's notation.</summary>
    public const int MaxLength = 32;

    private const double MaxExactInteger = 9007199254740992d;

    /// <summary>The double nearest a JSON number's text (already validated as JSON), as <c>JSON.parse</c> reads it.</summary>
    public static double Parse(ReadOnlySpan<char> json)
    {
        // Short decimals such as prices: with at most 15 digits the digits make an integer a double
        // holds exactly, and one division by an exact power of ten rounds correctly (Clinger's fast
        // path), which is several times cheaper than the general parser.
        var negative = json.Length > 0 && json[0] == '-';
        var mantissa = 0L;
        var digits = 0;
        var fractionDigits = -1;
        for (var i = negative ? 1 : 0; i < json.Length; i++)
        {
            var c = json[i];
            if (char.IsAsciiDigit(c))
            {
                mantissa = (mantissa * 10) + (c - '0');
                digits++;
                if (fractionDigits >= 0)
                {
                    fractionDigits++;
                }
            }
            else if (c == '.' && fractionDigits < 0)
            {
                fractionDigits = 0;
            }
            else
            {
                digits = int.MaxValue;
                break;
            }

            if (digits > 15)
            {
                break;
            }
        }

        if (digits <= 15)
        {
            var value = mantissa / ExactPowersOfTen[Math.Max(fractionDigits, 0)];
            return negative ? -value : value;
        }

        return double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a finite, non-NaN value; returns the number of characters written.</summary>
    public static int Format(double value, Span<char> destination)
    {
        int written;
        if (Math.Abs(value) < MaxExactInteger && value == Math.Truncate(value))
        {
            // The common case: integers print the same in both runtimes.
            ((long)value).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            return written;
        }

        // Prices and other two-decimal values: when k/100 is exactly this double, "k/100" with
        // trailing zeros dropped is its shortest round-trip text, so no general formatting is needed.
        var cents = Math.Round(value * 100);
        if (Math.Abs(cents) < MaxExactInteger && cents / 100 == value)
        {
            return FormatCents((long)cents, destination);
        }

        // .NET's "R" yields the shortest digits that round-trip, as JavaScript's algorithm does;
        // only the layout (exponent thresholds, "e+" and padding) differs, so re-lay them out.
        Span<char> shortest = stackalloc char[MaxLength];
        value.TryFormat(shortest, out var length, "R", CultureInfo.InvariantCulture);
        shortest = shortest[..length];
        if (!shortest.Contains('E'))
        {
            // .NET writes plain digits for exponents between -5 and 14, where JavaScript does too.
            shortest.CopyTo(destination);
            return length;
        }

        Span<char> digits = stackalloc char[MaxLength];
        var digitCount = 0;
        var pointPosition = -1;
        var exponent = 0;
        var negative = shortest[0] == '-';
        for (var i = negative ? 1 : 0; i < shortest.Length; i++)
        {
            var c = shortest[i];
            if (c == '.')
            {
                pointPosition = digitCount;
            }
            else if (c is 'E' or 'e')
            {
                exponent = int.Parse(shortest[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                digits[digitCount++] = c;
            }
        }

        var integerDigits = pointPosition < 0 ? digitCount : pointPosition;
        var start = 0;
        while (start < digitCount - 1 && digits[start] == '0')
        {
            start++;
            integerDigits--;
        }

        var end = digitCount;
        while (end > start + 1 && digits[end - 1] == '0')
        {
            end--;
        }

        ReadOnlySpan<char> s = digits[start..end];
        var k = s.Length;
        var n = integerDigits + exponent;

        written = 0;
        if (negative)
        {
            destination[written++] = '-';
        }

        if (k <= n && n <= 21)
        {
            s.CopyTo(destination[written..]);
            written += k;
            destination.Slice(written, n - k).Fill('0');
            written += n - k;
        }
        else if (0 < n && n <= 21)
        {
            s[..n].CopyTo(destination[written..]);
            written += n;
            destination[written++] = '.';
            s[n..].CopyTo(destination[written..]);
            written += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            destination[written++] = '0';
            destination[written++] = '.';
            destination.Slice(written, -n).Fill('0');
            written += -n;
            s.CopyTo(destination[written..]);
            written += k;
        }
        else
        {
            destination[written++] = s[0];
            if (k > 1)
            {
                destination[written++] = '.';
                s[1..].CopyTo(destination[written..]);
                written += k - 1;
            }

            destination[written++] = 'e';
            var e = n - 1;
            destination[written++] = e < 0 ? '-' : '+';
            Math.Abs(e).TryFormat(destination[written..], out var expLength, default, CultureInfo.InvariantCulture);
            written += expLength;
        }

        return written;
    }

    private static int FormatCents(long cents, Span<char> destination)
    {
        var written = 0;
        if (cents < 0)
        {
            destination[written++] = '-';
            cents = -cents;
        }

        var whole = cents / 100;
        var fraction = (int)(cents % 100);
        whole.TryFormat(destination[written..], out var wholeLength, default, CultureInfo.InvariantCulture);
        written += wholeLength;
        destination[written++] = '.';
        destination[written++] = (char)('0' + (fraction / 10));
        if (fraction % 10 != 0)
        {
            destination[written++] = (char)('0' + (fraction % 10));
        }

        return written;
    }

    public static string ToString(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        Span<char> buffer = stackalloc char[MaxLength];
        return new string(buffer[..Format(value, buffer)]);
    }
}
