using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using CsCheck;
using Tote.Cookies;
using Tote.Testing;
using Tote.Tests.Drivers;

namespace Tote.Tests.Cookies;

public sealed class SessionIdTransportTests
{
    private static Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(SessionApi.Map, configure);

    [Fact]
    public async Task Cookie_InProduction_HasStrictAttributesAndNoCaching()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set/name/ada");

        var cookie = Assert.Single(SetCookie.All(response));
        Assert.Equal("tote-session", cookie.Name);
        Assert.Equal("/", cookie.Attributes.Path.Value);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, cookie.Attributes.SameSite);
        Assert.True(cookie.Attributes.HttpOnly);
        Assert.True(cookie.Attributes.Secure);
        Assert.Null(cookie.Attributes.MaxAge);
        Assert.Null(cookie.Attributes.Expires);
        Assert.Null(cookie.Attributes.Domain.Value);
        Assert.True(response.Headers.CacheControl is { NoCache: true, NoStore: true });
    }

    [Fact]
    public async Task Cookie_InDevelopmentOverHttp_IsNotSecure()
    {
        await using var host = await StartAsync(o => o.Environment = "Development");
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set/name/ada");

        var cookie = Assert.Single(SetCookie.All(response));
        Assert.False(cookie.Attributes.Secure);
        Assert.True(cookie.Attributes.HttpOnly);
    }

    [Fact]
    public async Task Cookie_InDevelopmentOverHttps_IsSecure()
    {
        await using var host = await StartAsync(o => o.Environment = "Development");
        using var client = host.CreateClient();
        client.Http.BaseAddress = new Uri("https://localhost/");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.True(Assert.Single(SetCookie.All(response)).Attributes.Secure);
    }

    [Fact]
    public async Task Cookie_WithConfiguredMaxAgeNameDomainAndPath_CarriesThem()
    {
        await using var host = await StartAsync(o => o.Tote = t =>
        {
            t.Cookie.Name = "astro-session";
            t.Cookie.MaxAge = TimeSpan.FromDays(7);
            t.Cookie.Domain = "example.com";
            t.Cookie.Path = "/shop";
            t.Cookie.SameSite = SameSiteMode.Strict;
        });
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set/name/ada");

        var cookie = Assert.Single(SetCookie.All(response));
        Assert.Equal("astro-session", cookie.Name);
        Assert.Equal(TimeSpan.FromDays(7), cookie.Attributes.MaxAge);
        Assert.Equal("example.com", cookie.Attributes.Domain.Value);
        Assert.Equal("/shop", cookie.Attributes.Path.Value);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.Attributes.SameSite);
    }

    [Fact]
    public async Task ReadOfExistingSession_SendsNoCookie()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        using var response = await client.GetAsync("/get/name");

        Assert.Empty(SetCookie.All(response));
        Assert.Null(response.Headers.CacheControl);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("D247C793-895C-4E5C-AE63-C9BA3434E16A")]
    [InlineData("d247c793-895c-1e5c-ae63-c9ba3434e16a")]
    [InlineData("\"d247c793-895c-4e5c-ae63-c9ba3434e16a\"")]
    public async Task MalformedCookie_IsIgnoredWithoutStoreCall(string value)
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        store.ClearCalls(); // the startup check of the store
        using var client = host.CreateClient();
        client.SessionId = value;

        Assert.Equal("(null)|(none)", await client.GetStringAsync("/get-then-id/name"));
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task OversizedCookie_IsIgnoredWithoutStoreCall()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        store.ClearCalls(); // the startup check of the store
        using var client = host.CreateClient();
        client.SessionId = new string('a', 8000);

        Assert.Equal("(null)|(none)", await client.GetStringAsync("/get-then-id/name"));
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task RepeatedCookie_IsIgnoredEvenWhenOneCopyIsLive()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var owner = host.CreateClient();
        await owner.PostAsync("/set/name/ada");
        store.ClearCalls();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/get-then-id/name");
        request.Headers.Add("Cookie", $"tote-session={TestIds.New()}; tote-session={owner.SessionId}");

        using var response = await owner.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("(null)|(none)", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task MalformedCookie_OnWrite_GetsFreshSession()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        client.SessionId = "garbage";

        using var response = await client.PostAsync("/set/name/ada");

        Assert.True(SessionIds.IsWellFormed(Assert.Single(SetCookie.All(response)).Value));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Header_WhenConfigured_CarriesTheIdInsteadOfTheCookie()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.HeaderName = "X-Session");
        using var client = host.CreateClient();
        var id = await CreateSessionReadingIdFromHeaderAsync(client);

        using var response = await client.SendWithIdAsync(HttpMethod.Get, "/get-then-id/name", id, "X-Session");

        Assert.Equal($"ada|{id}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Header_OnRegenerate_AnswersWithHeaderAndNoCookie()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.HeaderName = "X-Session");
        using var client = host.CreateClient();
        var id = await CreateSessionReadingIdFromHeaderAsync(client);

        using var response = await client.SendWithIdAsync(HttpMethod.Post, "/regenerate", id, "X-Session");

        var newId = Assert.Single(response.Headers.GetValues("X-Session"));
        Assert.NotEqual(id, newId);
        Assert.Empty(SetCookie.All(response));
    }

    [Fact]
    public void FindCookie_AnyHeaderText_NeverThrowsAndReturnsOnlyAUniqueValue()
    {
        Gen.String[" =;abtoe-sin\"\t,"].Array[0, 3].Sample(headers =>
        {
            var value = SessionIdTransport.FindCookie(new StringValues(headers), "tote-session", out var found);
            var occurrences = headers.SelectMany(h => h.Split(';')).Count(p => p.Split('=', 2) is [var name, _] && name.Trim() == "tote-session");
            Assert.Equal(occurrences > 0, found);
            Assert.Equal(occurrences == 1, value is not null);
        });
    }

    private static async Task<string> CreateSessionReadingIdFromHeaderAsync(SessionClient client)
    {
        using var created = await client.PostAsync("/set/name/ada");
        client.SessionId = null;
        return Assert.Single(created.Headers.GetValues("X-Session"));
    }
}
