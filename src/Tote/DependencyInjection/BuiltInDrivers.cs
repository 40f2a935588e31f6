using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Drivers.DistributedCache;
using Tote.Drivers.FileSystem;
using Tote.Drivers.Hosting;
using Tote.Options;

namespace Tote.DependencyInjection;

/// <summary>
/// Registers the <c>fs</c> and <c>distributed-cache</c> drivers in the catalog, so configuration
/// alone (<c>"Tote:Driver"</c>) can choose them, and the hosted service that starts and sweeps
/// whichever driver is chosen.
/// </summary>
internal static class BuiltInDrivers
{
    /// <summary>Where the <c>fs</c> driver keeps sessions when no path is set, under the content root.</summary>
    public static readonly string DefaultFileSystemPath = Path.Combine(".tote", "sessions");

    public static void Register(IServiceCollection services, ToteDriverCatalog catalog)
    {
        services.AddOptions<FileSessionStoreOptions>().BindConfigurationIfPresent(FileSessionStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileSessionStoreOptions>, FileSessionStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionStoreHostedService>());

        // Each driver says at startup what an operator must know about it; the store is created
        // when the app starts (SessionStoreHostedService), so the line comes once, at the start.
        catalog.Register(FileSessionStore.DriverName, static sp =>
        {
            var options = sp.GetRequiredService<IOptions<FileSessionStoreOptions>>().Value;
            var root = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Tote");
            var store = new FileSessionStore(
                Path.Combine(root, options.Path ?? DefaultFileSystemPath),
                options,
                sp.GetRequiredService<TimeProvider>(),
                logger,
                new ToteTelemetry(sp.GetRequiredService<IMeterFactory>(), FileSessionStore.DriverName));
            Log.FileStoreStarted(logger, store.Directory);
            return store;
        });

        catalog.Register(DistributedCacheSessionStore.DriverName, static sp =>
        {
            var store = new DistributedCacheSessionStore(
                sp.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                    "The distributed-cache session driver needs an IDistributedCache. Register one first, such as services.AddStackExchangeRedisCache(…) or services.AddDistributedMemoryCache()."),
                sp.GetRequiredService<TimeProvider>());
            Log.DistributedCacheCannotCompareAndSwap(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Tote"));
            return store;
        });
    }
}
