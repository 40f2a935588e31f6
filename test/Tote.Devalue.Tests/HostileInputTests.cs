using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tote.Devalue.Tests;

/// <summary>
/// Input built to exhaust the stack, memory or time of the codec is rejected with a
/// <see cref="DevalueException"/> that names the option to raise.
/// </summary>
public sealed class HostileInputTests
{
    [Fact]
    public void Deserialize_ChainOf100000NestedArrays_ThrowsNamingMaxDepth()
    {
        // [[1],[2],[3],...,[99999],[]]: each entry holds the next, 100,000 levels deep, in flat JSON.
        var text = "[" + string.Join(",", Enumerable.Range(1, 99_999).Select(i => $"[{i}]")) + ",[]]";

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));

        Assert.Contains(nameof(DevalueOptions.MaxDepth), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_100000NestedJsonArrays_ThrowsDevalueException()
    {
        var text = new string('[', 100_000) + new string(']', 100_000);

        // Whether this fails as too deep or as not devalue at all is the reader's choice; it must
        // fail cleanly instead of overflowing the stack.
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));
    }

    [Fact]
    public void Deserialize_DeeperThanMaxDepth_ThrowsNamingMaxDepth()
    {
        var options = new DevalueOptions { MaxDepth = 5 };

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(NestedChain(10), options));

        Assert.Contains(nameof(DevalueOptions.MaxDepth), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_ShallowerThanMaxDepth_Succeeds()
    {
        var options = new DevalueOptions { MaxDepth = 5 };

        var value = DevalueSerializer.Deserialize(NestedChain(2), options);

        Assert.IsType<List<object?>>(value);
    }

    [Fact]
    public void Deserialize_MillionEntriesOverMaxEntries1000_ThrowsNamingMaxEntries()
    {
        var text = "[" + string.Join(",", Enumerable.Repeat("0", 1_000_000)) + "]";
        var options = new DevalueOptions { MaxEntries = 1000 };

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text, options));

        Assert.Contains(nameof(DevalueOptions.MaxEntries), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_HugeDeclaredSparseLength_ThrowsNamingMaxArrayLengthWithoutAllocatingIt()
    {
        // 4294967295 is the longest array JavaScript allows: valid devalue, but over MaxArrayLength.
        const string text = "[[-7,4294967295]]";
        DevalueSerializer.Deserialize("[[-7,2]]");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(nameof(DevalueOptions.MaxArrayLength), exception.Message, StringComparison.Ordinal);
        Assert.True(allocated < 10_000_000, $"Rejecting the text allocated {allocated:N0} bytes.");
    }

    [Fact]
    public void Deserialize_SparseArraysTogetherOverMaxArrayLength_ThrowsNamingMaxArrayLength()
    {
        // Each array alone fits the default limit of 1,000,000 elements; together they do not.
        const string text = "[[1,2],[-7,600000],[-7,600000]]";

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));

        Assert.Contains(nameof(DevalueOptions.MaxArrayLength), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_DenseArraysTogetherOverMaxArrayLength_ThrowsNamingMaxArrayLength()
    {
        var options = new DevalueOptions { MaxArrayLength = 1000 };
        var array = "[" + string.Join(",", Enumerable.Repeat("3", 600)) + "]";
        var text = $"[[1,2],{array},{array},0]";

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text, options));

        Assert.Contains(nameof(DevalueOptions.MaxArrayLength), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_100000DeepChainOfLists_ThrowsNamingMaxDepth()
    {
        var root = new List<object?>();
        var current = root;
        for (var i = 0; i < 100_000; i++)
        {
            var next = new List<object?>();
            current.Add(next);
            current = next;
        }

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(root));

        Assert.Contains(nameof(DevalueOptions.MaxDepth), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_SetOf50000DistinctNumbers_ReadsEveryMember()
    {
        // Members are hashed on the way in: a quadratic membership check would take minutes here.
        const int count = 50_000;
        var text = new StringBuilder("[[\"Set\"");
        for (var i = 1; i <= count; i++)
        {
            text.Append(',').Append(i.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(']');
        for (var i = 0; i < count; i++)
        {
            text.Append(',').Append(i.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(']');

        var set = Assert.IsType<DevalueSet>(DevalueSerializer.Deserialize(text.ToString()));

        Assert.Equal(count, set.Count);
    }

    [Fact]
    public void Deserialize_BigIntOverMaxBigIntDigits_ThrowsNamingMaxBigIntDigits()
    {
        var text = BigIntText(new string('9', 10_001));

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize(text));

        Assert.Contains(nameof(DevalueOptions.MaxBigIntDigits), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_BigIntOfExactlyMaxBigIntDigits_ReadsIt()
    {
        var digits = new string('9', 10_000);

        var value = DevalueSerializer.Deserialize(BigIntText(digits));

        Assert.Equal(BigInteger.Parse(digits, CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public void DeserializeTyped_HexBigIntOverALoweredLimit_ThrowsNamingMaxBigIntDigits()
    {
        var options = new DevalueOptions { MaxBigIntDigits = 16 };

        var exception = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<BigInteger>(BigIntText("0x" + new string('f', 17)), options));

        Assert.Contains(nameof(DevalueOptions.MaxBigIntDigits), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatingADocument_WithABigIntOverMaxBigIntDigits_ThrowsNamingMaxBigIntDigits()
    {
        // A stored record is checked in full at load: a BigInt no read could convert is refused there.
        var document = DevalueDocument.Parse($"[[\"Map\",1,2],\"k\",{{\"data\":3,\"expires\":-1}},[\"BigInt\",\"{new string('1', 10_001)}\"]]");

        var exception = Assert.Throws<DevalueException>(document.Validate);

        Assert.Contains(nameof(DevalueOptions.MaxBigIntDigits), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatingADocument_WithAMillionDigitBigInt_TakesAboutAsLongAsAStringOfThatLength()
    {
        // With the limit lifted, checking must still not convert: converting a million decimal
        // digits takes hundreds of milliseconds, scanning them about one.
        var options = new DevalueOptions { MaxBigIntDigits = int.MaxValue };
        var digits = new string('7', 1_000_000);
        var bigInt = BigIntText(digits);
        var plainString = $"[\"{digits}\"]";
        Validate(bigInt);
        Validate(plainString);

        var bigIntTime = Fastest(() => Validate(bigInt));
        var stringTime = Fastest(() => Validate(plainString));

        Assert.True(
            bigIntTime.TotalMilliseconds <= 25 * Math.Max(stringTime.TotalMilliseconds, 1),
            $"Validating the BigInt took {bigIntTime.TotalMilliseconds:N1} ms, the string {stringTime.TotalMilliseconds:N1} ms.");

        void Validate(string text)
        {
            var document = DevalueDocument.Parse(text, options);
            document.Validate();
            document.Release();
        }
    }

    [Fact]
    public void DeserializeTyped_MillionHexDigitsUnderALiftedLimit_ReadsTheValue()
    {
        // 0x followed by a million f's is 2^4000000 - 1: packing the bits is linear, where
        // multiplying by 16 per digit would take minutes.
        var options = new DevalueOptions { MaxBigIntDigits = int.MaxValue };

        var value = DevalueSerializer.Deserialize<BigInteger>(BigIntText("0x" + new string('f', 1_000_000)), options);

        Assert.Equal((BigInteger.One << 4_000_000) - 1, value);
    }

    // Found by HostileInputFuzzTests: both threw ArgumentException types instead of DevalueException.
    [Fact]
    public void DeserializeDictionary_NullPrototypeObjectWithANumberKey_ThrowsDevalueException()
    {
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<Dictionary<string, object?>>("""[["null",9,9,1]]"""));
    }

    [Fact]
    public void DeserializeDictionary_MapWithAnUndefinedKey_ThrowsDevalueException()
    {
        Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<Dictionary<string, int>>("""[["Map",-1,1],1]"""));
    }

    private static string BigIntText(string digits) => $"[[\"BigInt\",\"{digits}\"]]";

    private static TimeSpan Fastest(Action action)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            fastest = elapsed < fastest ? elapsed : fastest;
        }

        return fastest;
    }

    /// <summary><c>[[1],[2],...,[]]</c>: arrays nested <paramref name="depth"/> levels below the root.</summary>
    private static string NestedChain(int depth)
        => "[" + string.Concat(Enumerable.Range(1, depth).Select(i => $"[{i}],")) + "[]]";
}
