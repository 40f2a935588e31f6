using System.Globalization;
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

    /// <summary><c>[[1],[2],...,[]]</c>: arrays nested <paramref name="depth"/> levels below the root.</summary>
    private static string NestedChain(int depth)
        => "[" + string.Concat(Enumerable.Range(1, depth).Select(i => $"[{i}],")) + "[]]";
}
