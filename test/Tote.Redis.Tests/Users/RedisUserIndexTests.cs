using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Users;

/// <summary>
/// What the redis driver's per-user index does beyond the conformance suite: user IDs of any
/// text, and the TTL and pruning that keep the hashes of users nobody lists from piling up.
/// </summary>
public abstract class RedisUserIndexTests(RedisFixture server) : IAsyncLifetime
{
    private readonly string _prefix = $"tote-index-test:{Guid.NewGuid():N}:";
    private readonly FakeTimeProvider _clock = TestClock.Create();
    private ConnectionMultiplexer? _connection;
    private RedisSessionStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RedisSessionStore Store => _store!;

    private IDatabase Database => _connection!.GetDatabase();

    private RedisSessionKeys Keys => new(_prefix);

    public async ValueTask InitializeAsync()
    {
        _connection = await server.ConnectAsync();
        _store = new RedisSessionStore(_connection, ownsConnection: false, new RedisSessionStoreOptions { KeyPrefix = _prefix }, TimeSpan.FromHours(1), _clock, NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task UserIds_OfAnyText_EachKeepTheirOwnList()
    {
        // Braces (a hash tag's syntax), separators, non-ASCII, two different lone surrogates (which
        // plain UTF-8 would both turn into U+FFFD), and the longest ID the core accepts.
        string[] users = ["a{b}c", "{", "}", "ada/ü:日本", "x\uD800", "x\uDC00", "x\uFFFD", new('z', 256)];
        var sessions = new Dictionary<string, string>();
        foreach (var user in users)
        {
            sessions[user] = await CreateSessionAsync(TimeSpan.FromHours(1));
            await Store.SetUserSessionAsync(user, Entry(sessions[user], TimeSpan.FromHours(1)), Ct);
        }

        foreach (var user in users)
        {
            Assert.Equal(sessions[user], Assert.Single(await Store.ListUserSessionsAsync(user, Ct)).SessionId);
        }
    }

    [Fact]
    public async Task UsersHash_LivesAsLongAsItsLongestEntryAndADay_NeverShortened_AndGoesWithItsLastEntry()
    {
        var (longLived, shortLived) = (TestIds.New(), TestIds.New());
        var key = Keys.User("ada");

        await Store.SetUserSessionAsync("ada", Entry(longLived, TimeSpan.FromHours(2)), Ct);
        AssertTtl(TimeSpan.FromHours(2) + TimeSpan.FromDays(1), await Database.KeyTimeToLiveAsync(key));
        await Store.SetUserSessionAsync("ada", Entry(shortLived, TimeSpan.FromMinutes(10)), Ct);
        AssertTtl(TimeSpan.FromHours(2) + TimeSpan.FromDays(1), await Database.KeyTimeToLiveAsync(key));

        await Store.RemoveUserSessionAsync("ada", longLived, Ct);
        await Store.RemoveUserSessionAsync("ada", shortLived, Ct);
        Assert.False(await Database.KeyExistsAsync(key));
    }

    [Fact]
    public async Task SignIn_PrunesEntriesADayPastTheirOwnExpiry_ButAnEntryHealedByListingFollowsItsLiveSession()
    {
        var key = Keys.User("ada");
        var forgotten = TestIds.New(); // its session expired long ago and nobody listed the user
        await Store.SetUserSessionAsync("ada", Entry(forgotten, TimeSpan.FromHours(1)), Ct);

        // A session that slid to three days while its entry's rewrite failed: its entry says ten minutes.
        var slid = await CreateSessionAsync(TimeSpan.FromDays(3));
        await Store.SetUserSessionAsync("ada", Entry(slid, TimeSpan.FromMinutes(10)), Ct);
        var listed = await Store.ListUserSessionsAsync("ada", Ct);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(3), Assert.Single(listed).ExpiresAt);
        AssertTtl(TimeSpan.FromDays(4), await Database.KeyTimeToLiveAsync(key));

        _clock.Advance(TimeSpan.FromDays(2));
        var signedIn = await CreateSessionAsync(TimeSpan.FromHours(1));
        await Store.SetUserSessionAsync("ada", Entry(signedIn, TimeSpan.FromHours(1)), Ct);

        Assert.False(await Database.HashExistsAsync(key, forgotten), "An entry a day past its expiry survived a sign-in.");
        var remaining = (await Store.ListUserSessionsAsync("ada", Ct)).Select(e => e.SessionId);
        Assert.Equal(new[] { signedIn, slid }.Order(StringComparer.Ordinal), remaining.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_RemovesValuesThatAreNoEntries_AndListsTheRest()
    {
        var live = await CreateSessionAsync(TimeSpan.FromHours(1));
        await Store.SetUserSessionAsync("ada", Entry(live, TimeSpan.FromHours(1)), Ct);
        var (damaged, truncated) = (await CreateSessionAsync(TimeSpan.FromHours(1)), await CreateSessionAsync(TimeSpan.FromHours(1)));
        await Database.HashSetAsync(Keys.User("ada"), [new(damaged, "not an entry"), new(truncated, "1 2 3 -1 10 Lap")]);

        Assert.Equal(live, Assert.Single(await Store.ListUserSessionsAsync("ada", Ct)).SessionId);
        Assert.Equal([(RedisValue)live], await Database.HashKeysAsync(Keys.User("ada")));
    }

    private static void AssertTtl(TimeSpan expected, TimeSpan? actual)
    {
        Assert.NotNull(actual);

        // The server's clock runs on while the test does: allow a minute.
        Assert.InRange(actual.Value, expected - TimeSpan.FromMinutes(1), expected);
    }

    private async Task<string> CreateSessionAsync(TimeSpan lifetime)
    {
        var id = TestIds.New();
        var record = new SessionRecord { Data = "[[\"Map\"]]", CreatedAt = _clock.GetUtcNow(), ExpiresAt = _clock.GetUtcNow() + lifetime };
        Assert.NotNull(await Store.SaveAsync(id, record, SessionVersion.Missing, Ct));
        return id;
    }

    private UserSessionIndexEntry Entry(string id, TimeSpan lifetime) => new()
    {
        SessionId = id,
        SignedInAt = _clock.GetUtcNow(),
        LastSeenAt = _clock.GetUtcNow(),
        ExpiresAt = _clock.GetUtcNow() + lifetime,
    };
}

/// <summary>The redis driver's own user-index tests on in-process Garnet.</summary>
public sealed class GarnetUserIndexTests(GarnetFixture server) : RedisUserIndexTests(server), IClassFixture<GarnetFixture>;

/// <summary>The redis driver's own user-index tests on a real redis-server.</summary>
public sealed class RedisServerUserIndexTests(RedisServerFixture server) : RedisUserIndexTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The redis driver's own user-index tests on a real Redis Cluster.</summary>
public sealed class RedisClusterUserIndexTests(RedisClusterFixture cluster) : RedisUserIndexTests(cluster), IClassFixture<RedisClusterFixture>;
