using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tote.Drivers;
using Tote.Drivers.Hosting;
using Tote.Drivers.Memory;
using Tote.Testing;

namespace Tote.Tests.Drivers.Memory;

/// <summary>The core conformance suite on the memory driver, and what the driver promises beyond it: bounds, eviction, swept on its interval.</summary>
public sealed class MemorySessionStoreTests : SessionStoreConformanceTests
{
    private MemorySessionStoreOptions Options { get; } = MemoryConformance.Options();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => MemoryConformance.CreateAsync(time);

    protected override ValueTask CorruptAsync(ISessionStore store, string id)
    {
        ((MemorySessionStore)store).Damage(id);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Save_WhenFull_EvictsTheOldestSessionsUsedOnce()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 10 }, Clock);
        var ids = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            var id = TestIds.New();
            ids.Add(id);
            Assert.NotNull(await store.SaveAsync(id, Record(lifetime: TimeSpan.FromMinutes(10 + i)), SessionVersion.Missing, TestContext.Current.CancellationToken));
        }

        Assert.True(store.Count <= 10);
        Assert.NotNull(await store.LoadAsync(ids[^1], TestContext.Current.CancellationToken));
        Assert.Null(await store.LoadAsync(ids[0], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_WhenFull_KeepsSessionsLoadedAgainAndEvictsANewOne()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 3 }, Clock);
        var returning = TestIds.New();
        var once = TestIds.New();
        var newest = TestIds.New();
        await store.SaveAsync(returning, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(once, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(newest, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.LoadAsync(returning, TestContext.Current.CancellationToken);

        await store.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.NotNull(await store.LoadAsync(returning, TestContext.Current.CancellationToken));
        Assert.Null(await store.LoadAsync(once, TestContext.Current.CancellationToken));
        Assert.Null(await store.LoadAsync(newest, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_WhenFullOfReturningSessions_EvictsTheLeastRecentlyUsed()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 2 }, Clock);
        var first = TestIds.New();
        var second = TestIds.New();
        var v1 = await store.SaveAsync(first, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(second, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(first, Record(), v1!.Value, TestContext.Current.CancellationToken); // saved again: returning
        await store.LoadAsync(second, TestContext.Current.CancellationToken); // loaded again: returning, and most recent
        var newcomer = TestIds.New();

        await store.SaveAsync(newcomer, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Null(await store.LoadAsync(first, TestContext.Current.CancellationToken));
        Assert.NotNull(await store.LoadAsync(second, TestContext.Current.CancellationToken));
        Assert.NotNull(await store.LoadAsync(newcomer, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_WhenFull_SweepsExpiredBeforeEvictingLive()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxSessions = 2 }, Clock);
        var expiring = TestIds.New();
        var live = TestIds.New();
        await store.SaveAsync(expiring, Record(lifetime: TimeSpan.FromMinutes(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await store.SaveAsync(live, Record(lifetime: TimeSpan.FromHours(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(2));

        await store.SaveAsync(TestIds.New(), Record(lifetime: TimeSpan.FromHours(1)), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.NotNull(await store.LoadAsync(live, TestContext.Current.CancellationToken));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public async Task Save_OverMaxBytes_EvictsToStayWithinBytes()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxBytes = 1000 }, Clock);
        var data = $$"""[["Map",1,2],"k",{"data":3,"expires":-1},"{{new string('x', 300)}}"]""";

        for (var i = 0; i < 10; i++)
        {
            await store.SaveAsync(TestIds.New(), Record(data, TimeSpan.FromMinutes(10 + i)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        }

        Assert.True(store.Bytes <= 1000, $"{store.Bytes} bytes");
    }

    [Fact]
    public async Task Save_RecordLargerThanMaxBytes_Throws()
    {
        var store = new MemorySessionStore(new MemorySessionStoreOptions { MaxBytes = 10 }, Clock);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Bytes_CountTheRecordAsUtf8()
    {
        var store = new MemorySessionStore(Options, Clock);
        var data = """[["Map",1,2],"k",{"data":3,"expires":-1},"ééé"]""";

        await store.SaveAsync(TestIds.New(), Record(data), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(data), store.Bytes);
        Assert.Equal(data.Length + 3, store.Bytes);
    }

    [Fact]
    public async Task Save_TextWithALoneSurrogate_ThrowsAndStoresNothing()
    {
        var store = new MemorySessionStore(Options, Clock);
        var id = TestIds.New();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.SaveAsync(id, Record("[\"\ud800\"]"), SessionVersion.Missing, TestContext.Current.CancellationToken));

        Assert.Null(await store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public async Task SweepInterval_RemovesExpiredSessionsAsTheAppsClockMoves()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseMemory(m => m.SweepInterval = TimeSpan.FromMinutes(1)));
        var store = (MemorySessionStore)host.Store;
        await store.SaveAsync(TestIds.New(), Record(lifetime: TimeSpan.FromSeconds(30)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Assert.Equal(1, store.Count);
        var swept = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetServices<IHostedService>().OfType<SessionStoreHostedService>().Single().Swept += n => swept.TrySetResult(n);

        host.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await swept.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }
}
