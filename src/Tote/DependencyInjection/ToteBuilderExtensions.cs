using Tote;
using Tote.Drivers;
using Tote.Drivers.Memory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the driver that stores sessions.</summary>
public static class ToteBuilderExtensions
{
    /// <summary>
    /// Stores sessions in process memory (the <c>memory</c> driver): bounded, swept, lost on
    /// restart and not shared between servers. For development, tests and single-instance apps.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the memory driver's options; runs after binding <c>"Tote:Memory"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseMemory(this IToteBuilder builder, Action<MemorySessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        ToteServiceCollectionExtensions.GetOrAddCatalog(builder.Services, out _).Select(MemorySessionStore.DriverName);
        return builder;
    }

    /// <summary>
    /// Stores sessions with a custom driver, registered under <paramref name="name"/> (the name
    /// used in log lines, metrics and <c>"Tote:Driver"</c>) and chosen.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="name">The driver's name, such as <c>redis</c>.</param>
    /// <param name="factory">Creates the driver once, from the application's services.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseStore(this IToteBuilder builder, string name, Func<IServiceProvider, ISessionStore> factory)
    {
        AddStore(builder, name, factory);
        ToteServiceCollectionExtensions.GetOrAddCatalog(builder.Services, out _).Select(name);
        return builder;
    }

    /// <summary>
    /// Makes a custom driver available under <paramref name="name"/> without choosing it, so that
    /// configuration (<c>"Tote:Driver"</c>) can choose it. Driver packages use this to be
    /// selectable by configuration alone.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="name">The driver's name, such as <c>redis</c>.</param>
    /// <param name="factory">Creates the driver once, from the application's services, if it is chosen.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder AddStore(this IToteBuilder builder, string name, Func<IServiceProvider, ISessionStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        ToteServiceCollectionExtensions.GetOrAddCatalog(builder.Services, out _).Register(name, factory);
        return builder;
    }
}
