using System.Numerics;
using System.Text;
using CsCheck;

namespace Tote.Devalue.Tests.Text;

public sealed class JsBigIntTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("  12  ", 2)]
    [InlineData("-007", 3)]
    [InlineData("+5", 1)]
    [InlineData("0x1F", 2)]
    [InlineData("0XfF", 2)]
    [InlineData("0o17", 2)]
    [InlineData("0b101", 3)]
    public void TryCheck_TextBigIntAccepts_IsTrueWithItsDigitCount(string text, int digits)
    {
        Assert.True(JsBigInt.TryCheck(text, out var counted));
        Assert.Equal(digits, counted);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("1n")]
    [InlineData("1_000")]
    [InlineData("1.5")]
    [InlineData("0x")]
    [InlineData("-0x1")]
    [InlineData("0o8")]
    [InlineData("0b2")]
    [InlineData("0xg")]
    [InlineData("1 2")]
    public void TryCheck_TextBigIntRefuses_IsFalse(string text)
    {
        Assert.False(JsBigInt.TryCheck(text, out _));
    }

    [Theory]
    [InlineData("", "0")]
    [InlineData(" -0042 ", "-42")]
    [InlineData("0xff", "255")]
    [InlineData("0o777", "511")]
    [InlineData("0b1000000000000000000000000000000000000000000000000000000000000001", "9223372036854775809")]
    [InlineData("0x0000000000000000000000000000000001", "1")]
    public void Parse_CheckedText_IsItsValue(string text, string expected)
    {
        Assert.Equal(BigInteger.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), JsBigInt.Parse(text));
    }

    [Fact]
    public void Parse_AnyValueInBinaryOctalOrHex_IsThatValue()
    {
        Gen.Select(Gen.Byte.Array[0, 40], Gen.OneOf(2, 8, 16)).Sample((bytes, radix) =>
        {
            var value = new BigInteger(bytes, isUnsigned: true);
            var prefix = radix switch { 2 => "0b", 8 => "0o", _ => "0x" };

            Assert.Equal(value, JsBigInt.Parse(prefix + InRadix(value, radix)));
        });
    }

    private static string InRadix(BigInteger value, int radix)
    {
        if (value.IsZero)
        {
            return "0";
        }

        var digits = new StringBuilder();
        while (!value.IsZero)
        {
            digits.Insert(0, "0123456789abcdef"[(int)(value % radix)]);
            value /= radix;
        }

        return digits.ToString();
    }
}
