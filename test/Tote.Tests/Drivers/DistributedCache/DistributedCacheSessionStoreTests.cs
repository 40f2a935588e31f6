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
}
