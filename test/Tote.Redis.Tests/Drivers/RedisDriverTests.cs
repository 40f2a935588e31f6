using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Tote.Drivers;
using Tote.Redis.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// What the <c>redis</c> driver promises beyond the conformance suite: Astro's exact value at the
/// key, other writers noticed, native expiry, round trips per request, and the core's
/// concurrency guarantees through a real pipeline.
/// </summary>
public abstract class RedisDriverTests(RedisFixture server) : IAsyncLifetime
{
    private const string Prefix = "tote-driver-test:";
    private const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";
    private static readonly SessionKey<List<string>> Cart = new("cart");

    private ConnectionMultiplexer? _connection;

    private ConnectionMultiplexer Connection => _connection!;

    private IDatabase Database => Connection.GetDatabase();

    private FakeTimeProvider Clock { get; } = TestClock.Create();

    public async ValueTask InitializeAsync() => _connection = await server.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private RedisSessionStore CreateStore() => new(Connection, ownsConnection: false, new RedisSessionStoreOptions { KeyPrefix = Prefix }, TimeSpan.FromHours(1), Clock, NullLogger.Instance);

    private SessionRecord Record(string data = CartRecord, TimeSpan? lifetime = null) => new()
    {
        Data = data,
        CreatedAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
    };

    [Fact]
    public async Task Save_StoresExactlyTheAstroRecordAtPrefixPlusId()
    {
        var store = CreateStore();
        var id = TestIds.New();

        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Equal(CartRecord, (string?)await Database.StringGetAsync(Prefix + id));
        var ttl = await Database.KeyTimeToLiveAsync(Prefix + id);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public void MetadataKey_SharesTheSessionKeysHashSlot()
    {
        foreach (var prefix in new[] { "", "sess:", "app:{tenant}:" })
        {
            var keys = new RedisSessionKeys(prefix);
            var id = TestIds.New();
            Assert.Equal(Connection.HashSlot(keys.Value(id)), Connection.HashSlot(keys.Metadata(id)));
            Assert.Equal(prefix + id, (string?)keys.Value(id));
        }
    }

    [Fact]
    public async Task PlainSetByAnotherApp_IsNoticedByCompareAndSwap()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var version = await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        const string astro = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"astro"]""";

        // What Astro's unstorage driver does: a plain SET, which also drops the key's TTL.
        await Database.StringSetAsync(Prefix + id, astro);

        Assert.Null(await store.SaveAsync(id, Record(), version!.Value, TestContext.Current.CancellationToken));
        var loaded = await store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(astro, loaded!.Data);
        Assert.NotNull(await store.SaveAsync(id, Record(), loaded.Version, TestContext.Current.CancellationToken));
        Assert.NotNull(await Database.KeyTimeToLiveAsync(Prefix + id));
    }

    [Fact]
    public async Task SessionWrittenByAnotherApp_LoadsAndGetsItsExpiryBackAtTheNextTouch()
    {
        var store = CreateStore();
        var id = TestIds.New();
        await Database.StringSetAsync(Prefix + id, CartRecord);

        var loaded = await store.LoadAndSlideAsync(id, TimeSpan.FromMinutes(30), TimeSpan.FromHours(24), TestContext.Current.CancellationToken);

        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(30), loaded.ExpiresAt);
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + id))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        Assert.Equal(CartRecord, (string?)await Database.StringGetAsync(Prefix + id));
    }

    [Fact]
    public async Task SlidingLoad_MovesExpiryOnlyOnceATenthOfTheIdleTimeoutHasPassed()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var idle = TimeSpan.FromMinutes(30);
        var version = await store.SaveAsync(id, Record(lifetime: idle), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var created = Clock.GetUtcNow();

        Clock.Advance(TimeSpan.FromMinutes(2));
        var early = await store.LoadAndSlideAsync(id, idle, TimeSpan.FromHours(24), TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var due = await store.LoadAndSlideAsync(id, idle, TimeSpan.FromHours(24), TestContext.Current.CancellationToken);

        Assert.Equal(created + idle, early!.ExpiresAt);
        Assert.Equal(Clock.GetUtcNow() + idle, due!.ExpiresAt);
        Assert.Equal(version, due.Version);
        Assert.Equal(due.ExpiresAt, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    [Fact]
    public async Task SlidingLoad_NeverPassesTheAbsoluteLifetime()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var created = Clock.GetUtcNow();
        await store.SaveAsync(id, Record(lifetime: TimeSpan.FromMinutes(30)), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Clock.Advance(TimeSpan.FromMinutes(25));
        var loaded = await store.LoadAndSlideAsync(id, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40), TestContext.Current.CancellationToken);

        Assert.Equal(created + TimeSpan.FromMinutes(40), loaded!.ExpiresAt);
        Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Null(await store.LoadAndSlideAsync(id, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Requests_CostOneRoundTripToRead_TwoToWrite_OneToCreateOrDestroy()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();

        Assert.Equal(1, await CountCommandsAsync(() => client.PostAsync("/cart/a")));       // new session: one CAS
        Assert.Equal(1, await CountCommandsAsync(() => client.GetAsync("/cart")));          // read: one load (sliding rides along)
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await CountCommandsAsync(() => client.GetAsync("/cart")));          // read when the expiry is due to slide: still one
        Assert.Equal(2, await CountCommandsAsync(() => client.PostAsync("/cart/b")));       // write: load, then CAS
        Assert.Equal(1, await CountCommandsAsync(() => client.PostAsync("/destroy")));      // destroy: one DEL of both keys
        Assert.Equal(0, await CountCommandsAsync(() => client.GetAsync("/")));              // untouched: nothing
    }

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
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()).Order(), cart.Skip(1).Order());
    }

    [Fact]
    public async Task ConcurrentWritersOfDifferentKeys_LoseNothing()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/seed")).Dispose();
        var id = client.SessionId!;

        await PostConcurrentlyAsync(client, id, 20, i => $"/set/k{i}/{i}");

        var keys = (await client.GetStringAsync("/keys")).Split(',');
        Assert.Equal(21, keys.Length);
    }

    [Fact]
    public async Task DestroyedSession_IsNotResurrectedByALaterSaveOfTheOldId()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();
        var id = client.SessionId!;
        var store = host.Store;
        var stale = await store.LoadAsync(id, TestContext.Current.CancellationToken);

        (await client.PostAsync("/destroy")).Dispose();
        using var late = await client.SendWithIdAsync(HttpMethod.Post, "/set/x/1", id);

        Assert.Null(await store.SaveAsync(id, stale!, stale!.Version, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.False(await Database.KeyExistsAsync(Prefix + id));
    }

    [Fact]
    public async Task ConfigurationAlone_ChoosesRedis()
    {
        await using var host = await ToteTestHost.StartAsync(MapEndpoints, o =>
        {
            o.Configuration["Tote:Driver"] = "redis";
            o.Configuration["Tote:Redis:Configuration"] = server.Configuration;
            o.Configuration["Tote:Redis:KeyPrefix"] = "sess:";
            o.Driver = b => b.AddRedis();
        });
        using var client = host.CreateClient();

        (await client.PostAsync("/cart/a")).Dispose();

        Assert.IsType<RedisSessionStore>(host.Store);
        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"a"]""", (string?)await Database.StringGetAsync("sess:" + client.SessionId));
    }

    [Fact]
    public async Task UseRedis_WithoutConfiguration_UsesTheAppsMultiplexerAndLeavesItOpen()
    {
        await using (var host = await ToteTestHost.StartAsync(MapEndpoints, o =>
        {
            o.Services = s => s.AddSingleton<IConnectionMultiplexer>(Connection);
            o.Driver = b => b.UseRedis(r => r.KeyPrefix = Prefix);
        }))
        {
            using var client = host.CreateClient();
            (await client.PostAsync("/cart/a")).Dispose();
            Assert.True(await Database.KeyExistsAsync(Prefix + client.SessionId));
        }

        Assert.True(Connection.IsConnected);
        Assert.True(await Database.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task BadKeyPrefix_FailsStartupNamingTheOption()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ToteTestHost.StartAsync(MapEndpoints, o =>
            o.Driver = b => b.UseRedis(Connection, r => r.KeyPrefix = "sess{")));

        Assert.Contains("Tote:Redis:KeyPrefix", error.Message, StringComparison.Ordinal);
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

    private Task<ToteTestHost> StartHostAsync() => ToteTestHost.StartAsync(MapEndpoints, o =>
        o.Driver = b => b.UseRedis(Connection, r => r.KeyPrefix = Prefix));

    private async Task<int> CountCommandsAsync(Func<Task<HttpResponseMessage>> request)
    {
        var profiling = new ProfilingSession();
        Connection.RegisterProfiler(() => profiling);
        try
        {
            using var response = await request();
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        }
        finally
        {
            Connection.RegisterProfiler(null!);
        }

        return profiling.FinishProfiling().Count();
    }

    private static void MapEndpoints(WebApplication app)
    {
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
    }
}

/// <summary>The driver's own tests against in-process Garnet.</summary>
public sealed class GarnetDriverTests(GarnetFixture server) : RedisDriverTests(server), IClassFixture<GarnetFixture>;

/// <summary>The driver's own tests against a real redis-server.</summary>
public sealed class RedisServerDriverTests(RedisServerFixture server) : RedisDriverTests(server), IClassFixture<RedisServerFixture>;
