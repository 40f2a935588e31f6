using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// Failures against real redis-servers the tests start, stop and restart: requests answer 503
/// while the store cannot serve them, never succeed silently, and succeed again once it is back,
/// without a restart of the app.
/// </summary>
public sealed class RedisServerFailureTests
{
    private const string Unavailable = "redis-server is not on the PATH (eng/test.sh installs it), so the tests cannot start, stop and restart one.";
    private static readonly SessionKey<int> Visits = new("visits");

    [Fact]
    public async Task ServerDown_Answers503_AndRecoversWhenItComesBack()
    {
        Assert.SkipUnless(RedisServerProcess.IsInstalled, Unavailable);
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await StartHostAsync(redis);
        using var client = host.CreateClient();
        using (var first = await client.PostAsync("/visit"))
        {
            Assert.Equal("1", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await redis.StopAsync();
        using (var down = await client.PostAsync("/visit"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        }

        await redis.StartAgainAsync();

        // The data went with the server (no persistence), so the visitor starts over: what counts
        // is that requests succeed again on the same app, reconnected in the background.
        var recovered = await EventuallyAsync(async () =>
        {
            using var response = await client.PostAsync("/visit");
            return response.StatusCode == HttpStatusCode.OK;
        });
        Assert.True(recovered, "Requests still failed 30 s after redis-server came back.");
    }

    [Fact]
    public async Task ReadOnlyReplica_Answers503WithAStoreExceptionNamingTheDriver()
    {
        Assert.SkipUnless(RedisServerProcess.IsInstalled, Unavailable);

        // A replica whose primary is gone, as after a failover that left the app on the old node.
        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await StartHostAsync(replica);
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Exception is SessionStoreException { Driver: "redis" });
    }

    private static Task<ToteTestHost> StartHostAsync(RedisServerProcess redis) => ToteTestHost.StartAsync(
        app =>
        {
            app.MapPost("/visit", async (Session session) => await session.UpdateAsync(Visits, v => v + 1));
            app.MapPost("/set", (Session session) =>
            {
                session.Set(Visits, 1);
                return "ok";
            });
        },
        o =>
        {
            o.Tote = t => t.StoreTimeout = TimeSpan.FromSeconds(2);
            o.Driver = b => b.UseRedis(redis.Configuration + ",connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
        });

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> attempt)
    {
        // Reconnection happens on StackExchange.Redis's own timer; poll it, bounded.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!deadline.IsCancellationRequested)
        {
            if (await attempt())
            {
                return true;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        return false;
    }
}
