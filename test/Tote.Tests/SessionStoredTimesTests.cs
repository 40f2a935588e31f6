using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>Stored records whose creation and expiry times no writer would store, and lifetimes near the end of the calendar.</summary>
public sealed class SessionStoredTimesTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static Task<ToteTestHost> StartAsync(Action<ToteOptions>? tote = null)
        => ToteTestHost.StartAsync(SessionApi.Map, o => o.Tote = tote);

    [Fact]
    public async Task RecordCreatedAtTheEndOfTheCalendar_StartsAFreshSessionAndIsRemoved()
    {
        await using var host = await StartAsync();
        var now = host.Clock.GetUtcNow();
        var id = await PlantAsync(host, createdAt: DateTimeOffset.MaxValue, expiresAt: now + Hour);

        await AssertTreatedAsCorruptAsync(host, id);
    }

    [Fact]
    public async Task RecordCreatedAfterItExpires_StartsAFreshSessionAndIsRemoved()
    {
        // Both times within the clock skew allowed for a creation time: only their order is wrong.
        await using var host = await StartAsync();
        var now = host.Clock.GetUtcNow();
        var id = await PlantAsync(host, createdAt: now + TimeSpan.FromMinutes(2), expiresAt: now + TimeSpan.FromMinutes(1));

        await AssertTreatedAsCorruptAsync(host, id);
    }

    [Fact]
    public async Task RecordCreatedHoursInTheFuture_StartsAFreshSessionAndIsRemoved()
    {
        await using var host = await StartAsync();
        var now = host.Clock.GetUtcNow();
        var id = await PlantAsync(host, createdAt: now + (2 * Hour), expiresAt: now + (3 * Hour));

        await AssertTreatedAsCorruptAsync(host, id);
    }

    [Fact]
    public async Task RecordCreatedMomentsInTheFuture_IsAdopted()
    {
        // Another app server whose clock runs a little ahead wrote it.
        await using var host = await StartAsync();
        var now = host.Clock.GetUtcNow();
        var id = await PlantAsync(host, createdAt: now + TimeSpan.FromMinutes(1), expiresAt: now + Hour);
        using var client = host.CreateClient();
        client.SessionId = id;

        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        await client.PostAsync("/set/name/bob");

        Assert.Equal(id, client.SessionId);
        Assert.Equal("bob", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task TimeoutsOfManyMillennia_SessionsAreCreatedReadAndWritten()
    {
        await using var host = await StartAsync(t =>
        {
            t.IdleTimeout = TimeSpan.MaxValue;
            t.AbsoluteTimeout = TimeSpan.MaxValue;
        });
        using var client = host.CreateClient();

        using var created = await client.PostAsync("/set/name/ada");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = client.SessionId!;
        host.Clock.Advance(TimeSpan.FromDays(400));
        await client.PostAsync("/set/name/bob");

        Assert.Equal(id, client.SessionId);
        Assert.Equal("bob", await client.GetStringAsync("/get/name"));
        Assert.Equal(DateTimeOffset.MaxValue, (await host.Store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    private static async Task<string> PlantAsync(ToteTestHost host, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        var id = TestIds.New();
        var record = new SessionRecord { Data = """[["Map",1,2],"name",{"data":3,"expires":-1},"ada"]""", CreatedAt = createdAt, ExpiresAt = expiresAt };
        Assert.NotNull(await host.Store.SaveAsync(id, record, SessionVersion.Missing, TestContext.Current.CancellationToken));
        return id;
    }

    private static async Task AssertTreatedAsCorruptAsync(ToteTestHost host, string id)
    {
        using var client = host.CreateClient();
        using var corrupt = host.Metric<long>("tote.sessions.corrupt");
        client.SessionId = id;

        using var read = await client.GetAsync("/get/name");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("(null)", await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        client.SessionId = id;
        await client.PostAsync("/set/name/bob");

        Assert.NotEqual(id, client.SessionId);
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(1, corrupt.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 7 && r.Level == LogLevel.Warning);
    }
}
