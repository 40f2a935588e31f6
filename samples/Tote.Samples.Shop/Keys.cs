namespace Tote.Samples.Shop;

/// <summary>The shop's session data, typed: the C# form of Astro's <c>App.SessionData</c>.</summary>
public static class Keys
{
    public static readonly SessionKey<List<string>> Cart = new("cart");
    public static readonly SessionKey<User> User = new("user");
    public static readonly SessionKey<DateTimeOffset> LastVisit = new("lastVisit");
}
