using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tote.Cookies;

namespace Tote.HealthChecks;

/// <summary>
/// Healthy when the session store answers a load of a random ID (which it must report as not
/// found) within the store timeout; unhealthy with the store's error otherwise.
/// </summary>
internal sealed class ToteHealthCheck(SessionRuntime runtime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var driver = runtime.Store.Driver;
        try
        {
            await runtime.Store.LoadAsync(SessionIds.New(), slide: null, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The '{driver}' session store answers.");
        }
        catch (SessionStoreException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
        }
    }
}
