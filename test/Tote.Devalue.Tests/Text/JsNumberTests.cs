using System.Globalization;
using CsCheck;

namespace Tote.Devalue.Tests.Text;

public sealed class JsNumberTests
{
    // Between 1e-4 and 1e15 .NET's shortest round-trip text is plain digits, as JavaScript's is,
    // so the two must agree there (below 1e-4 .NET switches to "E-05" while JavaScript stays
    // plain down to 1e-7); the vectors and the cases below cover the other forms.
    [Fact]
    public void Format_TwoDecimalValues_MatchesTheShortestRoundTripText() =>
        Gen.Long[-10_000_000_000_000L, 10_000_000_000_000L].Sample(cents =>
        {
            var value = cents / 100.0;
            if (value == 0 || Math.Abs(value) < 1e-4)
            {
                return;
            }

            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), JsNumber.ToString(value));
        });

    [Fact]
    public void Format_AnyDoubleInPlainRange_MatchesTheShortestRoundTripText() =>
        Gen.Double.Sample(value =>
        {
            var magnitude = Math.Abs(value);
            if (!double.IsFinite(value) || magnitude < 1e-4 || magnitude >= 1e15)
            {
                return;
            }

            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), JsNumber.ToString(value));
        });

    [Theory]
    [InlineData(19.99, "19.99")]
    [InlineData(0.07, "0.07")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(1.005, "1.005")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(0.0000897, "0.0000897")]
    [InlineData(123456789012345680000d, "123456789012345680000")]
    public void Format_WritesJavaScriptText(double value, string expected) =>
        Assert.Equal(expected, JsNumber.ToString(value));

    [Fact]
    public void Parse_AnyDoubleText_MatchesTheGeneralParser() =>
        Gen.Double.Sample(value =>
        {
            if (!double.IsFinite(value))
            {
                return;
            }

            var text = JsNumber.ToString(value);
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), JsNumber.Parse(text));
        });

    [Fact]
    public void Parse_ShortDecimals_MatchesTheGeneralParser() =>
        Gen.Select(Gen.Long[-999_999_999_999_999L, 999_999_999_999_999L], Gen.Int[0, 16]).Sample((digits, scale) =>
        {
            var text = digits.ToString(CultureInfo.InvariantCulture);
            var sign = text.StartsWith('-') ? "-" : string.Empty;
            var magnitude = text.TrimStart('-').PadLeft(scale + 1, '0');
            var json = sign + (scale == 0 ? magnitude : magnitude[..^scale] + "." + magnitude[^scale..]);

            Assert.Equal(double.Parse(json, CultureInfo.InvariantCulture), JsNumber.Parse(json));
        });

    [Theory]
    [InlineData("-0", true)]
    [InlineData("-0.0", true)]
    [InlineData("0.0", false)]
    public void Parse_Zero_KeepsItsSign(string json, bool negative) =>
        Assert.Equal(negative, double.IsNegative(JsNumber.Parse(json)));

    [Theory]
    [InlineData("0.1")]
    [InlineData("9007199254740993")]
    [InlineData("1234567890.1234567")]
    [InlineData("1e21")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("5e-324")]
    [InlineData("0.30000000000000004")]
    public void Parse_LongOrExponentText_MatchesTheGeneralParser(string json) =>
        Assert.Equal(double.Parse(json, CultureInfo.InvariantCulture), JsNumber.Parse(json));
}
