using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// What the <c>redis</c> driver promises beyond the conformance suite: Astro's exact value at the
/// key, other writers noticed, native expiry, round trips per request, and the core's
/// concurrency guarantees through a real pipeline.
/// </summary>
public abstract partial class RedisDriverTests(RedisFixture server) : SessionPipelineConformanceTests, IAsyncLifetime
{
    private const string Prefix = "tote-driver-test:";
    private const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";

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

    protected override void UseDriver(IToteBuilder builder) => builder.UseRedis(Connection, r => r.KeyPrefix = Prefix);

    private RedisSessionStore CreateStore() => CreateStoreOn(Clock);

    private RedisSessionStore CreateStoreOn(TimeProvider clock) => new(Connection, ownsConnection: false, new RedisSessionStoreOptions { KeyPrefix = Prefix }, TimeSpan.FromHours(1), clock, NullLogger.Instance);

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
    public async Task SessionWrittenByAnotherApp_LoadsAndGetsItsExpiryBackAtTheNextTouch()
    {
        var store = CreateStore();
        var id = TestIds.New();
        await Database.StringSetAsync(Prefix + id, CartRecord);

        var loaded = await LoadAndSlideAsync(store, id, TimeSpan.FromMinutes(30), TimeSpan.FromHours(24));

        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(30), loaded.ExpiresAt);
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + id))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        Assert.Equal(CartRecord, (string?)await Database.StringGetAsync(Prefix + id));
    }

    [Fact]
    public async Task Save_KeepsCreatedAndExpiryBesideTheValue_InTheSameSlotAndWithTheSameTtl()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var record = Record(lifetime: TimeSpan.FromMinutes(20));

        await store.SaveAsync(id, record, SessionVersion.Missing, TestContext.Current.CancellationToken);

        var metadata = new RedisSessionKeys(Prefix).Metadata(id);
        Assert.Equal($"{record.CreatedAt.ToUnixTimeMilliseconds()} {record.ExpiresAt.ToUnixTimeMilliseconds()}", (string?)await Database.StringGetAsync(metadata));
        Assert.InRange((await Database.KeyTimeToLiveAsync(metadata))!.Value, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20));
    }

    [Fact]
    public async Task Save_ThatKeepsTheExpiry_LeavesTheMetadataAndItsTtlAlone_AndMovesTheValuesTtl()
    {
        var (store, id, first, version) = await SaveForTwentyMinutesThenAdvanceTenAsync();
        const string changed = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"c"]""";

        // The value's TTL is set from the unchanged expiry (ten minutes left); the metadata keeps
        // the TTL it was written with.
        var second = new SessionRecord { Data = changed, CreatedAt = first.CreatedAt, ExpiresAt = first.ExpiresAt };
        Assert.NotNull(await store.SaveAsync(id, second, version, TestContext.Current.CancellationToken));

        var metadata = new RedisSessionKeys(Prefix).Metadata(id);
        Assert.Equal(changed, (string?)await Database.StringGetAsync(Prefix + id));
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + id))!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal($"{first.CreatedAt.ToUnixTimeMilliseconds()} {first.ExpiresAt.ToUnixTimeMilliseconds()}", (string?)await Database.StringGetAsync(metadata));
        Assert.InRange((await Database.KeyTimeToLiveAsync(metadata))!.Value, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20));
        Assert.Equal(first.ExpiresAt, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    [Fact]
    public async Task Save_ThatMovesTheExpiry_RewritesTheMetadataWithTheNewTtl()
    {
        var (store, id, first, version) = await SaveForTwentyMinutesThenAdvanceTenAsync();

        var moved = new SessionRecord { Data = CartRecord, CreatedAt = first.CreatedAt, ExpiresAt = Clock.GetUtcNow() + TimeSpan.FromMinutes(5) };
        Assert.NotNull(await store.SaveAsync(id, moved, version, TestContext.Current.CancellationToken));

        var metadata = new RedisSessionKeys(Prefix).Metadata(id);
        Assert.Equal($"{first.CreatedAt.ToUnixTimeMilliseconds()} {moved.ExpiresAt.ToUnixTimeMilliseconds()}", (string?)await Database.StringGetAsync(metadata));
        Assert.InRange((await Database.KeyTimeToLiveAsync(metadata))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + id))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Theory]
    [InlineData("hash")]     // what earlier builds of this driver kept there
    [InlineData("garbage")]  // a string that is not "<created> <expires>"
    public async Task MetadataThatIsNotTotes_CountsAsNone_AndIsReplacedAtTheNextTouch(string damage)
    {
        var store = CreateStore();
        var id = TestIds.New();
        var metadata = new RedisSessionKeys(Prefix).Metadata(id);
        await Database.StringSetAsync(Prefix + id, CartRecord);
        if (damage == "hash")
        {
            await Database.HashSetAsync(metadata, [new("c", 1), new("e", 2)]);
        }
        else
        {
            await Database.StringSetAsync(metadata, "not times");
        }

        var loaded = await LoadAndSlideAsync(store, id, TimeSpan.FromMinutes(30), TimeSpan.FromHours(24));

        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(30), loaded.ExpiresAt);
        Assert.NotNull(await store.SaveAsync(id, Record(), loaded.Version, TestContext.Current.CancellationToken));
        Assert.Equal(RedisType.String, await Database.KeyTypeAsync(metadata));
        Assert.Contains(id, await ToListAsync(store.GetSessionIdsAsync(TestContext.Current.CancellationToken)));
    }

    [Theory]
    [InlineData("9223372036854775807 9223372036854775807")]
    [InlineData("-9223372036854775808 {later}")]
    [InlineData("{earlier} 253402300800000")]
    [InlineData("-62135596800001 {later}")]
    [InlineData("99999999999999999999 {later}")]
    public async Task MetadataWithTimesNoDateCanHold_IsNotFound_AndRemoved(string times)
    {
        // Tote's metadata, damaged: neither a store failure nor a session adopted as another app's.
        var store = CreateStore();
        var id = TestIds.New();
        var now = Clock.GetUtcNow();
        await Database.StringSetAsync(Prefix + id, CartRecord, TimeSpan.FromHours(2));
        await Database.StringSetAsync(new RedisSessionKeys(Prefix).Metadata(id), Times(times, now), TimeSpan.FromHours(2));

        Assert.Null(await LoadAndSlideAsync(store, id, TimeSpan.FromHours(1), TimeSpan.FromHours(24)));
        Assert.False(await Database.KeyExistsAsync(Prefix + id));
        Assert.DoesNotContain(id, await ToListAsync(store.GetSessionIdsAsync(TestContext.Current.CancellationToken)));
    }

    [Theory]
    [InlineData("9223372036854775807 9223372036854775807")]
    [InlineData("99999999999999999999 {later}")]
    public async Task Refresh_OfMetadataWithTimesNoDateCanHold_CountsThemAsNone(string times)
    {
        // What a refresh racing a damaging writer meets: the script must not compute with the times.
        var store = CreateStore();
        var id = TestIds.New();
        var now = Clock.GetUtcNow();
        var metadata = new RedisSessionKeys(Prefix).Metadata(id);
        await Database.StringSetAsync(Prefix + id, CartRecord, TimeSpan.FromHours(2));
        await Database.StringSetAsync(metadata, Times(times, now), TimeSpan.FromHours(2));

        Assert.True(await store.RefreshAsync(id, now.AddHours(1), TestContext.Current.CancellationToken));

        Assert.Equal($"{now.ToUnixTimeMilliseconds()} {now.AddHours(1).ToUnixTimeMilliseconds()}", (string?)await Database.StringGetAsync(metadata));
        Assert.Equal(CartRecord, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task LoadAndSlide_WithTimeoutsOfManyMillennia_SlidesToTheEndOfTheCalendar()
    {
        var store = CreateStore();
        var id = TestIds.New();
        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(30));

        var loaded = await LoadAndSlideAsync(store, id, TimeSpan.MaxValue, TimeSpan.MaxValue);

        Assert.Equal(EndOfTheCalendar, loaded!.ExpiresAt);
        Assert.Equal(EndOfTheCalendar, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    [Fact]
    public async Task SessionWrittenByAnotherApp_WithTimeoutsOfManyMillennia_IsAdoptedUntilTheEndOfTheCalendar()
    {
        var store = CreateStore();
        var id = TestIds.New();
        await Database.StringSetAsync(Prefix + id, CartRecord);

        var loaded = await LoadAndSlideAsync(store, id, TimeSpan.MaxValue, TimeSpan.MaxValue);

        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(EndOfTheCalendar, loaded.ExpiresAt);
        Assert.NotNull(await store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EmptyValue_IsNotFound_AndRemoved()
    {
        var store = CreateStore();
        var id = TestIds.New();
        await Database.StringSetAsync(Prefix + id, "");

        Assert.Null(await store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.False(await Database.KeyExistsAsync(Prefix + id));
    }

    [Fact]
    public async Task RecordOverMaxSessionSize_SetByAnotherWriter_ReadsAsNoSession_IsRemoved_AndAWriteStartsFresh()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        var id = TestIds.New();
        // 8 MB, past the default 1 MiB limit: a cart of one long item, set by anyone who can write to Redis.
        var record = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],""" + '"' + new string('x', 8 * 1024 * 1024) + "\"]";
        await Database.StringSetAsync(Prefix + id, record);

        client.SessionId = id;
        using var read = await client.GetAsync("/cart");
        client.SessionId = id;
        using var write = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(string.Empty, await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.NotEqual(id, client.SessionId);
        Assert.False(await Database.KeyExistsAsync(Prefix + id));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 60 && r.Message.Contains($"is {record.Length} characters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_CostOneRoundTripToRead_TwoToWrite_OneToCreateOrDestroy()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();

        Assert.Equal(1, await CountRoundTripsAsync(() => client.PostAsync("/cart/a")));     // new session: one CAS
        Assert.Equal(1, await CountRoundTripsAsync(() => client.GetAsync("/cart")));        // read: one load script
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await CountRoundTripsAsync(() => client.GetAsync("/cart")));        // read when the expiry is due to slide: still one
        Assert.Equal(2, await CountRoundTripsAsync(() => client.PostAsync("/cart/b")));     // write: load, then CAS
        Assert.Equal(1, await CountRoundTripsAsync(() => client.PostAsync("/destroy")));    // destroy: one DEL of both keys
        Assert.Equal(0, await CountRoundTripsAsync(() => client.GetAsync("/")));            // untouched: nothing
    }

    [Fact]
    public async Task ReadWhenTheExpiryIsDueToSlide_MovesItWithoutWaitingForAnotherRoundTrip()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();
        host.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(1, await CountRoundTripsAsync(() => client.GetAsync("/cart")));

        // The load script moved the expiry in the same call as the read.
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + client.SessionId))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromHours(1), (await CreateStoreOn(host.Clock).LoadAsync(client.SessionId!, TestContext.Current.CancellationToken))!.ExpiresAt);
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

    // A session saved to expire in twenty minutes, then ten minutes later by the app's clock.
    private async Task<(RedisSessionStore Store, string Id, SessionRecord First, SessionVersion Version)> SaveForTwentyMinutesThenAdvanceTenAsync()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var first = Record(lifetime: TimeSpan.FromMinutes(20));
        var version = await store.SaveAsync(id, first, SessionVersion.Missing, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(10));
        return (store, id, first, version!.Value);
    }

    // A sliding load's record, under the core's rule for these timeouts.
    private static async Task<SessionRecord?> LoadAndSlideAsync(RedisSessionStore store, string id, TimeSpan idle, TimeSpan absolute)
        => (await store.LoadAndSlideAsync(id, new SlidingExpiration(idle, absolute, MinimumSlide: TimeSpan.FromMinutes(3)), TestContext.Current.CancellationToken))?.Record;

    // The latest time the driver's millisecond times reach.
    private static DateTimeOffset EndOfTheCalendar => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());

    private static string Times(string template, DateTimeOffset now) => template
        .Replace("{later}", now.AddHours(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{earlier}", now.AddHours(-1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> ids)
    {
        var list = new List<string>();
        await foreach (var id in ids)
        {
            list.Add(id);
        }

        return list;
    }

    // Commands sent without waiting for their answer ride along and cost the request no round trip.
    private async Task<int> CountRoundTripsAsync(Func<Task<HttpResponseMessage>> request)
        => (await ProfileAsync(request)).Count(c => (c.Flags & CommandFlags.FireAndForget) == 0);

    private async Task<List<IProfiledCommand>> ProfileAsync(Func<Task<HttpResponseMessage>> request)
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

        return [.. profiling.FinishProfiling()];
    }

}

/// <summary>The driver's own tests against in-process Garnet.</summary>
public sealed class GarnetDriverTests(GarnetFixture server) : RedisDriverTests(server), IClassFixture<GarnetFixture>;

/// <summary>The driver's own tests against a real redis-server.</summary>
public sealed class RedisServerDriverTests(RedisServerFixture server) : RedisDriverTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The driver's own tests and the pipeline conformance suite on a real Redis Cluster.</summary>
public sealed class RedisClusterDriverTests(RedisClusterFixture cluster) : RedisDriverTests(cluster), IClassFixture<RedisClusterFixture>;
