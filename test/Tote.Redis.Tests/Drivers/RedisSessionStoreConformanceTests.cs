using Microsoft.Extensions.Logging.Abstractions;
using Tote.Drivers;
using Tote.Redis.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>How the redis driver's conformance classes create it, on one Redis-protocol server.</summary>
internal static class RedisConformance
{
    public const string KeyPrefix = "tote-test:";

    public static async ValueTask<ISessionStore> CreateAsync(RedisFixture server, TimeProvider time)
    {
        var connection = await server.ConnectAsync();
        return new RedisSessionStore(connection, ownsConnection: true, new RedisSessionStoreOptions { KeyPrefix = KeyPrefix }, TimeSpan.FromHours(1), time, NullLogger.Instance);
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
