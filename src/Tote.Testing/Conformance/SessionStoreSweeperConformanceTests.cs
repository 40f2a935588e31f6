using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The conformance tests of <see cref="ISessionStoreSweeper"/>, for drivers whose storage does not
/// expire records by itself (memory, files, SQL tables). A driver that implements the interface
/// inherits this class beside <see cref="SessionStoreConformanceTests"/>, saying only how to
/// create the driver; one that does not, does not inherit it, so it has no skipped tests.
/// </summary>
public abstract class SessionStoreSweeperConformanceTests : SessionStoreTestBase
{
    /// <summary>
    /// Sweeps the driver under test now. By default calls <see cref="ISessionStoreSweeper.SweepAsync"/>
    /// on <see cref="SessionStoreTestBase.Store"/>; override when the sweep is reached another way
    /// (a wrapper, a maintenance job the driver exposes).
    /// </summary>
    /// <param name="cancellationToken">The test's cancellation token.</param>
    /// <returns>The number of sessions the sweep removed.</returns>
    protected virtual ValueTask<int> SweepAsync(CancellationToken cancellationToken)
        => Assert.IsAssignableFrom<ISessionStoreSweeper>(Store).SweepAsync(cancellationToken);

    /// <summary>A sweep removes the sessions whose expiry has passed, counts them, and leaves live sessions alone.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Sweep_RemovesExpiredSessionsAndKeepsLiveOnes()
    {
        var (expired, live) = await CreateExpiredAndLiveAsync();

        Assert.True(await SweepAsync(TestContext.Current.CancellationToken) >= 1);

        Assert.Null(await Store.LoadAsync(expired, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.LoadAsync(live, TestContext.Current.CancellationToken));
    }

    /// <summary>A session one minute short of its expiry survives a sweep with its data and version.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Sweep_KeepsASessionUntilItsExpiryHasPassed()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(29));

        await SweepAsync(TestContext.Current.CancellationToken);

        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(loaded);
        Assert.Equal(CartRecord, loaded.Data);
        Assert.Equal(version, loaded.Version);
    }

    /// <summary>The interval the hosted service sweeps on is positive, or infinite for a store swept only on demand.</summary>
    [Fact]
    public void SweepInterval_IsPositiveOrInfinite()
    {
        var interval = Assert.IsAssignableFrom<ISessionStoreSweeper>(Store).SweepInterval;

        Assert.True(interval > TimeSpan.Zero || interval == Timeout.InfiniteTimeSpan, $"SweepInterval is {interval}.");
    }
}
