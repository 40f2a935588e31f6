using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Tote.Testing;

namespace Tote.Redis.Tests.Interop;

/// <summary>
/// An Astro 7.3.5 app and Tote apps sharing sessions through one Redis and one cookie, both ways:
/// carts, Date, Map, Set and URL values, and destroy.
/// </summary>
public sealed class AstroInteropTests(AstroInteropFixture apps) : IClassFixture<AstroInteropFixture>
{
    private const string Cookie = "tote-session";

    [Fact]
    public async Task CartWrittenByAstro_IsReadByTheShop_AndTheShopsAdditionByAstro()
    {
        SkipIfUnavailable();
        var id = await StartAstroSessionAsync("a,b");

        Assert.Equal(["a", "b"], await ShopCartAsync(id));
        using (var add = await SendAsync(apps.Shop, HttpMethod.Post, "/api/cart", id, JsonContent.Create(new { item = "c" })))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        }

        var astro = await AstroReportAsync(id);
        Assert.Equal(["a", "b", "c"], astro.GetProperty("cart").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Date", astro.GetProperty("lastVisit").GetString()); // the shop's own DateTimeOffset, read by Astro as a Date

        using (var astroAdd = await SendAsync(apps.Astro.Http, HttpMethod.Get, "/add?item=d", id))
        {
            Assert.Equal(HttpStatusCode.OK, astroAdd.StatusCode);
        }

        Assert.Equal(["a", "b", "c", "d"], await ShopCartAsync(id));
    }

    [Fact]
    public async Task DateMapSetAndUrlWrittenByAstro_SurviveToteReadsAndWrites()
    {
        SkipIfUnavailable();
        var id = await StartAstroSessionAsync("a");

        var tote = await ToteTypesAsync(id);
        Assert.Equal(TypesApp.When, tote.GetProperty("when").GetDateTimeOffset());
        Assert.Equal(["fast", "shared"], tote.GetProperty("tags").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal("one", tote.GetProperty("prices").GetProperty("1").GetString());
        Assert.Equal("two", tote.GetProperty("prices").GetProperty("2").GetString());
        Assert.Equal("https://shop.example/cart?from=astro", tote.GetProperty("home").GetString());

        // The shop rewrites the session (cart and lastVisit); Astro's other values must come back unchanged.
        (await SendAsync(apps.Shop, HttpMethod.Post, "/api/cart", id, JsonContent.Create(new { item = "b" }))).Dispose();
        AssertAstroSeesJavaScriptTypes(await AstroReportAsync(id), ["a", "b"]);
    }

    [Fact]
    public async Task DateMapSetAndUrlWrittenByTote_AreReadByAstroAsTheirJavaScriptTypes()
    {
        SkipIfUnavailable();
        using var create = await apps.Tote.CreateClient().PostAsync("/types");
        var id = SetCookie.All(create).Single(c => c.Name == Cookie).Value;

        AssertAstroSeesJavaScriptTypes(await AstroReportAsync(id), ["tote-a", "tote-b"]);
        Assert.Equal(["tote-a", "tote-b"], await ShopCartAsync(id));
    }

    [Fact]
    public async Task SessionDestroyedByAstro_IsGoneForTote()
    {
        SkipIfUnavailable();
        var id = await StartAstroSessionAsync("a");
        Assert.Equal(["a"], await ShopCartAsync(id));

        (await SendAsync(apps.Astro.Http, HttpMethod.Get, "/destroy", id)).Dispose();

        Assert.Empty(await ShopCartAsync(id));
        Assert.False(await KeyExistsAsync(id));
    }

    [Fact]
    public async Task SessionDestroyedByTote_IsGoneForAstro()
    {
        SkipIfUnavailable();
        var id = await StartAstroSessionAsync("a");
        Assert.Equal(["a"], await ShopCartAsync(id));

        (await SendAsync(apps.Tote.CreateClient().Http, HttpMethod.Post, "/destroy", id)).Dispose();

        Assert.Equal(JsonValueKind.Null, (await AstroReportAsync(id)).GetProperty("cart").ValueKind);
        Assert.False(await KeyExistsAsync(id));
    }

    private static void AssertAstroSeesJavaScriptTypes(JsonElement astro, string[] cart)
    {
        Assert.Equal(cart, astro.GetProperty("cart").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2026-01-02T03:04:05.678Z", astro.GetProperty("when").GetString());
        Assert.Equal(["fast", "shared"], astro.GetProperty("tags").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal("""[[1,"one"],[2,"two"]]""", astro.GetProperty("prices").GetRawText());
        Assert.Equal("https://shop.example/cart?from=astro", astro.GetProperty("home").GetString());
    }

    private void SkipIfUnavailable()
    {
        if (apps.Unavailable is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    private async Task<string> StartAstroSessionAsync(string cart)
    {
        using var response = await apps.Astro.Http.GetAsync($"/set?cart={cart}", TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, apps.Astro.Output);
        return SetCookie.All(response).Single(c => c.Name == Cookie).Value;
    }

    private async Task<string?[]> ShopCartAsync(string id)
    {
        using var response = await SendAsync(apps.Shop, HttpMethod.Get, "/api/cart", id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<string?[]>(TestContext.Current.CancellationToken))!;
    }

    private async Task<JsonElement> ToteTypesAsync(string id)
    {
        using var response = await SendAsync(apps.Tote.CreateClient().Http, HttpMethod.Get, "/types", id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<JsonElement> AstroReportAsync(string id)
    {
        using var response = await SendAsync(apps.Astro.Http, HttpMethod.Get, "/get", id);
        Assert.True(response.IsSuccessStatusCode, apps.Astro.Output);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<bool> KeyExistsAsync(string id)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(apps.RedisConfiguration);
        return await redis.GetDatabase().KeyExistsAsync(AstroInteropFixture.KeyPrefix + id);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string id, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", $"{Cookie}={id}");
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
