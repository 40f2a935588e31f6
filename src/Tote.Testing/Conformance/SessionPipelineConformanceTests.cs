using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The core's concurrency guarantees through a real ASP.NET Core pipeline on one driver:
/// concurrent <c>UpdateAsync</c> calls lose nothing, writers of different keys lose nothing, a
/// destroyed session is never written again, a regenerated one keeps its data, and a persistent
/// cookie slides with the session. A driver that can compare-and-swap inherits it and says only
/// how to choose itself (<see cref="UseDriver"/>); one that cannot (last writer wins, as
/// <c>distributed-cache</c>) does not pass it and does not inherit it.
/// </summary>
/// <remarks>
/// Each test starts its own <see cref="ToteTestHost"/> (TestServer, fake clock, captured logs) with
/// the endpoints of <see cref="MapEndpoints"/>; a driver's own pipeline tests can start the same
/// host with <see cref="StartHostAsync"/>.
/// </remarks>
public abstract class SessionPipelineConformanceTests
{
    private static readonly SessionKey<List<string>> Cart = new("cart");

    /// <summary>
    /// Chooses the driver under test on Tote's builder, such as <c>builder.UseSqlite(connectionString)</c>.
    /// The driver reads time from the host's fake clock (the app's <see cref="TimeProvider"/> service).
    /// </summary>
    /// <param name="builder">The builder <c>AddTote()</c> returned.</param>
    protected abstract void UseDriver(IToteBuilder builder);

    /// <summary>A hundred concurrent <c>UpdateAsync</c> appends to one session leave a hundred items.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task HundredConcurrentUpdates_LeaveAHundredItems()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/seed")).Dispose();
        var id = client.SessionId!;

        await PostConcurrentlyAsync(client, id, 100, i => $"/cart/{i}");

        var cart = (await client.GetStringAsync("/cart")).Split(',');
        Assert.Equal(101, cart.Length);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), cart.Skip(1).Order());
    }

    /// <summary>Twenty concurrent requests that each set a different key all land.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ConcurrentWritersOfDifferentKeys_LoseNothing()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/seed")).Dispose();
        var id = client.SessionId!;

        await PostConcurrentlyAsync(client, id, 20, i => $"/set/k{i}/{i}");

        Assert.Equal(21, (await client.GetStringAsync("/keys")).Split(',').Length);
    }

    /// <summary>A request that still carries a destroyed session's ID answers normally and never writes that session again.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task DestroyedSession_IsNotResurrectedByALaterSaveOfTheOldId()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();
        var id = client.SessionId!;
        var stale = await host.Store.LoadAsync(id, TestContext.Current.CancellationToken);

        (await client.PostAsync("/destroy")).Dispose();
        using var late = await client.SendWithIdAsync(HttpMethod.Post, "/set/x/1", id);

        Assert.Null(await host.Store.SaveAsync(id, stale!, stale!.Version, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>Regenerating moves the data to a new ID and deletes the old one.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task RegeneratedSession_KeepsItsDataUnderTheNewIdAndTheOldIdIsGone()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();
        var old = client.SessionId!;

        (await client.PostAsync("/regenerate")).Dispose();

        Assert.NotEqual(old, client.SessionId);
        Assert.Equal("a", await client.GetStringAsync("/cart"));
        Assert.Null(await host.Store.LoadAsync(old, TestContext.Current.CancellationToken));
    }

    /// <summary>With a cookie <c>Max-Age</c>, a read-only request resends the cookie only when the expiry slides, and the store holds the moved expiry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ReadOnlyRequest_WithCookieMaxAge_ResendsTheCookieOnlyWhenTheExpirySlides()
    {
        // Whether the driver slides the expiry itself (ISessionStoreSlidingLoader) or the core
        // refreshes it, a persistent cookie must move with the session, and only then.
        await using var host = await StartHostAsync(o => o.Tote = t => t.Cookie.MaxAge = TimeSpan.FromDays(7));
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        using var early = await client.GetAsync("/cart");
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        using var due = await client.GetAsync("/cart");
        using var after = await client.GetAsync("/cart");

        Assert.Empty(SetCookie.All(early));
        Assert.Equal(TimeSpan.FromDays(7), Assert.Single(SetCookie.All(due)).Attributes.MaxAge);
        Assert.Empty(SetCookie.All(after));
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromHours(1), (await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    /// <summary>Starts a host on the driver under test with the endpoints of <see cref="MapEndpoints"/>; dispose it at the end of the test.</summary>
    /// <param name="configure">Changes the host's options after the driver is chosen (Tote's options, configuration, services).</param>
    /// <returns>The started host.</returns>
    protected Task<ToteTestHost> StartHostAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(MapEndpoints, o =>
    {
        o.Driver = UseDriver;
        configure?.Invoke(o);
    });

    /// <summary>
    /// The endpoints: <c>GET /</c> (no session), <c>POST /cart/{item}</c> (an <c>UpdateAsync</c> append), <c>GET /cart</c>,
    /// <c>POST /set/{key}/{value}</c>, <c>GET /keys</c>, <c>POST /destroy</c>, <c>POST /regenerate</c>.
    /// </summary>
    /// <param name="app">The application to map them on.</param>
    protected static void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => "hello");
        app.MapPost("/cart/{item}", async (Session session, string item) =>
            string.Join(",", await session.UpdateAsync(Cart, cart => [.. cart ?? [], item])));
        app.MapGet("/cart", async (Session session) => string.Join(",", await session.GetAsync(Cart) ?? []));
        app.MapPost("/set/{key}/{value}", (Session session, string key, string value) =>
        {
            session.Set(key, value);
            return "ok";
        });
        app.MapGet("/keys", async (Session session) => string.Join(",", await session.KeysAsync()));
        app.MapPost("/destroy", (Session session) =>
        {
            session.Destroy();
            return "ok";
        });
        app.MapPost("/regenerate", async (Session session) =>
        {
            await session.RegenerateAsync();
            return "ok";
        });
    }

    private static async Task PostConcurrentlyAsync(SessionClient client, string id, int count, Func<int, string> path)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(i => client.SendWithIdAsync(HttpMethod.Post, path(i), id)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
