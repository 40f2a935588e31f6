using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>
/// A request that loads a session and sets one key has its record written at <c>Set</c>; these
/// pin that this changes nothing a user can see.
/// </summary>
public sealed class SessionWriteAheadTests
{
    private static Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(
        app =>
        {
            SessionApi.Map(app);
            app.MapPost("/set-then-change/{item}", async (Session session, string item) =>
            {
                var cart = await session.GetAsync(SessionApi.Cart) ?? [];
                cart.Add(item);
                session.Set(SessionApi.Cart, cart);
                cart.Add("changed-after-set");
                return "ok";
            });
            app.MapPost("/set-then-get/{item}", async (Session session, string item) =>
            {
                var cart = await session.GetAsync(SessionApi.Cart) ?? [];
                cart.Add(item);
                session.Set(SessionApi.Cart, cart);
                return string.Join(",", await session.GetAsync(SessionApi.Cart) ?? []);
            });
            app.MapPost("/set-two/{a}/{b}", async (Session session, string a, string b) =>
            {
                await session.GetAsync<string>("a");
                session.Set("a", a);
                session.Set("b", b);
                return "ok";
            });
            app.MapPost("/set-then-delete/{key}", async (Session session, string key) =>
            {
                await session.GetAsync<string>(key);
                session.Set("other", "x");
                session.Delete(key);
                return "ok";
            });
            app.MapPost("/set-then-wait/{key}/{value}/{seconds:int}", async (Session session, TimeProvider time, string key, string value, int seconds) =>
            {
                await session.GetAsync<string>(key);
                session.Set(key, value);
                ((FakeTimeProvider)time).Advance(TimeSpan.FromSeconds(seconds));
                return "ok";
            });
            app.MapPost("/set-big/{length:int}", async (Session session, int length) =>
            {
                await session.GetAsync<string>("big");
                try
                {
                    session.Set("big", new string('x', length));
                    return "stored";
                }
                catch (SessionSerializationException ex)
                {
                    return ex.Message;
                }
            });
        },
        configure);

    [Fact]
    public async Task Set_ThenChangingTheObject_StoresTheValueAsItWasSet()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/cart/a");

        await client.PostAsync("/set-then-change/b");

        Assert.Equal("a,b", await client.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task Set_ThenGetInTheSameRequest_ReadsTheValueSet()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/cart/a");

        var read = await client.PostAsync("/set-then-get/b").BodyAsync();

        Assert.Equal("a,b", read);
    }

    [Fact]
    public async Task Set_TwoKeysInOneRequest_StoresBoth()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/seed/1");

        await client.PostAsync("/set-two/x/y");

        Assert.Equal("seed,a,b", await client.GetStringAsync("/keys"));
        Assert.Equal("x", await client.GetStringAsync("/get/a"));
        Assert.Equal("y", await client.GetStringAsync("/get/b"));
    }

    [Fact]
    public async Task Set_ThenDeleteAnotherKey_StoresTheSetAndTheDelete()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        await client.PostAsync("/set-then-delete/name");

        Assert.Equal("other", await client.GetStringAsync("/keys"));
    }

    [Fact]
    public async Task Set_WhenAnotherKeyExpiresBeforeTheSave_DropsThatKeyFromTheRecord()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set-ttl/flash/hi/5");

        await client.PostAsync("/set-then-wait/name/ada/10");

        var record = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.Equal("""[["Map",1,2],"name",{"data":3,"expires":-1},"ada"]""", record!.Data);
    }

    [Fact]
    public async Task Set_OfALoadedSession_StoresAstrosRecord()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/user/ada");

        await client.PostAsync("/cart/a");

        var record = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.Equal("""[["Map",1,2,4,5],"user",{"data":3,"expires":-1},"ada","cart",{"data":6,"expires":-1},[7],"a"]""", record!.Data);
    }

    [Fact]
    public async Task Set_OverTheSizeLimit_OfALoadedSession_ThrowsNamingTheExactSizeAndKeepsTheSession()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.MaxSessionSize = 1000);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        var message = await client.PostAsync("/set-big/2000").BodyAsync();

        Assert.Contains("'big'", message, StringComparison.Ordinal);
        Assert.Contains("MaxSessionSize", message, StringComparison.Ordinal);
        Assert.Equal("name", await client.GetStringAsync("/keys"));
        Assert.Equal("stored", await client.PostAsync("/set-big/900").BodyAsync());
    }
}
