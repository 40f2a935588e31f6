using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Tote.DependencyInjection;

/// <summary>
/// Binds options from a configuration section when the app has an <see cref="IConfiguration"/>,
/// and keeps the code-only options when it has none.
/// </summary>
/// <remarks>
/// <c>BindConfiguration</c> requires an <see cref="IConfiguration"/> service, which every host
/// registers but a bare <see cref="ServiceCollection"/> (a unit test, a console tool) does not;
/// there <c>AddTote()</c> would fail when the options are first read.
/// </remarks>
internal static class OptionalConfigurationBinding
{
    public static OptionsBuilder<TOptions> BindConfigurationIfPresent<TOptions>(this OptionsBuilder<TOptions> builder, string sectionPath)
        where TOptions : class
    {
        builder.Configure<IServiceProvider>((options, services) => services.GetService<IConfiguration>()?.GetSection(sectionPath).Bind(options));

        // Reloads follow the configuration, as with BindConfiguration; without one nothing changes.
        builder.Services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(services =>
            services.GetService<IConfiguration>() is { } configuration
                ? new ConfigurationChangeTokenSource<TOptions>(builder.Name, configuration)
                : new NeverChanges<TOptions>(builder.Name));
        return builder;
    }

    private sealed class NeverChanges<TOptions>(string? name) : IOptionsChangeTokenSource<TOptions>
    {
        public string? Name { get; } = name;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
    }
}
