using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>Every route of the sample's fixed HTTP surface, with its status codes and bodies.</summary>
public sealed class ShopRoutesTests : IAsyncDisposable
{
    private readonly ShopFactory _shop = new();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task Page_WithoutSession_ShowsAnEmptyCartAndTheFormsAndSetsNoSessionCookie()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("🛒 0 items", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/cart/add\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/login\"", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task ApiCart_Get_WithoutSession_IsAnEmptyArray()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/cart"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task ApiCart_Post_AppendsAndAnswersTheCart()
    {
        using var client = _shop.CreateShopClient();

        using var first = await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });
        var id = SetCookie.All(first).Single(c => c.Name == "tote-session").Value;
        using var second = await client.Http.PostAsJsonAsync("/api/cart", new { item = "pear" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("""["apple"]""", await first.Content.ReadAsStringAsync());
        Assert.Equal("""["apple","pear"]""", await second.Content.ReadAsStringAsync());
        Assert.Equal("""["apple","pear"]""", await client.Http.GetStringAsync("/api/cart"));
        Assert.True(File.Exists(Path.Combine(_shop.SessionsPath, id + ".session")));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"item":""}""")]
    [InlineData("""{"item":null}""")]
    [InlineData("")]
    public async Task ApiCart_Post_WithoutItem_Is400ItemIsRequired(string body)
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.Http.PostAsync("/api/cart", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Item is required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApiCart_ConcurrentPosts_KeepEveryItem()
    {
        using var client = _shop.CreateShopClient();
        using var first = await client.Http.PostAsJsonAsync("/api/cart", new { item = "first" });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await client.Http.PostAsJsonAsync("/api/cart", new { item = $"item-{i}" });
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(51, (await client.Http.GetFromJsonAsync<List<string>>("/api/cart"))!.Count);
    }

    [Fact]
    public async Task CartAdd_RedirectsWith303AndThePageCountsTheItems()
    {
        using var client = _shop.CreateShopClient();

        using var first = await client.SubmitAsync("/cart/add", ("productId", "apple"));
        using var second = await client.SubmitAsync("/cart/add", ("productId", "fig"));

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal("/", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.SeeOther, second.StatusCode);
        Assert.Contains("🛒 2 items", await client.GetPageAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Product ID is required")]
    [InlineData("x65", "Product ID must be at most 64 characters")]
    public async Task CartAdd_Invalid_Is400WithTheMessage(string productId, string message)
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitAsync("/cart/add", ("productId", productId == "x65" ? new string('x', 65) : productId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CartAdd_MissingField_Is400()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitAsync("/cart/add");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Product ID is required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CartAdd_At64Characters_IsAccepted()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitAsync("/cart/add", ("productId", new string('x', 64)));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
    }

    [Theory]
    [InlineData("/cart/add")]
    [InlineData("/login")]
    [InlineData("/logout")]
    public async Task Forms_WithoutAntiforgeryToken_AreRejected(string action)
    {
        using var client = _shop.CreateShopClient();
        await client.GetPageAsync();

        using var response = await client.PostFormAsync(action, ("productId", "apple"), ("name", "Ada"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("🛒 0 items", await client.GetPageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_RegeneratesTheSessionKeepsTheCartAndShowsTheName()
    {
        using var client = _shop.CreateShopClient();
        await client.SubmitAsync("/cart/add", ("productId", "apple"));
        var before = client.SessionId;

        using var response = await client.SubmitAsync("/login", ("name", "Ada Lovelace"));
        var html = await client.GetPageAsync();

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.NotNull(client.SessionId);
        Assert.NotEqual(before, client.SessionId);
        Assert.Contains("Ada Lovelace", html, StringComparison.Ordinal);
        Assert.Contains("🛒 1 items", html, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_shop.SessionsPath, before + ".session")));
    }

    [Fact]
    public async Task Login_StoresTheUserWithIdAndName()
    {
        using var client = _shop.CreateShopClient();

        await client.SubmitAsync("/login", ("name", " Ada "));
        var stored = await File.ReadAllTextAsync(Path.Combine(_shop.SessionsPath, client.SessionId + ".session"));

        // The ID is the user the session is signed in as (trimmed, lower-cased); the name as typed, trimmed.
        Assert.Matches("\"user\",\\{\"data\":\\d+,\"expires\":-1\\},\\{\"id\":\\d+,\"name\":\\d+\\},\"ada\",\"Ada\"", stored);
    }

    [Fact]
    public async Task Login_WithoutName_Is400()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitAsync("/login", ("name", ""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Name is required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logout_DestroysTheSessionAndClearsTheCookie()
    {
        using var client = _shop.CreateShopClient();
        await client.SubmitAsync("/cart/add", ("productId", "apple"));
        await client.SubmitAsync("/login", ("name", "Ada"));
        var id = client.SessionId;

        using var response = await client.SubmitAsync("/logout");
        var html = await client.GetPageAsync();

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.True(SetCookie.All(response).Single(c => c.Name == "tote-session").Expired);
        Assert.Contains("🛒 0 items", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Ada", html, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_shop.SessionsPath, id + ".session")));
    }

    [Fact]
    public async Task LastVisit_IsRecordedOnRequestsThatAlreadyHaveASession()
    {
        var clock = TestClock.Create();
        await using var shop = new ShopFactory { Clock = clock };
        using var client = shop.CreateShopClient();
        await client.GetPageAsync();
        Assert.Empty(Directory.GetFiles(shop.SessionsPath));

        using var created = await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });
        clock.Advance(TimeSpan.FromMinutes(5));
        using var read = await client.Http.GetAsync("/api/cart");

        var id = SetCookie.All(created).Single(c => c.Name == "tote-session").Value;
        var record = await shop.Services.GetRequiredService<ISessionStore>().LoadAsync(id);
        Assert.Contains("\"lastVisit\"", record!.Data, StringComparison.Ordinal);
        Assert.Contains("[\"Date\",\"2026-01-01T12:05:00.000Z\"]", record.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiCart_Post_ItemOverTheSizeLimit_Is413WithTheMessageAndKeepsTheCart()
    {
        await using var shop = new ShopFactory();
        shop.Settings["Tote:MaxSessionSize"] = "400";
        using var client = shop.CreateShopClient();
        using var first = await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });

        using var response = await client.Http.PostAsJsonAsync("/api/cart", new { item = new string('x', 500) });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var message = await response.Content.ReadAsStringAsync();
        Assert.Contains("session key 'cart'", message, StringComparison.Ordinal);
        Assert.Contains("over the limit of 400", message, StringComparison.Ordinal);
        Assert.Equal("""["apple"]""", await client.Http.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task CartAdd_OverTheSizeLimit_Is413AndKeepsTheCart()
    {
        await using var shop = new ShopFactory();
        shop.Settings["Tote:MaxSessionSize"] = "400";
        using var client = shop.CreateShopClient();
        var statuses = new List<HttpStatusCode>();

        // Product IDs of the longest allowed length fill a 400-character session within a few adds.
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.SubmitAsync("/cart/add", ("productId", new string((char)('a' + i), Products.MaxIdLength)));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            {
                Assert.Contains("MaxSessionSize", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                break;
            }
        }

        var added = statuses.Count(s => s == HttpStatusCode.SeeOther);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, statuses[^1]);
        Assert.True(added >= 2, $"Only {added} item(s) fitted before the limit; the test needs a few.");
        Assert.Equal(added, statuses.Count - 1);
        Assert.Contains($"🛒 {added} items", await client.GetPageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CookieName_ComesFromConfiguration()
    {
        await using var shop = new ShopFactory();
        shop.Settings["Tote:Cookie:Name"] = "shop-sid";
        using var client = shop.CreateShopClient();

        using var response = await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });

        var cookie = Assert.Single(SetCookie.All(response), c => c.Name == "shop-sid");
        Assert.True(cookie.Attributes.HttpOnly);
        Assert.Equal("/", cookie.Attributes.Path.Value);
    }

    [Theory]
    [InlineData(null, "FileSessionStore")]
    [InlineData("memory", "MemorySessionStore")]
    [InlineData("sqlite", "SqliteSessionStore")]
    public async Task Driver_IsFsByDefaultAndSwitchableByConfiguration(string? driver, string expected)
    {
        await using var shop = new ShopFactory();
        if (driver is not null)
        {
            shop.Settings["Tote:Driver"] = driver;
        }

        using var client = shop.CreateShopClient();
        await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });

        Assert.Equal(expected, shop.Services.GetRequiredService<ISessionStore>().GetType().Name);
        Assert.Equal("""["apple"]""", await client.Http.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task Sqlite_CartSurvivesARestartOfTheShop()
    {
        using var sessions = new TempDirectory();
        var database = "Data Source=" + Path.Combine(sessions.Path, "shop.db");
        string id;
        await using (var first = new ShopFactory())
        {
            first.Settings["Tote:Driver"] = "sqlite";
            first.Settings["Tote:Sqlite:ConnectionString"] = database;
            using var client = first.CreateShopClient();
            using var response = await client.Http.PostAsJsonAsync("/api/cart", new { item = "apple" });
            id = SetCookie.All(response).Single(c => c.Name == "tote-session").Value;
        }

        await using var second = new ShopFactory();
        second.Settings["Tote:Driver"] = "sqlite";
        second.Settings["Tote:Sqlite:ConnectionString"] = database;
        using var again = second.CreateShopClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cart");
        request.Headers.Add("Cookie", "tote-session=" + id);

        using var cart = await again.Http.SendAsync(request);

        Assert.Equal("""["apple"]""", await cart.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(sessions.Path, "shop.db")));
    }
}
