using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>The driver conformance suite against one Redis-protocol server.</summary>
public abstract class RedisSessionStoreConformanceTests(RedisFixture server) : SessionStoreConformanceTests
{
    internal const string KeyPrefix = "tote-test:";

    [Fact]
    public Task Enumerate_ListsLiveSessionsOnly() => AssertEnumerationListsLiveSessionsOnlyAsync();

    [Fact]
    public Task SlidingLoad_MovesExpiryOnlyOnceATenthOfTheIdleTimeoutHasPassed() => AssertSlidingLoadMovesExpiryOnlyWhenDueAsync();

    [Fact]
    public Task SlidingLoad_NeverPassesTheAbsoluteLifetime() => AssertSlidingLoadNeverPassesTheAbsoluteLifetimeAsync();

    /// <inheritdoc />
    protected override async ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
    {
        var connection = await server.ConnectAsync();
        return new RedisSessionStore(connection, ownsConnection: true, new RedisSessionStoreOptions { KeyPrefix = KeyPrefix }, TimeSpan.FromHours(1), time, NullLogger.Instance);
    }

    /// <summary>Bytes that are not UTF-8 where the record should be, keeping the key's TTL.</summary>
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
    {
        await using var connection = await server.ConnectAsync();
        await connection.GetDatabase().StringSetAsync(KeyPrefix + id, new byte[] { 0xC3, 0x28, 0xFF }, expiry: null, keepTtl: true);
    }
}

/// <summary>The conformance suite against in-process Garnet.</summary>
public sealed class GarnetSessionStoreConformanceTests(GarnetFixture server) : RedisSessionStoreConformanceTests(server), IClassFixture<GarnetFixture>;

/// <summary>The conformance suite against a real redis-server.</summary>
public sealed class RedisServerSessionStoreConformanceTests(RedisServerFixture server) : RedisSessionStoreConformanceTests(server), IClassFixture<RedisServerFixture>;
