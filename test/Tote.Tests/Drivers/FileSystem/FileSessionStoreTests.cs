using System.Globalization;
using Tote.Drivers;
using Tote.Drivers.FileSystem;
using Tote.Testing;

namespace Tote.Tests.Drivers.FileSystem;

/// <summary>The core conformance suite on the fs driver, and what the driver promises beyond it: one file per session, several stores on one directory, sweeping files.</summary>
public sealed class FileSessionStoreTests : SessionStoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => FileConformance.CreateAsync(DisposeAfterTest(_directory), time);

    // A header that does not parse: what a damaged file looks like to this driver.
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
        => await File.WriteAllTextAsync(((FileSessionStore)store).PathOf(id), "not a session file", TestContext.Current.CancellationToken);

    [Fact]
    public async Task Save_WritesOneFileNamedAfterTheSessionAndNoTemporaryFiles()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        var files = Directory.GetFiles(_directory.Path).Select(Path.GetFileName);

        Assert.Equal([id + ".session"], files);
        Assert.EndsWith("\n" + CartRecord, await File.ReadAllTextAsync(Path.Combine(_directory.Path, id + ".session"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoStoresOnOneDirectory_CompareAndSwapAcrossThem()
    {
        using var other = NewStore(Clock);
        var id = TestIds.New();
        var version = await CreateAsync(id);

        var first = await other.SaveAsync(id, Record("""[["Map"]]"""), version, TestContext.Current.CancellationToken);
        var second = await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(first, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Version);
    }

    [Fact]
    public async Task TwoStoresOnOneDirectory_ConcurrentCompareAndSwapLoops_LoseNoUpdate()
    {
        // Two independent instances share nothing in memory, as two processes would: only the
        // lock file and the version in the file keep their writes apart.
        using var other = NewStore(Clock);
        var id = TestIds.New();
        await CreateAsync(id, data: "0");

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : other;
            while (true)
            {
                var current = await store.LoadAsync(id, TestContext.Current.CancellationToken);
                var next = (int.Parse(current!.Data, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                if (await store.SaveAsync(id, Record(next), current.Version, TestContext.Current.CancellationToken) is not null)
                {
                    return;
                }
            }
        })));

        Assert.Equal("60", (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Load_ValidHeaderButInvalidUtf8_IsNotFoundAndCanBeReplaced()
    {
        var id = TestIds.New();
        await CreateAsync(id);
        var path = ((FileSessionStore)Store).PathOf(id);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, [.. bytes.Take(bytes.Length - 3), 0xC3, 0x28, 0xFF], TestContext.Current.CancellationToken);

        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("ABCDEF")]
    [InlineData("")]
    public async Task IdsThatAreNotFileSafe_AreNotFoundAndCannotBeSaved(string id)
    {
        Assert.Null(await Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.False(await Store.RefreshAsync(id, Clock.GetUtcNow().AddHours(1), TestContext.Current.CancellationToken));
        await Store.DeleteAsync(id, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Sweep_DeletesTheFilesOfExpiredAndMalformedSessions()
    {
        var expired = TestIds.New();
        var malformed = TestIds.New();
        var live = TestIds.New();
        await CreateAsync(expired, lifetime: TimeSpan.FromMinutes(10));
        await CreateAsync(malformed);
        await CreateAsync(live, lifetime: TimeSpan.FromHours(2));
        await CorruptAsync(Store, malformed);
        Clock.Advance(TimeSpan.FromMinutes(11));

        var removed = await ((ISessionStoreSweeper)Store).SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, removed);
        Assert.Equal([live + ".session"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Sweep_DeletesTemporaryFilesLeftByACrashedWriter()
    {
        var orphan = Path.Combine(_directory.Path, TestIds.New() + ".session.0123.tmp");
        var fresh = Path.Combine(_directory.Path, TestIds.New() + ".session.4567.tmp");
        await File.WriteAllTextAsync(orphan, "half a record", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(fresh, "being written", TestContext.Current.CancellationToken);
        File.SetLastWriteTimeUtc(orphan, Clock.GetUtcNow().UtcDateTime.AddHours(-2));
        File.SetLastWriteTimeUtc(fresh, Clock.GetUtcNow().UtcDateTime.AddMinutes(-1));

        await ((ISessionStoreSweeper)Store).SweepAsync(TestContext.Current.CancellationToken);

        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task FlushToDisk_StillRoundTrips()
    {
        using var store = new FileSessionStore(_directory.Path, new FileSessionStoreOptions { FlushToDisk = true }, Clock);
        var id = TestIds.New();

        var version = await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Equal(version, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.Version);
    }

    [Fact]
    public void NewDirectory_IsPrivateToTheAppsUserOnUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes do not apply on Windows.");
            return;
        }

        var path = Path.Combine(_directory.Path, "new", "sessions");

        using var store = new FileSessionStore(path, new FileSessionStoreOptions(), Clock);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Data_SurvivesANewStoreInstance()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        using var restarted = NewStore(Clock);

        Assert.Equal(CartRecord, (await restarted.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Load_OfASessionUsedOnce_MarksItEstablishedAndKeepsItsVersion()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        Assert.EndsWith(" 0", HeaderOf(id), StringComparison.Ordinal);

        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        Assert.Equal(version, loaded!.Version);
        Assert.EndsWith(" 1", HeaderOf(id), StringComparison.Ordinal);
        Assert.NotNull(await Store.SaveAsync(id, Record(), version, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Load_OfAFileWrittenBeforeTheEstablishedFlag_ReadsItAndLeavesItAlone()
    {
        var id = TestIds.New();
        var path = ((FileSessionStore)Store).PathOf(id);
        var old = RecordEnvelope.Write(Record(), new SessionVersion("0123456789abcdef0123456789abcdef"));
        await File.WriteAllBytesAsync(path, old, TestContext.Current.CancellationToken);

        var loaded = await Store.LoadAsync(id, TestContext.Current.CancellationToken);

        Assert.Equal(CartRecord, loaded!.Data);
        Assert.Equal(old, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RestartedStoreOverTheBound_EvictsTheSessionsUsedOnceItFindsInTheDirectory()
    {
        var established = new[] { TestIds.New(), TestIds.New(), TestIds.New() };
        var usedOnce = new[] { TestIds.New(), TestIds.New() };
        foreach (var id in established.Concat(usedOnce))
        {
            await CreateAsync(id);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        foreach (var id in established)
        {
            await Store.LoadAsync(id, TestContext.Current.CancellationToken);
        }

        using var restarted = new FileSessionStore(_directory.Path, new FileSessionStoreOptions { MaxSessions = 5, SweepInterval = TimeSpan.FromDays(1) }, Clock);
        var newcomers = new[] { TestIds.New(), TestIds.New() };
        foreach (var id in newcomers)
        {
            await restarted.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        }

        Assert.Equal(5, restarted.Count);
        Assert.Equal(
            established.Concat(newcomers).Select(id => id + ".session").Order(),
            Directory.GetFiles(_directory.Path, "*.session").Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Sweep_CountsFilesAnotherProcessCreatedAndDropsExpiredOnes()
    {
        using var store = NewStore(Clock);
        using var other = NewStore(Clock);
        await store.SaveAsync(TestIds.New(), Record(lifetime: TimeSpan.FromMinutes(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await other.SaveAsync(TestIds.New(), Record(lifetime: TimeSpan.FromHours(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await other.SaveAsync(TestIds.New(), Record(lifetime: TimeSpan.FromHours(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Assert.Equal(1, store.Count);
        Clock.Advance(TimeSpan.FromMinutes(2));

        await store.SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, store.Count);
    }

    private string HeaderOf(string id)
        => File.ReadLines(((FileSessionStore)Store).PathOf(id)).First();

    private FileSessionStore NewStore(TimeProvider time) => new(_directory.Path, new FileSessionStoreOptions(), time);
}
