using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Tote.Drivers;
using Tote.Drivers.DistributedCache;
using Tote.Testing;

namespace Tote.Tests.Drivers.DistributedCache;

public sealed class DistributedCacheSessionStoreTests : SessionStoreConformanceTests
{
    private readonly MemoryDistributedCache _cache = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));

    // IDistributedCache has no conditional write: last writer wins, and the suite skips the races.
    protected override bool SupportsCompareAndSwap => false;

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(new DistributedCacheSessionStore(_cache, time));

    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
        => await _cache.SetAsync("tote:" + id, [0x74, 0x6F, 0x74, 0x65, 0xC3, 0x28], TestContext.Current.CancellationToken);

    [Fact]
    public async Task Save_StoresTheEnvelopeUnderThePrefixedKey()
    {
        var id = TestIds.New();
        await CreateAsync(id);

        var stored = await _cache.GetStringAsync("tote:" + id, TestContext.Current.CancellationToken);

        Assert.StartsWith("tote1 ", stored, StringComparison.Ordinal);
        Assert.EndsWith("\n" + CartRecord, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_OfASessionThatLivesToTheEndOfTheCalendar_Succeeds()
    {
        // What timeouts of many millennia make the core store: the cache's own clock, which may run
        // ahead of the app's, must not be asked for an entry that outlives the year 9999.
        var id = TestIds.New();
        var record = new SessionRecord { Data = CartRecord, CreatedAt = Clock.GetUtcNow(), ExpiresAt = DateTimeOffset.MaxValue };

        Assert.NotNull(await Store.SaveAsync(id, record, SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal(DateTimeOffset.MaxValue, (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
        Assert.True(await Store.RefreshAsync(id, DateTimeOffset.MaxValue, TestContext.Current.CancellationToken));
    }
}

/// <summary>Hostile stored records on the distributed-cache driver: the whole cache value, header line included.</summary>
public sealed class DistributedCacheDriverHostileRecordTests : SessionStoreHostileRecordConformanceTests
{
    protected override void UseDriver(IToteBuilder builder)
    {
        builder.Services.AddDistributedMemoryCache();
        builder.UseDistributedCache();
    }

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
    {
        // The same envelope as the fs driver, without the fifth field.
        var envelope = FileSystem.FileDriverHostileRecordTests.Envelope(record);
        var header = Array.IndexOf(envelope, (byte)'\n');
        byte[] stored = [.. envelope[..(header - 2)], .. envelope[header..]];
        await host.Services.GetRequiredService<IDistributedCache>().SetAsync("tote:" + id, record.Damage(stored), TestContext.Current.CancellationToken);
    }
}
