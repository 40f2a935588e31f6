using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The core driver contract every Tote driver passes: load, compare-and-swap save, delete and
/// refresh, expiry, a corrupt record read as "not found", cancellation, and concurrent writers.
/// A driver's test class inherits it and says only how to create the driver
/// (<see cref="SessionStoreTestBase.CreateStoreAsync"/>) and how to damage a stored record
/// (<see cref="CorruptAsync"/>). Optional capabilities have conformance classes of their own:
/// <see cref="SessionStoreSweeperConformanceTests"/>, <see cref="SessionStoreEnumeratorConformanceTests"/>,
/// <see cref="SessionStoreSlidingLoaderConformanceTests"/>, and <see cref="SessionPipelineConformanceTests"/>
/// for the core's guarantees through a real pipeline.
/// </summary>
/// <example>
/// <code>
/// public sealed class MyStoreTests : SessionStoreConformanceTests
/// {
///     protected override ValueTask&lt;ISessionStore&gt; CreateStoreAsync(TimeProvider time)
///         =&gt; ValueTask.FromResult&lt;ISessionStore&gt;(new MyStore(time));
///
///     protected override ValueTask CorruptAsync(ISessionStore store, string id)
///         =&gt; ((MyStore)store).OverwriteRawAsync(id, "not a record");
/// }
/// </code>
/// </example>
public abstract partial class SessionStoreConformanceTests : SessionStoreTestBase
{
    /// <summary>
    /// Whether the driver makes check-and-write one atomic step. A driver that cannot (such as
    /// <c>distributed-cache</c>: last writer wins) says <see langword="false"/>, and the tests of
    /// concurrent saves then check what such a driver still promises: the stored record is the
    /// whole record of one save that succeeded, and once the race is over a save expecting a
    /// version that record replaced conflicts.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    protected virtual bool SupportsCompareAndSwap => true;

    /// <summary>
    /// Damages the stored record of <paramref name="id"/> the way a crash or a bad write would in
    /// this driver (bytes that are not UTF-8, an empty value, a header that does not parse), so
    /// that the suite can check it loads as "not found" and can be created again.
    /// </summary>
    /// <param name="store">The driver under test.</param>
    /// <param name="id">A session the test created.</param>
    /// <returns>A task that completes when the record is damaged.</returns>
    protected abstract ValueTask CorruptAsync(ISessionStore store, string id);

    /// <summary>Loading an ID the store never held returns <see langword="null"/>, not an exception.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Load_MissingId_ReturnsNull()
    {
        Assert.Null(await Store.LoadAsync(TestIds.New(), TestContext.Current.CancellationToken));
    }

    /// <summary>A created session loads back with its data, times and the version the save issued.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>A save expecting the current version replaces the data and issues a new version.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>A save expecting an older version conflicts (<see langword="null"/>) and leaves the stored data alone.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>A save expecting "missing" over a live session conflicts instead of overwriting it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Save_ExpectingMissing_WhenSessionExists_Conflicts()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        Assert.Null(await Store.SaveAsync(id, Record("""[["Map"]]"""), SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal(CartRecord, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    /// <summary>A save expecting a version of a deleted session conflicts and does not recreate it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Save_ExpectingVersion_AfterDelete_ConflictsAndDoesNotRecreate()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        await Store.DeleteAsync(id, TestContext.Current.CancellationToken);

        Assert.Null(await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>A version token this driver never issued conflicts.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Save_WithForeignVersionToken_Conflicts()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        Assert.Null(await Store.SaveAsync(id, Record(), new SessionVersion("not-a-version-of-this-store"), TestContext.Current.CancellationToken));
    }

    /// <summary>A session loads until its expiry and is "not found" after it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>A save expecting the version of an expired session conflicts and does not bring it back.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Save_ExpectingVersion_AfterExpiry_ConflictsAndDoesNotResurrect()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.Null(await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>An expired session counts as missing: a save expecting "missing" creates a new one under its ID.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Save_ExpectingMissing_OverExpiredSession_Creates()
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.NotNull(await Store.SaveAsync(id, Record("""[["Map"]]"""), SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal("""[["Map"]]""", (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    /// <summary>Refreshing a live session moves its expiry and keeps its data and version.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>Refreshing a missing session returns <see langword="false"/> and creates nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Refresh_MissingSession_ReturnsFalseAndCreatesNothing()
    {
        var id = TestIds.New();

        Assert.False(await Store.RefreshAsync(id, Clock.GetUtcNow().AddHours(1), TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>Refreshing an expired session returns <see langword="false"/> and does not revive it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Refresh_ExpiredSession_ReturnsFalseAndDoesNotRevive()
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.False(await Store.RefreshAsync(id, Clock.GetUtcNow().AddHours(1), TestContext.Current.CancellationToken));
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>Deleting a session removes it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Delete_ExistingSession_RemovesIt()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        await Store.DeleteAsync(id, TestContext.Current.CancellationToken);

        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    /// <summary>Deleting an ID the store does not hold does nothing and touches no other session.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Delete_MissingId_DoesNothing()
    {
        var other = TestIds.New();
        await CreateAsync(other);

        await Store.DeleteAsync(TestIds.New(), TestContext.Current.CancellationToken);

        Assert.NotNull(await Store.LoadAsync(other, TestContext.Current.CancellationToken));
    }

    /// <summary>A record of a million non-ASCII characters (surrogate pairs included) loads back exactly.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task LargeRecord_RoundTripsExactly()
    {
        var id = TestIds.New();
        var data = "[[\"Map\",1,2],\"big\",{\"data\":3,\"expires\":-1},\"" + string.Concat(Enumerable.Repeat("ä€😀x", 250_000)) + "\"]";
        await CreateAsync(id, data);

        Assert.Equal(data, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    /// <summary>A damaged record (<see cref="CorruptAsync"/>) loads as "not found", never an exception, and the ID can be created again.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task CorruptRecord_LoadsAsNotFound()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        await CorruptAsync(Store, id);

        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
    }

    /// <summary>Every call with a cancelled token throws <see cref="OperationCanceledException"/> and changes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
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

    /// <summary>An expired session reads as "not found" while a live one stays.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ExpiredSessions_ReadAsNotFound_LiveOnesStay()
    {
        // Whether the driver sweeps (SessionStoreSweeperConformanceTests) or its storage expires
        // records by itself (cache, TTL), an expired session is never loaded.
        var (expired, live) = await CreateExpiredAndLiveAsync();

        Assert.Null(await Store.LoadAsync(expired, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.LoadAsync(live, TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// A version's text, as logs and test failures show it, never holds the record's contents nor is
    /// the driver's token, whatever the driver puts in the token.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task VersionToString_HoldsNoRecordContent()
    {
        const string Secret = """[["Map",1],"card",{"data":2,"expires":-1},"4111111111111111"]""";
        var id = TestIds.New();
        var saved = await CreateAsync(id, Secret);
        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        foreach (var text in new[] { saved.ToString(), loaded!.Version.ToString() })
        {
            Assert.DoesNotContain("4111111111111111", text, StringComparison.Ordinal);
            Assert.NotEqual(loaded.Version.Token, text);
        }
    }
}
