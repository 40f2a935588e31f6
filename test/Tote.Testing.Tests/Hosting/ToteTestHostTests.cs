using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tote.Testing.Tests.Hosting;

public sealed class ToteTestHostTests
{
    private static readonly SessionKey<List<string>> Cart = new("cart");

    [Fact]
    public async Task Client_KeepsTheSessionAcrossRequests_AsDocsTestingShows()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/cart/{item}", async (Session session, string item) =>
            await session.UpdateAsync(Cart, cart => [.. cart ?? [], item])));
        using var client = host.CreateClient();

        (await client.PostAsync("/cart/apple")).Dispose();
        host.Clock.Advance(TimeSpan.FromMinutes(30));
        using var response = await client.PostAsync("/cart/pear");

        Assert.Equal("""["apple","pear"]""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Client_AfterTheIdleTimeout_StartsAFreshSession()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/cart/{item}", async (Session session, string item) =>
            await session.UpdateAsync(Cart, cart => [.. cart ?? [], item])));
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/apple")).Dispose();
        var first = client.SessionId;

        host.Clock.Advance(TimeSpan.FromMinutes(61));
        using var response = await client.PostAsync("/cart/pear");

        Assert.Equal("""["pear"]""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotEqual(first, client.SessionId);
    }

    [Fact]
    public async Task SessionCookies_ParseTheCookieTheResponseSet()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/set", (Session session) =>
        {
            session.Set("name", "ada");
            return Results.Ok();
        }), o => o.Tote = t => t.Cookie.MaxAge = TimeSpan.FromDays(1));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set");

        var cookie = Assert.Single(client.SessionCookies(response));
        Assert.Equal(client.SessionId, cookie.Value);
        Assert.Equal(TimeSpan.FromDays(1), cookie.Attributes.MaxAge);
        Assert.False(cookie.Expired);
    }
}
