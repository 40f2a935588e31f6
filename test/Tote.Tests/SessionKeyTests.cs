namespace Tote.Tests;

public sealed class SessionKeyTests
{
    [Fact]
    public void Constructor_EmptyName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SessionKey<int>(""));
    }

    [Fact]
    public void Name_IsTheStoredKey()
    {
        Assert.Equal("cart", new SessionKey<List<string>>("cart").Name);
    }
}
