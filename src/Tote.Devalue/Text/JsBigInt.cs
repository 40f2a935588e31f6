using System.Globalization;
using System.Numerics;

namespace Tote.Devalue;

/// <summary>
/// JavaScript's <c>BigInt(string)</c>: trims whitespace, accepts a sign for decimals and 0x/0o/0b
/// prefixes. Checking is separate from converting, because checking is one linear pass while
/// converting decimal digits to binary is not: a reader checks every BigInt it meets, and
/// converts only one it is asked for, after bounding its digits.
/// </summary>
internal static class JsBigInt
{
    /// <summary>
    /// Whether <c>BigInt(text)</c> would accept <paramref name="text"/>; <paramref name="digits"/>
    /// is how many digits it has in the base it is written in. Never converts.
    /// </summary>
    public static bool TryCheck(ReadOnlySpan<char> text, out int digits)
    {
        var span = text.Trim();
        if (TryGetRadix(span, out var radix))
        {
            var body = span[2..];
            digits = body.Length;
            foreach (var c in body)
            {
                if (DigitValue(c) >= radix)
                {
                    return false;
                }
            }

            return true;
        }

        var decimals = span.Length > 0 && span[0] is '+' or '-' ? span[1..] : span;
        digits = decimals.Length;

        // An empty text is 0n, but a lone sign is refused.
        return (decimals.Length > 0 || span.IsEmpty) && !decimals.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>The value of text <see cref="TryCheck"/> accepted.</summary>
    public static BigInteger Parse(ReadOnlySpan<char> text)
    {
        var span = text.Trim();
        if (span.IsEmpty)
        {
            return BigInteger.Zero;
        }

        if (TryGetRadix(span, out var radix))
        {
            return ParsePowerOfTwoRadix(span[2..], radix switch { 16 => 4, 8 => 3, _ => 1 });
        }

        return BigInteger.Parse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    private static bool TryGetRadix(ReadOnlySpan<char> span, out int radix)
    {
        radix = span.Length > 2 && span[0] == '0'
            ? char.ToLowerInvariant(span[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 }
            : 0;
        return radix != 0;
    }

    private static int DigitValue(char c) =>
        char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;

    /// <summary>
    /// Packs the bits of each digit straight into bytes, from the last digit up: linear in the
    /// digits, where multiplying an ever larger value by the radix for each digit is quadratic.
    /// </summary>
    private static BigInteger ParsePowerOfTwoRadix(ReadOnlySpan<char> digits, int bitsPerDigit)
    {
        var bytes = new byte[(((long)digits.Length * bitsPerDigit) + 7) / 8];
        var accumulator = 0u;
        var bits = 0;
        var written = 0;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            accumulator |= (uint)DigitValue(digits[i]) << bits;
            bits += bitsPerDigit;
            while (bits >= 8)
            {
                bytes[written++] = (byte)accumulator;
                accumulator >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            bytes[written] = (byte)accumulator;
        }

        return new BigInteger(bytes, isUnsigned: true);
    }
}
