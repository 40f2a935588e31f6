using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
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
        var swept = HostedSweeps.RemovedAsync(host, 1);

        host.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));

        Assert.Equal(1, await swept.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task FailedSweep_IsLoggedAndTheNextOneStillRuns()
    {
        var store = new FailingOnceSweeper();
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("failing", _ => store));
        var swept = HostedSweeps.RemovedAsync(host, 3);

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.FirstSweep.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(3, await swept.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var failure = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 33);
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.IsType<IOException>(failure.Exception);
    }

    private Task<ToteTestHost> StartAsync(string driver = "fs") => ToteTestHost.StartAsync(SessionApi.Map, o =>
    {
        o.Configuration["Tote:Driver"] = driver;
        o.Configuration["Tote:FileSystem:Path"] = _directory.Path;
        o.Configuration["Tote:FileSystem:SweepInterval"] = "00:01:00";
    });

    /// <summary>A store whose first sweep fails, as a disk hiccup would, and whose second removes three sessions.</summary>
    private sealed class FailingOnceSweeper : ISessionStore, ISessionStoreSweeper, IHostedSessionStore
    {
        private int _sweeps;

        public TaskCompletionSource FirstSweep { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan? SweepInterval => TimeSpan.FromMinutes(1);

        public void Announce(ILogger logger)
        {
        }

        public ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _sweeps) == 1)
            {
                FirstSweep.SetResult();
                throw new IOException("The disk hiccuped.");
            }

            return ValueTask.FromResult(3);
        }

        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => ValueTask.FromResult<SessionRecord?>(null);

        public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
            => ValueTask.FromResult<SessionVersion?>(null);

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }
}
