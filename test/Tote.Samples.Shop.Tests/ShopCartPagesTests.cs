using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// One cart, every kind of ASP.NET Core page: the Razor Page (<c>/</c>), the MVC view
/// (<c>/mvc/cart</c>), the Blazor static-SSR page (<c>/blazor/cart</c>) and the JSON API each read
/// and change the same <see cref="Keys.Cart"/> of the same session.
/// </summary>
public sealed partial class ShopCartPagesTests : IAsyncDisposable
{
    private const string Mvc = "/mvc/cart";
    private const string Blazor = "/blazor/cart";

    private readonly ShopFactory _shop = new();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Theory]
    [InlineData(Mvc)]
    [InlineData(Blazor)]
    public async Task Page_WithoutSession_ShowsAnEmptyCartAndSetsNoSessionCookie(string page)
    {
        using var client = _shop.CreateShopClient();

        var html = await client.GetPageAsync(page);

        Assert.Contains("🛒 0 items", html, StringComparison.Ordinal);
        Assert.Contains("Your cart is empty.", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.Null(client.SessionId);
        Assert.Empty(Directory.GetFiles(_shop.SessionsPath));
    }

    [Fact]
    public async Task IndexPage_LinksToTheMvcAndBlazorCarts()
    {
        using var client = _shop.CreateShopClient();

        var html = await client.GetPageAsync();

        Assert.Contains("href=\"/mvc/cart\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/blazor/cart\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MvcAdd_Answers303ToTheMvcCart_AndTheApiAndTheRazorPageSeeTheItem()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitOnAsync(Mvc, "/mvc/cart/add", ("productId", "fig"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(Mvc, response.Headers.Location?.OriginalString);
        Assert.NotNull(client.SessionId);
        Assert.Equal("""["fig"]""", await client.Http.GetStringAsync("/api/cart"));
        Assert.Contains("🛒 1 items", await client.GetPageAsync(), StringComparison.Ordinal);
        Assert.Equal(["fig"], CartItems(await client.GetPageAsync(Mvc)));
    }

    [Fact]
    public async Task BlazorAdd_Answers303ToTheBlazorCart_AndMvcAndTheApiSeeTheItem()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitOnAsync(Blazor, Blazor, ("_handler", "cart-add"), ("ProductId", "pear"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(Blazor, response.Headers.Location?.OriginalString);
        Assert.DoesNotContain("cart-count", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["pear"], CartItems(await client.GetPageAsync(Mvc)));
        Assert.Equal("""["pear"]""", await client.Http.GetStringAsync("/api/cart"));
        Assert.Equal(["pear"], CartItems(await client.GetPageAsync(Blazor)));
    }

    [Fact]
    public async Task AddsFromEveryPage_LandInOneCart_InOrder()
    {
        using var client = _shop.CreateShopClient();

        await client.SubmitAsync("/cart/add", ("productId", "apple"));
        using (await client.Http.PostAsJsonAsync("/api/cart", new { item = "pear" }))
        {
        }

        await client.SubmitOnAsync(Mvc, "/mvc/cart/add", ("productId", "fig"));
        await client.SubmitOnAsync(Blazor, Blazor, ("_handler", "cart-add"), ("ProductId", "apple"));

        string[] expected = ["apple", "pear", "fig", "apple"];
        Assert.Equal(expected, CartItems(await client.GetPageAsync(Blazor)));
        Assert.Equal(expected, CartItems(await client.GetPageAsync(Mvc)));
        Assert.Equal(expected, CartItems(await client.GetPageAsync()));
        Assert.Equal("""["apple","pear","fig","apple"]""", await client.Http.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task MvcAdd_WithoutAntiforgeryToken_Is400AndChangesNothing()
    {
        using var client = _shop.CreateShopClient();
        await client.GetPageAsync(Mvc);

        using var response = await client.PostFormAsync("/mvc/cart/add", ("productId", "fig"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("[]", await client.Http.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task BlazorAdd_WithoutAntiforgeryToken_Is400AndChangesNothing()
    {
        using var client = _shop.CreateShopClient();
        await client.GetPageAsync(Blazor);

        using var response = await client.PostFormAsync(Blazor, ("_handler", "cart-add"), ("ProductId", "fig"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("[]", await client.Http.GetStringAsync("/api/cart"));
    }

    [Theory]
    [InlineData("", "Product ID is required")]
    [InlineData("x65", "Product ID must be at most 64 characters")]
    public async Task MvcAdd_Invalid_Is400WithTheMessage(string productId, string message)
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitOnAsync(Mvc, "/mvc/cart/add", ("productId", productId == "x65" ? new string('x', 65) : productId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("", "Product ID is required")]
    [InlineData("x65", "Product ID must be at most 64 characters")]
    public async Task BlazorAdd_Invalid_Is400AndThePageShowsTheMessage(string productId, string message)
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitOnAsync(Blazor, Blazor, ("_handler", "cart-add"), ("ProductId", productId == "x65" ? new string('x', 65) : productId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"<p id=\"error\">{message}</p>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("[]", await client.Http.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task MvcView_ShowsTheLastVisitItReadsFromTheSessionItself()
    {
        using var client = _shop.CreateShopClient();
        using (await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" }))
        {
        }

        var html = await client.GetPageAsync(Mvc);

        Assert.Matches(@"Last visit: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z", html);
    }

    /// <summary>The items of the cart list a page renders, in order.</summary>
    private static string[] CartItems(string html)
    {
        var list = CartList().Match(html);
        return list.Success ? [.. ListItem().Matches(list.Groups[1].Value).Select(m => m.Groups[1].Value)] : [];
    }

    [GeneratedRegex("<ul id=\"cart-items\">(.*?)</ul>", RegexOptions.Singleline)]
    private static partial Regex CartList();

    [GeneratedRegex("<li>([^<]*)</li>")]
    private static partial Regex ListItem();
}
