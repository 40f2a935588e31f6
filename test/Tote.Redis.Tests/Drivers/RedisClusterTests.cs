using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// Where the driver's keys land on a real Redis Cluster: both keys of a session in one hash slot
/// on one primary, and the sessions of an app spread over every primary (so the conformance
/// classes on this cluster exercise all of them).
/// </summary>
public sealed class RedisClusterTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>, IAsyncLifetime
{
    private const string Prefix = "tote-cluster-test:";

    private ConnectionMultiplexer? _connection;

    private ConnectionMultiplexer Connection => _connection!;

    public async ValueTask InitializeAsync() => _connection = await cluster.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Save_PutsBothKeysOfASessionInOneSlotOnOnePrimary_AndSessionsOnEveryPrimary()
    {
        var clock = TestClock.Create();
        var store = new RedisSessionStore(Connection, ownsConnection: false, new RedisSessionStoreOptions { KeyPrefix = Prefix }, TimeSpan.FromHours(1), clock, NullLogger.Instance);
        var keys = new RedisSessionKeys(Prefix);
        var database = Connection.GetDatabase();
        var primaries = new HashSet<EndPoint>();

        for (var i = 0; i < 40; i++)
        {
            var id = TestIds.New();
            var record = new SessionRecord { Data = "[\"Map\"]", CreatedAt = clock.GetUtcNow(), ExpiresAt = clock.GetUtcNow().AddHours(1) };
            await store.SaveAsync(id, record, SessionVersion.Missing, TestContext.Current.CancellationToken);

            // The server's own hash-slot arithmetic, not the client's.
            var valueSlot = (long)await database.ExecuteAsync("CLUSTER", "KEYSLOT", (string)keys.Value(id)!);
            var metadataSlot = (long)await database.ExecuteAsync("CLUSTER", "KEYSLOT", (string)keys.Metadata(id)!);
            Assert.Equal(valueSlot, metadataSlot);

            var endPoint = await database.IdentifyEndpointAsync(keys.Value(id));
            Assert.NotNull(endPoint);
            var server = Connection.GetServer(endPoint);
            Assert.False(server.IsReplica, $"{endPoint} holds slot {valueSlot} but is a replica.");
            var onServer = new List<string>();
            await foreach (var key in server.KeysAsync(pattern: "*" + id + "*"))
            {
                onServer.Add(key!);
            }

            Assert.Equal([(string)keys.Value(id)!, (string)keys.Metadata(id)!], onServer.Order(StringComparer.Ordinal));
            primaries.Add(endPoint);
        }

        // Forty random IDs miss one of three primaries with a chance of 3 * (2/3)^40, under 1 in 10 million.
        Assert.Equal(3, Connection.GetServers().Count(s => !s.IsReplica));
        Assert.True(primaries.Count == 3, $"The sessions landed only on {string.Join(", ", primaries)}.");
    }
}
