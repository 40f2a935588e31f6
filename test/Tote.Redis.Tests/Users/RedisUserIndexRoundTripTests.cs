using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Tote.Drivers;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Users;

/// <summary>
/// What the per-user index costs a real app, counted with StackExchange.Redis's profiler on the
/// app's own connection: no command for a signed-in request that only reads, one for a sign-in
/// and a destroy, and a listing of a fixed number of round trips whatever the user's sessions.
/// </summary>
public abstract class RedisUserIndexRoundTripTests(RedisFixture server) : IAsyncLifetime
{
    private readonly string _prefix = $"tote-cost-test:{Guid.NewGuid():N}:";
    private ConnectionMultiplexer? _connection;
    private ProfilingSession? _profiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await server.ConnectAsync();

        // Requests run off the test's async flow (the test server), so the session is a field
        // the test swaps, not an AsyncLocal; each test has its own connection.
        _connection.RegisterProfiler(() => _profiling);
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
    public async Task SignedInRead_SendsNoIndexCommand_SignInAndSignOutSendOneEach()
    {
        await using var host = await RedisUsersApi.StartAsync(_connection!, _prefix);
        using var warm = host.CreateClient();
        (await warm.PostAsync("/signin?user=grace")).Dispose(); // the store's first sign-in makes its handle key: once per store, not per sign-in
        using var anonymous = host.CreateClient();
        using var signedIn = host.CreateClient();
        (await anonymous.PostAsync("/set/cart/apple")).Dispose();
        (await signedIn.PostAsync("/set/cart/apple")).Dispose();

        // Sign-in is a regenerate that binds the user: one more command, the entry's script.
        var regenerate = await ProfileAsync(() => anonymous.PostAsync("/regenerate"));
        var signIn = await ProfileAsync(() => signedIn.PostAsync("/signin?user=ada"));
        Assert.Equal(regenerate.Count + 1, signIn.Count);

        // A read before the expiry's slide is due: the load script alone, as for a session nobody signed in to.
        var anonymousRead = await ProfileAsync(() => anonymous.GetAsync("/me"));
        var signedInRead = await ProfileAsync(() => signedIn.GetAsync("/me"));
        Assert.Single(anonymousRead);
        Assert.Equal(anonymousRead.Select(c => c.Command), signedInRead.Select(c => c.Command));

        // Sign-out (a read, then destroy): the session's delete, then the entry's HDEL.
        var destroyAnonymous = await ProfileAsync(() => anonymous.PostAsync("/signout"));
        var destroySignedIn = await ProfileAsync(() => signedIn.PostAsync("/signout"));
        Assert.Equal(destroyAnonymous.Count + 1, destroySignedIn.Count);
        Assert.Equal("HDEL", destroySignedIn[^1].Command);
    }

    [Fact]
    public async Task List_TakesTwoRoundTripsWhateverTheNumberOfSessions_AndAThirdToRemoveAStaleEntry()
    {
        await using var host = await RedisUsersApi.StartAsync(_connection!, _prefix);
        var users = RedisUsersApi.Users(host);
        var clients = Enumerable.Range(0, 8).Select(_ => host.CreateClient()).ToList();
        foreach (var client in clients)
        {
            await RedisUsersApi.SignInAsync(client, "ada");
        }

        // An abandoned sign-in: an entry whose session was never stored, past the grace.
        var index = Assert.IsAssignableFrom<ISessionStoreUserIndex>(host.Store);
        await index.SetUserSessionAsync("ada", new UserSessionIndexEntry { SessionId = TestIds.New(), SignedInAt = host.Clock.GetUtcNow(), LastSeenAt = host.Clock.GetUtcNow(), ExpiresAt = host.Clock.GetUtcNow().AddHours(1) }, Ct);
        host.Clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));

        var cleaning = await ProfileAsync(async () => Assert.Equal(8, (await users.ListAsync("ada", Ct)).Count));
        var plain = await ProfileAsync(async () => Assert.Equal(8, (await users.ListAsync("ada", Ct)).Count));

        // HGETALL; PTTL and MGET per entry, in one batch; then the clean-up script, only the first time.
        Assert.Equal(1 + (2 * 9) + 1, cleaning.Count);
        Assert.Equal(3, RoundTrips(cleaning));
        Assert.Equal(1 + (2 * 8), plain.Count);
        Assert.Equal(2, RoundTrips(plain));
        clients.ForEach(c => c.Dispose());
    }

    /// <summary>
    /// The round trips the commands took one after another: a command waited for another when it
    /// was created after the other's answer arrived. A pipelined batch is created whole before
    /// any of it is sent, so it counts once.
    /// </summary>
    private static int RoundTrips(IReadOnlyList<IProfiledCommand> commands)
    {
        var ordered = commands.OrderBy(c => c.CommandCreated).ToList();
        var depth = new int[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            depth[i] = 1;
            for (var j = 0; j < i; j++)
            {
                var answered = ordered[j].CommandCreated + ordered[j].CreationToEnqueued + ordered[j].EnqueuedToSending + ordered[j].SentToResponse;
                if (answered <= ordered[i].CommandCreated)
                {
                    depth[i] = Math.Max(depth[i], depth[j] + 1);
                }
            }
        }

        return depth.Max();
    }

    private async Task<IReadOnlyList<IProfiledCommand>> ProfileAsync(Func<Task> action)
    {
        var session = new ProfilingSession();
        _profiling = session;
        try
        {
            await action();
        }
        finally
        {
            _profiling = null;
        }

        // The multiplexer's own traffic (heartbeats, topology) is not the app's.
        return
        [
            .. session.FinishProfiling()
                .Where(c => c.Command is not ("PING" or "ECHO" or "CLUSTER" or "INFO" or "CONFIG" or "CLIENT" or "SUBSCRIBE"))
                .OrderBy(c => c.CommandCreated),
        ];
    }

    private Task<IReadOnlyList<IProfiledCommand>> ProfileAsync(Func<Task<HttpResponseMessage>> request)
        => ProfileAsync(async () =>
        {
            using var response = await request();
            response.EnsureSuccessStatusCode();
        });
}

/// <summary>The user index's cost on in-process Garnet.</summary>
public sealed class GarnetUserIndexRoundTripTests(GarnetFixture server) : RedisUserIndexRoundTripTests(server), IClassFixture<GarnetFixture>;

/// <summary>The user index's cost on a real redis-server.</summary>
public sealed class RedisServerUserIndexRoundTripTests(RedisServerFixture server) : RedisUserIndexRoundTripTests(server), IClassFixture<RedisServerFixture>;

/// <summary>The user index's cost on a real Redis Cluster, where a listing's batch goes to several primaries.</summary>
public sealed class RedisClusterUserIndexRoundTripTests(RedisClusterFixture cluster) : RedisUserIndexRoundTripTests(cluster), IClassFixture<RedisClusterFixture>;
