using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Tote.Sql;

/// <summary>How both SQL drivers register their options: bound from their section, validated at startup, then code.</summary>
internal static class SqlDriverOptions
{
    public static void Add<TOptions, TValidator>(IToteBuilder builder, string sectionName, Action<TOptions>? configure)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Binding is registered before the code's delegate, so that code wins over configuration.
        builder.Services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }
    }
}
