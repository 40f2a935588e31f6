using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tote.Redis.Tests.Servers;
using Tote.Testing;
using Tote.Users;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// A primary of a real Redis Cluster killed while an app serves sessions spread over every
/// primary: each request answers 200 or 503, never 500, and once the cluster has promoted the
/// replica every visitor's requests succeed again, with their sessions, without a restart of the
/// app. The visitors are signed in as one user, whose list is read throughout: it answers with
/// every visitor's session or throws <see cref="SessionStoreException"/>, never anything else, and
/// lists them all once the cluster is whole again. The test starts its own cluster: the classes sharing eng/test.sh's cluster run in parallel
/// and would see the failover's outage.
/// </summary>
public sealed class RedisClusterFailoverTests
{
    private const string Unavailable = "redis-server and redis-cli are not both on the PATH (eng/test.sh installs them), so the test cannot start a cluster and kill one of its primaries.";
    private const string Prefix = "tote-failover-test:";
    private const string User = "ada";
    private static readonly SessionKey<int> Visits = new("visits");

    // Tote's circuit breaker (internal): five failures in a row stop store calls for five seconds.
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    // The real failover cannot be hurried: the node timeout (2 s) before the primary is counted
    // failed, an election of about a second, and StackExchange.Redis learning the new slot owner.
    // Bounded well above that.
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PrimaryKilled_RequestsAnswer200Or503_AndSucceedAgainWithTheirSessionsAfterTheReplicaIsPromoted()
    {
        Assert.SkipUnless(RedisClusterProcess.IsInstalled, Unavailable);
        await using var cluster = await RedisClusterProcess.StartAsync();
        var options = ConfigurationOptions.Parse(cluster.Configuration);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                app.MapPost("/visit", async (Session session) => await session.UpdateAsync(Visits, v => v + 1));
                app.MapPost("/signin", async (Session session) =>
                {
                    await session.SignInAsync(User);
                    return session.Handle;
                });
            },
            o =>
            {
                o.Tote = t => t.StoreTimeout = TimeSpan.FromSeconds(2);
                o.Driver = b => b.UseRedis(cluster.Configuration + ",connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000", r => r.KeyPrefix = Prefix);
            });

        // Signed-in visitors until every primary holds some of their sessions.
        var visitors = new List<(SessionClient Client, EndPoint Primary)>();
        var handles = new List<string>();
        while (visitors.Select(v => v.Primary).Distinct().Count() < 3 || visitors.Count < 12)
        {
            Assert.True(visitors.Count < 200, "200 sessions did not cover the cluster's three primaries.");
            var client = host.CreateClient();
            using var first = await client.PostAsync("/visit");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            using var signIn = await client.PostAsync("/signin");
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            handles.Add(await signIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var primary = await admin.GetDatabase().IdentifyEndpointAsync(Prefix + client.SessionId);
            visitors.Add((client, primary!));
        }

        // The primary of the user's index: it holds visitors' sessions too, every primary does.
        var victim = (await admin.GetDatabase().IdentifyEndpointAsync(new RedisSessionKeys(Prefix).User(User)))!;
        await WaitUntilReplicatedAsync(admin, victim);
        await cluster.KillAsync(victim);
        var killed = System.Diagnostics.Stopwatch.StartNew();

        var users = host.Services.GetRequiredService<UserSessions>();
        var (listed, listFailures) = (0, 0);
        var statuses = new List<HttpStatusCode>();
        var recovered = false;
        using var deadline = new CancellationTokenSource(FailoverBound);
        while (!recovered && !deadline.IsCancellationRequested)
        {
            recovered = true;

            // The listing first in each round, so that the first one meets the dead primary before
            // the visitors' requests (each waiting out its timeout) give the cluster time to fail
            // over. Any other exception fails the test here.
            try
            {
                var sessions = await users.ListAsync(User, TestContext.Current.CancellationToken);
                Assert.Equal(handles.Order(StringComparer.Ordinal), sessions.Select(s => s.Handle).Order(StringComparer.Ordinal));
                listed++;
            }
            catch (SessionStoreException)
            {
                listFailures++;
                recovered = false;
            }

            foreach (var (client, _) in visitors)
            {
                using var response = await client.PostAsync("/visit");
                statuses.Add(response.StatusCode);
                recovered &= response.StatusCode == HttpStatusCode.OK && int.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 1;
            }

            // Past Tote's break on the test's clock, so that the next round reaches the store.
            host.Clock.Advance(BreakDuration);
            if (!recovered)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{visitors.Count} visitors; {victim} killed; recovered: {recovered} after {killed.Elapsed.TotalSeconds:0.0} s; {statuses.Count(s => s == HttpStatusCode.OK)} × 200, {statuses.Count(s => s == HttpStatusCode.ServiceUnavailable)} × 503, {statuses.Count(s => s is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))} other; {listed} listings answered, {listFailures} threw SessionStoreException.");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"A request answered {(int)s}: {string.Join(", ", statuses.Select(x => (int)x))}."));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.True(listFailures > 0, "Listing the user whose index was on the killed primary never failed.");
        Assert.True(recovered, $"Not every visitor's request succeeded with their session {FailoverBound.TotalSeconds:0} s after {victim} was killed: {string.Join(", ", statuses.Select(x => (int)x))}.");
        foreach (var (client, _) in visitors)
        {
            client.Dispose();
        }
    }

    // Replication is asynchronous: before the kill, wait (bounded) until the victim's replica has
    // every key, so that a session lost in the failover is the driver's fault, not the timing's.
    private static async Task WaitUntilReplicatedAsync(ConnectionMultiplexer admin, EndPoint primary)
    {
        var primaryServer = admin.GetServer(primary);
        var replica = admin.GetServers().Single(s => s.IsReplica && Equals(s.ClusterConfiguration?[s.EndPoint]?.Parent?.EndPoint, primary));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await primaryServer.DatabaseSizeAsync() != await replica.DatabaseSizeAsync())
        {
            Assert.False(deadline.IsCancellationRequested, $"The replica {replica.EndPoint} of {primary} did not catch up within 10 s.");
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
