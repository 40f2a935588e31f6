using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The conformance tests of <see cref="ISessionStoreSlidingLoader"/>: a load that also moves the
/// idle expiry, when due, in the same store call. A driver that implements the interface inherits
/// this class beside <see cref="SessionStoreConformanceTests"/>, saying only how to create the driver.
/// </summary>
public abstract class SessionStoreSlidingLoaderConformanceTests : SessionStoreTestBase
{
    /// <summary>
    /// The expiry moves only once it would move by at least the minimum slide, the result says
    /// whether this load moved it, and the data and version never change.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SlidingLoad_MovesExpiryOnlyOnceATenthOfTheIdleTimeoutHasPassed_AndNeverTheRecord()
    {
        var loader = Assert.IsAssignableFrom<ISessionStoreSlidingLoader>(Store);
        var id = TestIds.New();
        var idle = TimeSpan.FromMinutes(30);
        var expiration = new SlidingExpiration(idle, TimeSpan.FromHours(24), MinimumSlide: TimeSpan.FromMinutes(3));
        var version = await CreateAsync(id, lifetime: idle);
        var created = Clock.GetUtcNow();

        Clock.Advance(TimeSpan.FromMinutes(2));
        var early = await loader.LoadAndSlideAsync(id, expiration, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var due = await loader.LoadAndSlideAsync(id, expiration, TestContext.Current.CancellationToken);

        Assert.Equal(created + idle, early!.Value.Record.ExpiresAt);
        Assert.False(early.Value.Slid);
        Assert.Equal(Clock.GetUtcNow() + idle, due!.Value.Record.ExpiresAt);
        Assert.True(due.Value.Slid);
        Assert.Equal(version, due.Value.Record.Version);
        Assert.Equal(CartRecord, due.Value.Record.Data);
        Assert.Equal(due.Value.Record.ExpiresAt, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    /// <summary>A slide never moves the expiry past the absolute lifetime, and the session is gone once that has passed.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SlidingLoad_NeverPassesTheAbsoluteLifetime()
    {
        var loader = Assert.IsAssignableFrom<ISessionStoreSlidingLoader>(Store);
        var id = TestIds.New();
        var created = Clock.GetUtcNow();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));

        Clock.Advance(TimeSpan.FromMinutes(25));
        var expiration = new SlidingExpiration(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40), MinimumSlide: TimeSpan.FromMinutes(3));
        var loaded = await loader.LoadAndSlideAsync(id, expiration, TestContext.Current.CancellationToken);

        Assert.Equal(created + TimeSpan.FromMinutes(40), loaded!.Value.Record.ExpiresAt);
        Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Null(await loader.LoadAndSlideAsync(id, expiration, TestContext.Current.CancellationToken));
    }
}
