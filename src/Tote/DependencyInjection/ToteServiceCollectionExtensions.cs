using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tote;
using Tote.Cookies;
using Tote.DependencyInjection;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Mvc;
using Tote.Options;
using Tote.Users;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Tote sessions.</summary>
public static class ToteServiceCollectionExtensions
{
    /// <summary>
    /// Registers Tote sessions: options bound from the <c>"Tote"</c> configuration section and
    /// then <paramref name="configure"/>, validated at startup; the built-in drivers; binding of
    /// <see cref="Session"/> parameters in MVC actions and Razor Page handlers. Add
    /// <c>app.UseTote()</c> to the pipeline too.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code; runs after configuration binding, so code wins.</param>
    /// <returns>A builder on which to choose the driver, such as <c>.UseMemory()</c>.</returns>
    public static IToteBuilder AddTote(this IServiceCollection services, Action<ToteOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var catalog = GetOrAddCatalog(services, out var added);
        if (!added)
        {
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return new ToteBuilder(services);
        }

        // Binding is registered before the code's delegate, so that code wins over configuration.
        services.AddOptions<ToteOptions>().BindConfigurationIfPresent(ToteOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<MemorySessionStoreOptions>().BindConfigurationIfPresent(MemorySessionStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToteOptions>, ToteOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemorySessionStoreOptions>, MemorySessionStoreOptionsValidator>());
        services.AddOptions<ToteUsersOptions>().BindConfigurationIfPresent(ToteUsersOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToteUsersOptions>, ToteUsersOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLogging();

        // Protects the key of session handles that Tote keeps in the store (HandleKeyRecord).
        services.AddDataProtection();

        catalog.Register(MemorySessionStore.DriverName, static sp => new MemorySessionStore(
            sp.GetRequiredService<IOptions<MemorySessionStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Tote"),
            new ToteTelemetry(sp.GetRequiredService<IMeterFactory>(), MemorySessionStore.DriverName)));
        BuiltInDrivers.Register(services, catalog);

        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<ToteOptions>>().Value;
            var catalog = sp.GetRequiredService<ToteDriverCatalog>();
            return catalog.Create(catalog.Resolve(options), sp);
        });
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<ToteOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var driver = sp.GetRequiredService<ToteDriverCatalog>().Resolve(options);
            var telemetry = new ToteTelemetry(sp.GetRequiredService<IMeterFactory>(), driver);
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Tote");
            var store = new SessionStoreClient(sp.GetRequiredService<ISessionStore>(), driver, options.StoreTimeout, time, telemetry, logger);
            var users = sp.GetRequiredService<IOptions<ToteUsersOptions>>().Value;
            return new SessionRuntime(options, store, time, logger, new SessionIdTransport(options, sp.GetService<IHostEnvironment>(), logger), users, sp.GetService<IDataProtectionProvider>());
        });
        services.TryAddSingleton(static sp => new UserSessions(sp.GetRequiredService<SessionRuntime>()));

        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<MvcOptions>, SessionMvcOptionsSetup>());
        return new ToteBuilder(services);
    }

    internal static ToteDriverCatalog GetOrAddCatalog(IServiceCollection services, out bool added)
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(ToteDriverCatalog))?.ImplementationInstance;
        added = existing is null;
        if (existing is ToteDriverCatalog catalog)
        {
            return catalog;
        }

        catalog = new ToteDriverCatalog();
        services.AddSingleton(catalog);
        return catalog;
    }
}
