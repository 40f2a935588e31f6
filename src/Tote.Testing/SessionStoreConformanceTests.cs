using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The conformance suite every Tote driver passes. A driver's test class inherits it and says
/// only how to create its driver and how to damage a stored record.
/// </summary>
public abstract class SessionStoreConformanceTests : IAsyncLifetime
{
    /// <summary>A stored session in Astro's format: <c>cart = ["a","b"]</c>.</summary>
    protected const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";

    private ISessionStore? _store;

    /// <summary>The fake clock the driver under test reads.</summary>
    protected FakeTimeProvider Clock { get; } = TestClock.Create();

    /// <summary>The driver under test, created once per test.</summary>
    protected ISessionStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>
    /// Whether the driver makes check-and-write one atomic step. A driver that cannot (such as
    /// <c>distributed-cache</c>: last writer wins) says <see langword="false"/>, and the tests of
    /// concurrent compare-and-swap report themselves skipped for it, with that reason.
    /// </summary>
    protected virtual bool SupportsCompareAndSwap => true;

    /// <summary>Creates the driver under test, reading time from <paramref name="time"/>.</summary>
    protected abstract ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time);

    /// <summary>Damages the stored record of <paramref name="id"/> the way a crash or a bad write would in this driver.</summary>
    protected abstract ValueTask CorruptAsync(ISessionStore store, string id);

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Clock);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        (_store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A record expiring in an hour, created now.</summary>
    protected SessionRecord Record(string data = CartRecord, TimeSpan? lifetime = null) => new()
    {
        Data = data,
        CreatedAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
    };

    /// <summary>Creates a session and returns its version.</summary>
    protected async Task<SessionVersion> CreateAsync(string id, string data = CartRecord, TimeSpan? lifetime = null)
    {
        var version = await Store.SaveAsync(id, Record(data, lifetime), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Assert.NotNull(version);
        return version.Value;
    }

    /// <summary>Creates one session that has just expired and one that lives on.</summary>
    protected async Task<(string Expired, string Live)> CreateExpiredAndLiveAsync()
    {
        var expired = TestIds.New();
        var live = TestIds.New();
        await CreateAsync(expired, lifetime: TimeSpan.FromMinutes(10));
        await CreateAsync(live, lifetime: TimeSpan.FromHours(2));
        Clock.Advance(TimeSpan.FromMinutes(11));
        return (expired, live);
    }

    [Fact]
    public async Task Load_MissingId_ReturnsNull()
    {
        Assert.Null(await Store.LoadAsync(TestIds.New(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_ThenLoad_RoundTripsDataTimesAndVersion()
    {
        var id = TestIds.New();
        var record = Record();

        var version = await Store.SaveAsync(id, record, SessionVersion.Missing, TestContext.Current.CancellationToken);
        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        Assert.NotNull(version);
        Assert.False(version.Value.IsMissing);
        Assert.NotNull(loaded);
        Assert.Equal(CartRecord, loaded.Data);
        Assert.Equal(record.CreatedAt, loaded.CreatedAt);
        Assert.Equal(record.ExpiresAt, loaded.ExpiresAt);
        Assert.Equal(version.Value, loaded.Version);
    }

    [Fact]
    public async Task Save_WithCurrentVersion_ReplacesDataAndIssuesNewVersion()
    {
        var id = TestIds.New();
        var first = await CreateAsync(id);

        var second = await Store.SaveAsync(id, Record("""[["Map"]]"""), first, TestContext.Current.CancellationToken);
        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        Assert.NotNull(second);
        Assert.NotEqual(first, second.Value);
        Assert.Equal("""[["Map"]]""", loaded!.Data);
        Assert.Equal(second.Value, loaded.Version);
    }

    [Fact]
    public async Task Save_WithStaleVersion_ConflictsAndKeepsStoredData()
    {
        var id = TestIds.New();
        var first = await CreateAsync(id);
        await Store.SaveAsync(id, Record("""[["Map"]]"""), first, TestContext.Current.CancellationToken);

        var stale = await Store.SaveAsync(id, Record("""[["Map",1,2],"x",{"data":3,"expires":-1},1]"""), first, TestContext.Current.CancellationToken);

        Assert.Null(stale);
        Assert.Equal("""[["Map"]]""", (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Save_ExpectingMissing_WhenSessionExists_Conflicts()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        Assert.Null(await Store.SaveAsync(id, Record("""[["Map"]]"""), SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal(CartRecord, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Save_ExpectingVersion_AfterDelete_ConflictsAndDoesNotRecreate()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        await Store.DeleteAsync(id, TestContext.Current.CancellationToken);

        Assert.Null(await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_WithForeignVersionToken_Conflicts()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        Assert.Null(await Store.SaveAsync(id, Record(), new SessionVersion("not-a-version-of-this-store"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Load_AfterExpiry_ReturnsNull()
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));

        Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(await Store.LoadAsync(id, TestContext.Current.CancellationToken));

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_ExpectingVersion_AfterExpiry_ConflictsAndDoesNotResurrect()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.Null(await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_ExpectingMissing_OverExpiredSession_Creates()
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.NotNull(await Store.SaveAsync(id, Record("""[["Map"]]"""), SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal("""[["Map"]]""", (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Refresh_LiveSession_MovesExpiryAndKeepsDataAndVersion()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(20));
        var expiresAt = Clock.GetUtcNow() + TimeSpan.FromMinutes(30);

        Assert.True(await Store.RefreshAsync(id, expiresAt, TestContext.Current.CancellationToken));
        Clock.Advance(TimeSpan.FromMinutes(20));
        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        Assert.NotNull(loaded);
        Assert.Equal(expiresAt, loaded.ExpiresAt);
        Assert.Equal(CartRecord, loaded.Data);
        Assert.Equal(version, loaded.Version);
    }

    [Fact]
    public async Task Refresh_MissingSession_ReturnsFalseAndCreatesNothing()
    {
        var id = TestIds.New();

        Assert.False(await Store.RefreshAsync(id, Clock.GetUtcNow().AddHours(1), TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Refresh_ExpiredSession_ReturnsFalseAndDoesNotRevive()
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.False(await Store.RefreshAsync(id, Clock.GetUtcNow().AddHours(1), TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_ExistingSession_RemovesIt()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        await Store.DeleteAsync(id, TestContext.Current.CancellationToken);

        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_MissingId_DoesNothing()
    {
        var other = TestIds.New();
        await CreateAsync(other);

        await Store.DeleteAsync(TestIds.New(), TestContext.Current.CancellationToken);

        Assert.NotNull(await Store.LoadAsync(other, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConcurrentSaves_WithTheSameVersion_LeaveOneWholeRecord()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        var written = Enumerable.Range(0, 20).Select(i => $$"""[["Map",1,2],"n",{"data":3,"expires":-1},{{i}}]""").ToList();

        var results = await Task.WhenAll(written.Select(data => Task.Run(async () =>
            await Store.SaveAsync(id, Record(data), version, TestContext.Current.CancellationToken))));

        // Every driver keeps one of the records whole; with compare-and-swap exactly one save wins.
        Assert.Contains((await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data, written);
        if (SupportsCompareAndSwap)
        {
            Assert.Single(results, r => r is not null);
        }
        else
        {
            Assert.Contains(results, r => r is not null);
        }
    }

    [Fact]
    public async Task ConcurrentCompareAndSwapLoops_LoseNoUpdateWhereTheDriverCanCompare()
    {
        var id = TestIds.New();
        await CreateAsync(id, data: "0");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var current = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
                var next = (int.Parse(current!.Data, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (await Store.SaveAsync(id, Record(next), current.Version, TestContext.Current.CancellationToken) is not null)
                {
                    return;
                }
            }
        })));

        var final = int.Parse((await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data, System.Globalization.CultureInfo.InvariantCulture);
        if (SupportsCompareAndSwap)
        {
            Assert.Equal(50, final);
        }
        else
        {
            // Last writer wins: updates may be lost, but the count is one some writer stored.
            Assert.InRange(final, 1, 50);
        }
    }

    [Fact]
    public async Task LargeRecord_RoundTripsExactly()
    {
        var id = TestIds.New();
        var data = "[[\"Map\",1,2],\"big\",{\"data\":3,\"expires\":-1},\"" + string.Concat(Enumerable.Repeat("ä€😀x", 250_000)) + "\"]";
        await CreateAsync(id, data);

        Assert.Equal(data, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task CorruptRecord_LoadsAsNotFound()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        await CorruptAsync(Store, id);

        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CancelledToken_ThrowsOperationCanceledAndChangesNothing()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.LoadAsync(id, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.SaveAsync(id, Record("""[["Map"]]"""), version, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.DeleteAsync(id, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.RefreshAsync(id, Clock.GetUtcNow().AddDays(1), cancelled.Token));

        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(version, loaded.Version);
    }

    [Fact]
    public async Task ExpiredSessions_AreSweptOrExpiredByTheStorage_LiveOnesStay()
    {
        var (expired, live) = await CreateExpiredAndLiveAsync();

        // A driver without a sweeper relies on its storage to expire records (cache or TTL).
        if (Store is ISessionStoreSweeper sweeper)
        {
            Assert.True(await sweeper.SweepAsync(TestContext.Current.CancellationToken) >= 1);
        }

        Assert.Null(await Store.LoadAsync(expired, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.LoadAsync(live, TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// The check for drivers that implement <see cref="ISessionStoreEnumerator"/>: their test class
    /// calls it from a test of its own, so drivers without the capability have no skipped test.
    /// </summary>
    protected async Task AssertEnumerationListsLiveSessionsOnlyAsync()
    {
        var enumerator = Assert.IsAssignableFrom<ISessionStoreEnumerator>(Store);
        var (expired, live) = await CreateExpiredAndLiveAsync();

        var ids = new List<string>();
        await foreach (var id in enumerator.GetSessionIdsAsync(TestContext.Current.CancellationToken))
        {
            ids.Add(id);
        }

        Assert.Contains(live, ids);
        Assert.DoesNotContain(expired, ids);
    }

    /// <summary>
    /// The first check for drivers that implement <see cref="ISessionStoreSlidingLoader"/>, called
    /// from a test of their own: the expiry moves only once a tenth of the idle timeout has passed,
    /// the record says whether this load moved it, and the data and version never change.
    /// </summary>
    protected async Task AssertSlidingLoadMovesExpiryOnlyWhenDueAsync()
    {
        var loader = Assert.IsAssignableFrom<ISessionStoreSlidingLoader>(Store);
        var id = TestIds.New();
        var idle = TimeSpan.FromMinutes(30);
        var version = await CreateAsync(id, lifetime: idle);
        var created = Clock.GetUtcNow();

        Clock.Advance(TimeSpan.FromMinutes(2));
        var early = await loader.LoadAndSlideAsync(id, idle, TimeSpan.FromHours(24), TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var due = await loader.LoadAndSlideAsync(id, idle, TimeSpan.FromHours(24), TestContext.Current.CancellationToken);

        Assert.Equal(created + idle, early!.ExpiresAt);
        Assert.False(early.Slid);
        Assert.Equal(Clock.GetUtcNow() + idle, due!.ExpiresAt);
        Assert.True(due.Slid);
        Assert.Equal(version, due.Version);
        Assert.Equal(CartRecord, due.Data);
        Assert.Equal(due.ExpiresAt, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    /// <summary>The second check for <see cref="ISessionStoreSlidingLoader"/>: a slide never passes the absolute lifetime.</summary>
    protected async Task AssertSlidingLoadNeverPassesTheAbsoluteLifetimeAsync()
    {
        var loader = Assert.IsAssignableFrom<ISessionStoreSlidingLoader>(Store);
        var id = TestIds.New();
        var created = Clock.GetUtcNow();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));

        Clock.Advance(TimeSpan.FromMinutes(25));
        var loaded = await loader.LoadAndSlideAsync(id, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40), TestContext.Current.CancellationToken);

        Assert.Equal(created + TimeSpan.FromMinutes(40), loaded!.ExpiresAt);
        Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Null(await loader.LoadAndSlideAsync(id, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(40), TestContext.Current.CancellationToken));
    }
}
