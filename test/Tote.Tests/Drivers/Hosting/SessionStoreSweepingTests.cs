using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
using Tote.Drivers.Hosting;
using Tote.Testing;

namespace Tote.Tests.Drivers.Hosting;

/// <summary>
/// Every <see cref="ISessionStoreSweeper"/> is swept on its own interval, on the app's clock:
/// a third-party driver that knows only the public contract as much as a built-in one.
/// </summary>
public sealed class SessionStoreSweepingTests
{
    [Fact]
    public async Task ThirdPartySweeper_RegisteredWithUseStore_IsSweptEveryIntervalOnTheAppsClock()
    {
        var store = new ThirdPartySweeper(TimeSpan.FromMinutes(7), removes: 4);
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("third-party", _ => store));
        var swept = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Hosted(host).Swept += n => swept.TrySetResult(n);

        host.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, store.Sweeps);
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(4, await swept.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(1, store.Sweeps);
    }

    [Fact]
    public async Task SweeperWithInfiniteInterval_IsNeverSweptOnATimer()
    {
        var store = new ThirdPartySweeper(Timeout.InfiniteTimeSpan, removes: 4);
        var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("third-party", _ => store));

        host.Clock.Advance(TimeSpan.FromDays(400));
        await host.DisposeAsync();

        Assert.Equal(0, store.Sweeps);
    }

    [Fact]
    public async Task SweeperWithZeroInterval_FailsTheStartNamingTheDriverAndTheRule()
    {
        var store = new ThirdPartySweeper(TimeSpan.Zero, removes: 0);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("third-party", _ => store)));

        Assert.Contains(nameof(ThirdPartySweeper), error.Message, StringComparison.Ordinal);
        Assert.Contains("SweepInterval must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedSweep_IsLoggedAndTheNextOneStillRuns()
    {
        var store = new ThirdPartySweeper(TimeSpan.FromMinutes(1), removes: 3) { FailFirst = true };
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("failing", _ => store));
        var swept = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Hosted(host).Swept += n => swept.TrySetResult(n);

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.FirstSweep.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(3, await swept.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var failure = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 33);
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.IsType<IOException>(failure.Exception);
    }

    private static SessionStoreHostedService Hosted(ToteTestHost host)
        => host.Services.GetServices<IHostedService>().OfType<SessionStoreHostedService>().Single();

    /// <summary>A driver written against the public contract only, as a third party would; it counts its sweeps.</summary>
    private sealed class ThirdPartySweeper(TimeSpan interval, int removes) : ISessionStore, ISessionStoreSweeper
    {
        private int _sweeps;

        public bool FailFirst { get; init; }

        public int Sweeps => Volatile.Read(ref _sweeps);

        public TaskCompletionSource FirstSweep { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan SweepInterval => interval;

        public ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _sweeps) == 1)
            {
                FirstSweep.SetResult();
                if (FailFirst)
                {
                    throw new IOException("The disk hiccuped.");
                }
            }

            return ValueTask.FromResult(removes);
        }

        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => ValueTask.FromResult<SessionRecord?>(null);

        public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
            => ValueTask.FromResult<SessionVersion?>(null);

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }
}
