using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Tote.Diagnostics;
using Tote.Testing;

namespace Tote.Tests.Diagnostics;

public sealed class ToteTelemetryTests
{
    [Fact]
    public async Task Counters_CountTheSessionLifecycle()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();
        using var created = host.Metric<long>("tote.sessions.created");
        using var loaded = host.Metric<long>("tote.sessions.loaded");
        using var saved = host.Metric<long>("tote.sessions.saved");
        using var regenerated = host.Metric<long>("tote.sessions.regenerated");
        using var destroyed = host.Metric<long>("tote.sessions.destroyed");

        await client.PostAsync("/set/name/ada");
        await client.GetStringAsync("/get/name");
        await client.PostAsync("/regenerate");
        await client.PostAsync("/destroy");

        Assert.Equal(1, created.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, loaded.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, saved.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, regenerated.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, destroyed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(created.GetMeasurementSnapshot(), m => Assert.Equal("memory", m.Tags["tote.driver"]));
    }

    [Fact]
    public async Task StoreCalls_AreTracedWithTheToteActivitySource()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ToteTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();

        await client.PostAsync("/set/name/ada");

        lock (activities)
        {
            Assert.Contains(activities, a => a.OperationName == "tote.store.save" && (string?)a.GetTagItem("tote.driver") == "memory");
        }
    }
}
