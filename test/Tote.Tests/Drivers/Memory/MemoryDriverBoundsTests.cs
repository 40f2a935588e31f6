using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Drivers.Memory;
using Tote.Testing;

namespace Tote.Tests.Drivers.Memory;

/// <summary>
/// The memory driver's bound under attack (issue 15): a flood of cookie-less session creations
/// must evict only its own kind, never the sessions of visitors who came back.
/// </summary>
public sealed class MemoryDriverBoundsTests
{
    private const int MaxSessions = 50;
    private const int Visitors = 20;
    private const int Flood = 3000;

    [Fact]
    public async Task FloodOfNewSessions_LeavesEveryReturningVisitorsSession()
    {
        await using var host = await StartAsync();
        var visitors = await SessionFloods.ReturningVisitorsAsync(host, Visitors);

        await SessionFloods.FloodAsync(host, Flood);

        foreach (var (client, name) in visitors)
        {
            Assert.Equal(name, await client.GetStringAsync("/get/name"));
            client.Dispose();
        }

        Assert.Equal(MaxSessions, ((MemorySessionStore)host.Store).Count);
    }

    [Fact]
    public async Task FloodOfNewSessions_CountsEachEvictionOfANewSessionAndNoneOfAReturningOne()
    {
        await using var host = await StartAsync();
        using var evicted = host.Metric<long>("tote.sessions.evicted");
        foreach (var (client, _) in await SessionFloods.ReturningVisitorsAsync(host, Visitors))
        {
            client.Dispose();
        }

        await SessionFloods.FloodAsync(host, Flood);

        var measurements = evicted.GetMeasurementSnapshot();
        Assert.All(measurements, m => Assert.Equal("memory", m.Tags["tote.driver"]));
        Assert.Equal(Visitors + Flood - MaxSessions, Sum(measurements, "probation"));
        Assert.Equal(0, Sum(measurements, "protected"));
    }

    [Fact]
    public async Task FloodOfNewSessions_LogsOneWarningAMinuteNotOnePerEviction()
    {
        await using var host = await StartAsync();
        await SessionFloods.FloodAsync(host, MaxSessions + 500);
        Assert.Single(Warnings(host));

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await SessionFloods.FloodAsync(host, 10);

        var warnings = Warnings(host);
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("Tote:Memory:MaxSessions 50", warnings[0].Message, StringComparison.Ordinal);
        // The first eviction warns at once; the first a minute later warns with every one since (499 + itself).
        Assert.Contains("evicted 1 session(s) used only once and 0 session(s) of returning visitors", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("evicted 500 session(s) used only once and 0 session(s) of returning visitors", warnings[1].Message, StringComparison.Ordinal);
    }

    private static Task<ToteTestHost> StartAsync() => ToteTestHost.StartAsync(SessionApi.Map, o =>
    {
        o.Configuration["Tote:Memory:MaxSessions"] = MaxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    private static long Sum(IReadOnlyList<CollectedMeasurement<long>> measurements, string segment)
        => measurements.Where(m => (string?)m.Tags["tote.eviction.segment"] == segment).Sum(m => m.Value);

    private static List<Microsoft.Extensions.Logging.Testing.FakeLogRecord> Warnings(ToteTestHost host)
        => [.. host.Logs.GetSnapshot().Where(r => r.Category == "Tote" && r.Id.Id == 50)];
}
