using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Users;

/// <summary>
/// The per-user index on a real Redis Cluster, where a user's hash and the sessions it lists sit
/// in different slots, on different primaries: listing and revoking through the real pipeline,
/// and the write order that keeps a crash between two steps harmless.
/// </summary>
public sealed class RedisClusterUserSessionsTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>, IAsyncLifetime
{
    private readonly string _prefix = $"tote-users-test:{Guid.NewGuid():N}:";
    private ConnectionMultiplexer? _connection;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
    public async Task UserSessions_ListAndRevokeAUsersSessions_SpreadOverPrimaries()
    {
        const string User = "ada{1}:ü";
        await using var host = await RedisUsersApi.StartAsync(Connection, _prefix);
        var users = RedisUsersApi.Users(host);
        var database = Connection.GetDatabase();

        // Devices until those to be revoked together (all but the first two) sit on at least two primaries.
        var devices = new List<(SessionClient Client, string Handle, string Id, EndPoint Primary)>();
        while (devices.Count < 6 || devices.Skip(2).Select(d => d.Primary).Distinct().Count() < 2)
        {
            Assert.True(devices.Count < 60, "60 sessions did not land on two primaries.");
            var client = host.CreateClient();
            var handle = await RedisUsersApi.SignInAsync(client, User);
            var primary = await database.IdentifyEndpointAsync(_prefix + client.SessionId);
            Assert.NotNull(primary);
            Assert.False(Connection.GetServer(primary).IsReplica, $"{primary} holds a session but is a replica.");
            devices.Add((client, handle, client.SessionId!, primary));
        }

        // The user's hash: one slot of its own, tagged by the hash of the ID (whose braces would otherwise move the tag).
        var userKey = (string)new RedisSessionKeys(_prefix).User(User)!;
        var tag = userKey[(userKey.IndexOf('{', StringComparison.Ordinal) + 1)..^1];
        Assert.Equal(64, tag.Length);
        Assert.Equal((long)await database.ExecuteAsync("CLUSTER", "KEYSLOT", tag), (long)await database.ExecuteAsync("CLUSTER", "KEYSLOT", userKey));
        Assert.Equal(devices.Count, await database.HashLengthAsync(userKey));

        var listed = await users.ListAsync(User, Ct);
        Assert.Equal(devices.Select(d => d.Handle).Order(StringComparer.Ordinal), listed.Select(s => s.Handle).Order(StringComparer.Ordinal));
        Assert.All(listed, s => Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromHours(1), s.ExpiresAt));

        var (revokedAlone, kept, revokedTogether) = (devices[0], devices[1], devices.Skip(2).ToList());
        Assert.True(await users.RevokeAsync(User, revokedAlone.Handle, Ct));
        Assert.DoesNotContain(revokedAlone.Handle, (await users.ListAsync(User, Ct)).Select(s => s.Handle));
        Assert.Equal(revokedTogether.Count, await users.RevokeAllAsync(User, kept.Handle, Ct));

        Assert.Equal([kept.Handle], (await users.ListAsync(User, Ct)).Select(s => s.Handle));
        Assert.Equal(1, await database.HashLengthAsync(userKey));
        foreach (var revoked in revokedTogether.Prepend(revokedAlone))
        {
            Assert.False(await database.KeyExistsAsync(_prefix + revoked.Id), "A revoked session's value is still stored.");
            using var next = await revoked.Client.GetAsync("/me");
            Assert.Equal("(none)", await next.Content.ReadAsStringAsync(Ct));
            Assert.Contains(revoked.Client.SessionCookies(next), c => c.Expired);
        }

        Assert.Equal(User, await kept.Client.GetStringAsync("/me"));
        foreach (var device in devices)
        {
            device.Client.Dispose();
        }
    }

    [Fact]
    public async Task ACrashBetweenTheTwoWrites_LeavesAtWorstAStaleEntry_NeverALiveSessionOffTheList()
    {
        const string User = "grace";
        var clock = TestClock.Create();
        var store = new RedisSessionStore(Connection, ownsConnection: false, new RedisSessionStoreOptions { KeyPrefix = _prefix }, TimeSpan.FromHours(1), clock, NullLogger.Instance);
        var keys = new RedisSessionKeys(_prefix);
        var database = Connection.GetDatabase();
        var userPrimary = await database.IdentifyEndpointAsync(keys.User(User));
        string id;
        do
        {
            id = TestIds.New();
        }
        while (Equals(await database.IdentifyEndpointAsync(keys.Value(id)), userPrimary));

        // Sign-in, first write only (the entry, on the user's primary): the process dies before the session's save.
        await store.SetUserSessionAsync(User, Entry(clock, id), Ct);
        Assert.Empty(await store.ListUserSessionsAsync(User, Ct));
        Assert.True(await database.HashExistsAsync(keys.User(User), id), "A pending entry was removed within the grace.");

        // Had it not died, the save (on another primary) makes the session listed.
        var record = new SessionRecord { Data = "[[\"Map\"]]", CreatedAt = clock.GetUtcNow(), ExpiresAt = clock.GetUtcNow().AddHours(1) };
        Assert.NotNull(await store.SaveAsync(id, record, SessionVersion.Missing, Ct));
        Assert.Equal(id, Assert.Single(await store.ListUserSessionsAsync(User, Ct)).SessionId);

        // Revocation, first write only (the session's delete): the process dies before the entry's removal.
        await store.DeleteAsync(id, Ct);
        Assert.Empty(await store.ListUserSessionsAsync(User, Ct));

        // The stale entry goes at the first listing past the grace, and the user's hash with it.
        clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));
        Assert.Empty(await store.ListUserSessionsAsync(User, Ct));
        Assert.False(await database.KeyExistsAsync(keys.User(User)), "The stale entry outlived a listing past the grace.");
    }

    private static UserSessionIndexEntry Entry(TimeProvider clock, string id) => new()
    {
        SessionId = id,
        SignedInAt = clock.GetUtcNow(),
        LastSeenAt = clock.GetUtcNow(),
        ExpiresAt = clock.GetUtcNow().AddHours(1),
        UserAgent = "Test/1.0",
    };
}
