using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
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

    // Tote's circuit breaker (internal): five failures in a row stop store calls for five seconds.
    private const int FailuresThatBreak = 5;
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

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
            // Each try waits out Tote's break on the test's clock, so that it reaches the store.
            host.Clock.Advance(BreakDuration);
            using var response = await client.PostAsync("/visit");
            return response.StatusCode == HttpStatusCode.OK;
        });
        Assert.True(recovered, "Requests still failed 30 s after redis-server came back.");
    }

    [Fact]
    public async Task ServerKilled_RequestWithACookieAnswers503WellUnderASecond_NamingTheConnectionError()
    {
        Assert.SkipUnless(RedisServerProcess.IsInstalled, Unavailable);
        await using var redis = await RedisServerProcess.StartAsync();

        // StackExchange.Redis's own timeouts left at their defaults (5 s): the answer must come
        // from the connection failing fast, not from a short timeout.
        await using var host = await StartHostAsync(redis.Configuration);
        using var client = host.CreateClient();
        (await client.PostAsync("/visit")).Dispose();

        await redis.StopAsync();
        var elapsed = new List<TimeSpan>();
        for (var i = 0; i < FailuresThatBreak + 1; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var down = await client.PostAsync("/visit");
            elapsed.Add(stopwatch.Elapsed);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.NotNull(down.Headers.RetryAfter);
        }

        Assert.All(elapsed, e => Assert.True(e < TimeSpan.FromSeconds(1), $"A request took {e.TotalMilliseconds:0} ms with Redis down: {string.Join(", ", elapsed.Select(x => x.TotalMilliseconds.ToString("0")))} ms."));
        var failures = host.Logs.GetSnapshot().Where(r => r.Exception is SessionStoreException).Select(r => r.Exception!.Message).ToList();
        // The driver's own error, whichever StackExchange.Redis saw first: the socket closing, or a
        // reconnection refused ("No connection is active/available to service this operation: MGET; SocketClosed").
        Assert.True(failures.Count > FailuresThatBreak, string.Join("\n", failures));
        Assert.All(failures, m => Assert.Contains("RedisConnectionException: No connection is active/available", m, StringComparison.Ordinal));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 70 && r.Level == LogLevel.Warning && r.Message.Contains("RedisConnectionException", StringComparison.Ordinal));

        // Back on the same port: StackExchange.Redis reconnects on its own timer and says so for
        // each of its connections (event 102). After each, once Tote's break is over on the test's
        // clock, a request tries the store: one succeeds on the same app, with no restart.
        await redis.StartAgainAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var statuses = new List<HttpStatusCode>();
        await foreach (var record in host.Logs.GetLogsAsync(wait.Token))
        {
            if (record.Id.Id != 102)
            {
                continue;
            }

            host.Clock.Advance(BreakDuration);
            using var response = await client.PostAsync("/visit");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
        }

        Assert.Equal(HttpStatusCode.OK, statuses[^1]);
    }

    [Fact]
    public async Task ServerDownAtStartup_LogsAWarningWithTheConnectionError_AndTheAppStarts()
    {
        Assert.SkipUnless(RedisServerProcess.IsInstalled, Unavailable);
        await using var redis = await RedisServerProcess.StartAsync();
        await redis.StopAsync();

        await using var host = await StartHostAsync(redis.Configuration);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var warning = await WaitForLogAsync(host.Logs, 73, wait.Token);

        Assert.Equal(LogLevel.Warning, warning.Level);
        // StackExchange.Redis's own error ("… UnableToConnect …; Connection refused" when it has
        // tried to connect by then).
        Assert.True(warning.Message.Contains("RedisConnectionException", StringComparison.Ordinal), warning.Message);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/visit");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
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

    private static Task<ToteTestHost> StartHostAsync(RedisServerProcess redis)
        => StartHostAsync(redis.Configuration + ",connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");

    private static Task<ToteTestHost> StartHostAsync(string configuration) => ToteTestHost.StartAsync(
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
            o.Driver = b => b.UseRedis(configuration);
        });

    private static async Task<FakeLogRecord> WaitForLogAsync(FakeLogCollector logs, int eventId, CancellationToken cancellationToken)
    {
        if (logs.GetSnapshot().FirstOrDefault(r => r.Id.Id == eventId) is { } written)
        {
            return written;
        }

        await foreach (var record in logs.GetLogsAsync(cancellationToken))
        {
            if (record.Id.Id == eventId)
            {
                return record;
            }
        }

        throw new OperationCanceledException($"No log event {eventId} was written.");
    }

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
