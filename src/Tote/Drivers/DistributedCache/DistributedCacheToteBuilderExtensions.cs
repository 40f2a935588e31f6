using Tote;
using Tote.Drivers.DistributedCache;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the <c>IDistributedCache</c> driver.</summary>
public static class DistributedCacheToteBuilderExtensions
{
    /// <summary>
    /// Stores sessions in the app's registered <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// (the <c>distributed-cache</c> driver). That interface has no conditional write, so this
    /// driver cannot compare-and-swap: when concurrent requests change one session the last writer
    /// wins and <c>UpdateAsync</c> is not atomic. It logs a Warning saying so at startup. Prefer a
    /// dedicated driver (<c>fs</c>, Redis, SQLite, PostgreSQL) where that matters.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseDistributedCache(this IToteBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ToteServiceCollectionExtensions.GetOrAddCatalog(builder.Services, out _).Select(DistributedCacheSessionStore.DriverName);
        return builder;
    }
}
