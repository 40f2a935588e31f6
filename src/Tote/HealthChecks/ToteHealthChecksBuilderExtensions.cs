using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tote.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check for the session store.</summary>
public static class ToteHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that the session store answers (a load of a random ID) within the store timeout.
    /// </summary>
    /// <param name="builder">The health checks builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported when the store fails; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddToteStore(this IHealthChecksBuilder builder, string name = "tote", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<ToteHealthCheck>(name, failureStatus, tags ?? []);
    }
}
