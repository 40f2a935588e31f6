using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Cookies;

namespace Tote.Benchmarks.Sessions;

/// <summary>The session core over a fresh memory driver, on the system clock, as the in-process benchmarks drive it (no host, no logging).</summary>
internal static class MemoryRuntime
{
    public static (SessionRuntime Runtime, MemorySessionStore Store) Create()
    {
        var time = TimeProvider.System;
        var options = new ToteOptions();
        var store = new MemorySessionStore(new MemorySessionStoreOptions(), time);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var client = new SessionStoreClient(store, MemorySessionStore.DriverName, options.StoreTimeout, time, new ToteTelemetry(meters, MemorySessionStore.DriverName), NullLogger.Instance);
        return (new SessionRuntime(options, client, time, NullLogger.Instance, new SessionIdTransport(options, environment: null, NullLogger.Instance)), store);
    }
}
