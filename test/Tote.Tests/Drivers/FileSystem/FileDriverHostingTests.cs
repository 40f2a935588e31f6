using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Drivers.FileSystem;
using Tote.Drivers.Hosting;
using Tote.Drivers.Memory;
using Tote.Testing;

namespace Tote.Tests.Drivers.FileSystem;

/// <summary>The <c>fs</c> driver inside an app: the default, configured, announced, swept.</summary>
public sealed class FileDriverHostingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AddTote_WithoutDriver_StoresSessionsInFilesUnderTheContentRoot()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Configuration.Remove("Tote:Driver"));

        var store = Assert.IsType<FileSessionStore>(host.Store);
        var contentRoot = host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        Assert.Equal(Path.GetFullPath(Path.Combine(contentRoot, ".tote", "sessions")), store.Directory);
    }

    [Fact]
    public async Task ConfiguredPath_HoldsTheSessionFiles()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/set/name/ada");

        Assert.True(File.Exists(Path.Combine(_directory.Path, client.SessionId + ".session")));
    }

    [Theory]
    [InlineData("memory", typeof(MemorySessionStore))]
    [InlineData("fs", typeof(FileSessionStore))]
    public async Task DriverFromConfiguration_IsUsed(string driver, Type expected)
    {
        await using var host = await StartAsync(driver);

        Assert.IsType(expected, host.Store);
    }

    [Fact]
    public async Task Startup_LogsThatTheStorageIsSingleMachine()
    {
        await using var host = await StartAsync();

        var line = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 30);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("single-machine", line.Message, StringComparison.Ordinal);
        Assert.Contains(_directory.Path, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HundredConcurrentUpdates_LeaveHundredItems()
    {
        await using var host = await StartAsync();
        using var starter = host.CreateClient();
        await starter.PostAsync("/cart/first");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            using var client = host.CreateClient();
            client.SessionId = starter.SessionId;
            using var response = await client.PostAsync($"/cart/append/{i}");
            return response.StatusCode;
        })));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var cart = (await starter.GetStringAsync("/cart")).Split(',');
        Assert.Equal(101, cart.Length);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()).Order(), cart.Skip(1).Order());
    }

    [Fact]
    public async Task Sweeper_RemovesExpiredSessionFilesAsTheClockMoves()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var file = Path.Combine(_directory.Path, client.SessionId + ".session");
        var swept = host.SweepRemovingSessions(1);

        host.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));

        Assert.Equal(1, await swept.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(file));
    }

    private Task<ToteTestHost> StartAsync(string driver = "fs") => ToteTestHost.StartAsync(SessionApi.Map, o =>
    {
        o.Configuration["Tote:Driver"] = driver;
        o.Configuration["Tote:FileSystem:Path"] = _directory.Path;
        o.Configuration["Tote:FileSystem:SweepInterval"] = "00:01:00";
    });
}
