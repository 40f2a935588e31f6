namespace Tote.Devalue.Tests;

public sealed class DevalueOptionsTests
{
    [Fact]
    public void Default_IsReadOnly()
    {
        Assert.True(DevalueOptions.Default.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => DevalueOptions.Default.MaxDepth = 10);
    }

    [Fact]
    public void NewOptions_HaveSafeLimits()
    {
        var options = new DevalueOptions();

        Assert.Equal(64, options.MaxDepth);
        Assert.Equal(1_000_000, options.MaxEntries);
        Assert.Equal(1_000_000, options.MaxArrayLength);
        Assert.Equal(DevalueUrlForm.Astro, options.UrlForm);
    }

    [Fact]
    public void Limits_RejectZeroAndNegative()
    {
        var options = new DevalueOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxDepth = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxEntries = -1);
    }
}
