using System.Globalization;
using System.Numerics;

namespace Tote.Devalue;

/// <summary>JavaScript's <c>BigInt(string)</c>: trims whitespace, accepts a sign for decimals and 0x/0o/0b prefixes.</summary>
internal static class JsBigInt
{
    public static bool TryParse(string text, out BigInteger value)
    {
        var span = text.AsSpan().Trim();
        value = BigInteger.Zero;
        if (span.IsEmpty)
        {
            return true;
        }

        if (span.Length > 2 && span[0] == '0' && char.ToLowerInvariant(span[1]) is 'x' or 'o' or 'b')
        {
            var radix = char.ToLowerInvariant(span[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            foreach (var c in span[2..])
            {
                var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
                if (digit >= radix)
                {
                    return false;
                }

                value = (value * radix) + digit;
            }

            return true;
        }

        var digits = span[0] is '+' or '-' ? span[1..] : span;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        value = BigInteger.Parse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return true;
    }
}
