using System.Globalization;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Testing;

namespace Tote.Tests.Drivers.FileSystem;

/// <summary>
/// The fs driver under the attacks of issue 15: a flood of new sessions must not fill the disk or
/// push out returning visitors, one hot session must take 200 concurrent writes, and session
/// files must be private to the app's user.
/// </summary>
public sealed class FileDriverBoundsTests : IDisposable
{
    private const int MaxSessions = 30;
    private const int Visitors = 10;
    private const int Flood = 400;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task FloodOfNewSessions_StaysAtTheBoundAndLeavesEveryReturningVisitorsSession()
    {
        await using var host = await StartAsync();
        var visitors = await SessionFloods.ReturningVisitorsAsync(host, Visitors);

        await SessionFloods.FloodAsync(host, Flood);

        Assert.Equal(MaxSessions, SessionFiles().Length);
        foreach (var (client, name) in visitors)
        {
            Assert.Equal(name, await client.GetStringAsync("/get/name"));
            client.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentFlood_EndsAtTheBoundWithEveryReturningVisitorsSession()
    {
        await using var host = await StartAsync();
        var visitors = await SessionFloods.ReturningVisitorsAsync(host, Visitors);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => SessionFloods.FloodAsync(host, 30))));

        Assert.Equal(MaxSessions, SessionFiles().Length);
        foreach (var (client, name) in visitors)
        {
            Assert.Equal(name, await client.GetStringAsync("/get/name"));
            client.Dispose();
        }
    }

    [Fact]
    public async Task FloodOfNewSessions_IsCountedAndWarnedAboutOnce()
    {
        await using var host = await StartAsync();
        using var evicted = host.Metric<long>("tote.sessions.evicted");
        foreach (var (client, _) in await SessionFloods.ReturningVisitorsAsync(host, Visitors))
        {
            client.Dispose();
        }

        await SessionFloods.FloodAsync(host, Flood);

        var measurements = evicted.GetMeasurementSnapshot();
        Assert.All(measurements, m => Assert.Equal("fs", m.Tags["tote.driver"]));
        Assert.Equal(Visitors + Flood - MaxSessions, measurements.Where(m => (string?)m.Tags["tote.eviction.segment"] == "probation").Sum(m => m.Value));
        Assert.DoesNotContain(measurements, m => (string?)m.Tags["tote.eviction.segment"] == "protected");
        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 50);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Tote:FileSystem:MaxSessions 30", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoHundredConcurrentUpdatesOfOneSession_AllLand()
    {
        await using var host = await StartAsync();
        using var starter = host.CreateClient();
        (await starter.PostAsync("/cart/first")).Dispose();

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            starter.SendWithIdAsync(HttpMethod.Post, $"/cart/append/{i}", starter.SessionId!)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        var cart = (await starter.GetStringAsync("/cart")).Split(',');
        Assert.Equal(201, cart.Length);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(), cart.Skip(1).Order());
    }

    [Fact]
    public async Task SessionFilesAndLockFiles_AreReadableAndWritableByTheAppsUserOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes do not apply on Windows.");
            return;
        }

        await using var host = await StartAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/set/name/ada")).Dispose();
        (await client.PostAsync("/set/name/grace")).Dispose(); // a rewrite: a new temporary file renamed over the first

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner, File.GetUnixFileMode(Assert.Single(SessionFiles())));
        var locks = Directory.GetFiles(Path.Combine(_directory.Path, ".locks"));
        Assert.NotEmpty(locks);
        foreach (var file in locks)
        {
            Assert.Equal(owner, File.GetUnixFileMode(file));
        }
    }

    private Task<ToteTestHost> StartAsync() => ToteTestHost.StartAsync(SessionApi.Map, o =>
    {
        o.Configuration["Tote:Driver"] = "fs";
        o.Configuration["Tote:FileSystem:Path"] = _directory.Path;
        o.Configuration["Tote:FileSystem:MaxSessions"] = MaxSessions.ToString(CultureInfo.InvariantCulture);
    });

    private string[] SessionFiles() => Directory.GetFiles(_directory.Path, "*.session");

}
