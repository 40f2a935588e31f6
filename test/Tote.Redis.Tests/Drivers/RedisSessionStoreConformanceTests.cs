using Microsoft.Extensions.Logging.Abstractions;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>How the redis driver's conformance classes create it, on one Redis-protocol server.</summary>
internal static class RedisConformance
{
    public const string KeyPrefix = "tote-test:";

    public static async ValueTask<ISessionStore> CreateAsync(RedisFixture server, TimeProvider time, string keyPrefix = KeyPrefix)
    {
        var connection = await server.ConnectAsync();
        return new RedisSessionStore(connection, ownsConnection: true, new RedisSessionStoreOptions { KeyPrefix = keyPrefix }, TimeSpan.FromHours(1), time, NullLogger.Instance);
    }
}

/// <summary>The core driver conformance suite against one Redis-protocol server.</summary>
public abstract class RedisSessionStoreConformanceTests(RedisFixture server) : SessionStoreConformanceTests
{
    /// <inheritdoc />
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => RedisConformance.CreateAsync(server, time);

    /// <summary>Bytes that are not UTF-8 where the record should be, keeping the key's TTL.</summary>
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
    {
        await using var connection = await server.ConnectAsync();
        await connection.GetDatabase().StringSetAsync(RedisConformance.KeyPrefix + id, new byte[] { 0xC3, 0x28, 0xFF }, expiry: null, keepTtl: true);
    }
}

/// <summary>The enumeration conformance tests against one Redis-protocol server.</summary>
public abstract class RedisSessionStoreEnumeratorTests(RedisFixture server) : SessionStoreEnumeratorConformanceTests
{
    /// <inheritdoc />
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => RedisConformance.CreateAsync(server, time);
}

/// <summary>The sliding-load conformance tests against one Redis-protocol server.</summary>
public abstract class RedisSessionStoreSlidingLoaderTests(RedisFixture server) : SessionStoreSlidingLoaderConformanceTests
{
    /// <inheritdoc />
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => RedisConformance.CreateAsync(server, time);
}

/// <summary>The per-user index conformance tests against one Redis-protocol server.</summary>
public abstract class RedisSessionStoreUserIndexTests(RedisFixture server) : SessionStoreUserIndexConformanceTests
{
    /// <inheritdoc />
    /// <remarks>A prefix of its own per test: the suite's tests run in parallel on one server, all with user "ada".</remarks>
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => RedisConformance.CreateAsync(server, time, $"tote-index-test:{Guid.NewGuid():N}:");
}

/// <summary>The core conformance suite against in-process Garnet.</summary>
public sealed class GarnetSessionStoreConformanceTests(GarnetFixture server) : RedisSessionStoreConformanceTests(server), IClassFixture<GarnetFixture>;

/// <summary>The core conformance suite against a real redis-server.</summary>
public sealed class RedisServerSessionStoreConformanceTests(RedisServerFixture server) : RedisSessionStoreConformanceTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The enumeration conformance tests against in-process Garnet.</summary>
public sealed class GarnetSessionStoreEnumeratorTests(GarnetFixture server) : RedisSessionStoreEnumeratorTests(server), IClassFixture<GarnetFixture>;

/// <summary>The enumeration conformance tests against a real redis-server.</summary>
public sealed class RedisServerSessionStoreEnumeratorTests(RedisServerFixture server) : RedisSessionStoreEnumeratorTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The sliding-load conformance tests against in-process Garnet.</summary>
public sealed class GarnetSessionStoreSlidingLoaderTests(GarnetFixture server) : RedisSessionStoreSlidingLoaderTests(server), IClassFixture<GarnetFixture>;

/// <summary>The sliding-load conformance tests against a real redis-server.</summary>
public sealed class RedisServerSessionStoreSlidingLoaderTests(RedisServerFixture server) : RedisSessionStoreSlidingLoaderTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The per-user index conformance tests against in-process Garnet.</summary>
public sealed class GarnetSessionStoreUserIndexTests(GarnetFixture server) : RedisSessionStoreUserIndexTests(server), IClassFixture<GarnetFixture>;

/// <summary>The per-user index conformance tests against a real redis-server.</summary>
public sealed class RedisServerSessionStoreUserIndexTests(RedisServerFixture server) : RedisSessionStoreUserIndexTests(server), IClassFixture<RedisServerFixture>;

/// <summary>Hostile stored records on one Redis-protocol server: the value at the key and the metadata string beside it, each damaged.</summary>
public abstract class RedisDriverHostileRecordTests(RedisFixture server) : SessionStoreHostileRecordConformanceTests, IAsyncLifetime
{
    private const string Prefix = "tote-hostile-test:";

    private StackExchange.Redis.ConnectionMultiplexer? _connection;

    public async ValueTask InitializeAsync() => _connection = await server.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    protected override void UseDriver(IToteBuilder builder) => builder.UseRedis(_connection!, r => r.KeyPrefix = Prefix);

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
    {
        // The keys the driver uses: the value at prefix + id, the metadata "{prefix + id}:tote" ("<created> <expires>", epoch ms).
        var database = _connection!.GetDatabase();
        var metadata = System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{record.CreatedAt} {record.ExpiresAt}"));
        await database.StringSetAsync(Prefix + id, record.Damage(record.Data.Span), TimeSpan.FromHours(2));
        await database.StringSetAsync("{" + Prefix + id + "}:tote", record.Damage(metadata), TimeSpan.FromHours(2));
    }
}

/// <summary>Hostile stored records on in-process Garnet.</summary>
public sealed class GarnetDriverHostileRecordTests(GarnetFixture server) : RedisDriverHostileRecordTests(server), IClassFixture<GarnetFixture>;

/// <summary>Hostile stored records on a real redis-server.</summary>
public sealed class RedisServerDriverHostileRecordTests(RedisServerFixture server) : RedisDriverHostileRecordTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The core conformance suite against a real Redis Cluster (three primaries with replicas).</summary>
public sealed class RedisClusterSessionStoreConformanceTests(RedisClusterFixture cluster) : RedisSessionStoreConformanceTests(cluster), IClassFixture<RedisClusterFixture>;

/// <summary>The enumeration conformance tests against a real Redis Cluster: every primary is scanned.</summary>
public sealed class RedisClusterSessionStoreEnumeratorTests(RedisClusterFixture cluster) : RedisSessionStoreEnumeratorTests(cluster), IClassFixture<RedisClusterFixture>;

/// <summary>The sliding-load conformance tests against a real Redis Cluster.</summary>
public sealed class RedisClusterSessionStoreSlidingLoaderTests(RedisClusterFixture cluster) : RedisSessionStoreSlidingLoaderTests(cluster), IClassFixture<RedisClusterFixture>;

/// <summary>Hostile stored records on a real Redis Cluster.</summary>
public sealed class RedisClusterDriverHostileRecordTests(RedisClusterFixture cluster) : RedisDriverHostileRecordTests(cluster), IClassFixture<RedisClusterFixture>;

/// <summary>The per-user index conformance tests against a real Redis Cluster: a user's hash and the sessions it lists sit in different slots.</summary>
public sealed class RedisClusterSessionStoreUserIndexTests(RedisClusterFixture cluster) : RedisSessionStoreUserIndexTests(cluster), IClassFixture<RedisClusterFixture>;
