using System.Text;
using CsCheck;

namespace Tote.Devalue.Tests.Reading;

/// <summary>Strings and numbers through the tokenizer's fast paths, at every length and position around them.</summary>
public sealed class JsonTokenizerTests
{
    private static string ReadString(string json) => Assert.IsType<string>(DevalueSerializer.Deserialize("[" + json + "]"));

    public static TheoryData<int> Lengths() => [.. Enumerable.Range(0, 40)];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PlainString_OfAnyLength_ReadsBack(int length)
    {
        var text = new string('a', length);

        Assert.Equal(text, ReadString("\"" + text + "\""));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EscapedQuote_AtAnyPosition_ReadsBack(int position)
    {
        var text = new string('a', position) + "\"" + new string('b', 39 - position);

        Assert.Equal(text, ReadString("\"" + new string('a', position) + "\\\"" + new string('b', 39 - position) + "\""));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RawControlCharacter_AtAnyPosition_IsRejected(int position)
    {
        var json = "[\"" + new string('a', position) + "\u0001" + new string('b', 39 - position) + "\"]";

        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(json));

        Assert.Contains($"unexpected token '\u0001' at position {position + 2}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void UnterminatedString_OfAnyLength_IsRejected(int length) =>
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize("[\"" + new string('a', length)));

    [Fact]
    public void LoneSurrogates_WrittenRawOrEscaped_ReadBack()
    {
        Assert.Equal("x\uD800y\uDC00z", ReadString("\"x\uD800y\uDC00z\""));
        Assert.Equal("x\uD800y\uDC00z", ReadString("\"x\\ud800y\\uDC00z\""));
    }

    [Fact]
    public void VeryLongString_WithAnEscapeAtTheEnd_ReadsBack()
    {
        var text = new string('é', 100_000) + "\n";

        Assert.Equal(text, ReadString("\"" + new string('é', 100_000) + "\\n\""));
    }

    [Fact]
    public void AnyString_RoundTrips() =>
        Gen.String.Sample(text =>
        {
            var json = DevalueSerializer.Serialize(text);
            Assert.Equal(text, DevalueSerializer.Deserialize<string>(json));
        });

    [Fact]
    public void Tokenize_IntoEmptyTables_GrowsThemAndNotesEachEntry()
    {
        JsonToken[] tokens = [];
        int[] containers = [];
        int[] entries = [];

        var count = JsonTokenizer.Tokenize("[1,{\"a\":[2]},\"x\"]", ref tokens, ref containers, ref entries, maxDepth: 64);

        Assert.Equal(7, count);
        Assert.Equal([1, 2, 6], entries[..3]);
        Assert.Equal(6, tokens[2].Next);
    }

    [Theory]
    [InlineData("123456789", 123456789L)]
    [InlineData("1234567890", 1234567890L)]
    [InlineData("-123456789", -123456789L)]
    [InlineData("9007199254740991", 9007199254740991L)]
    [InlineData("0", 0L)]
    public void Integers_AroundTheSmallIntegerLimit_ReadExactly(string json, long expected) =>
        Assert.Equal(expected, DevalueSerializer.Deserialize<long>("[" + json + "]"));

    [Theory]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[1e]")]
    [InlineData("[-]")]
    [InlineData("[1,]")]
    [InlineData("[{\"a\":1,}]")]
    public void MalformedNumbersAndSeparators_AreRejected(string json) =>
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(json));

    [Fact]
    public void Whitespace_BetweenTokens_IsAccepted()
    {
        var compact = DevalueSerializer.Serialize(new Dictionary<string, object?> { ["a"] = 1, ["b"] = new List<object?> { "x" } });
        var spaced = new StringBuilder();
        foreach (var c in compact)
        {
            spaced.Append(c is '[' or ']' or '{' or '}' or ',' or ':' ? " \t\n" + c + "\r\n " : c.ToString());
        }

        Assert.Equal(compact, DevalueSerializer.Serialize(DevalueSerializer.Deserialize(spaced.ToString())));
    }
}
