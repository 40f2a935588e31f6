using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Tote.Diagnostics;
using Tote.Sessions;

namespace Tote.Authentication;

/// <summary>
/// Answers a store failure met by cookie authentication before <c>UseTote</c> with
/// <see cref="ToteOptions.StoreFailureStatusCode"/>, as <c>UseTote</c> answers its own. A
/// <c>WebApplication</c> that never calls <c>UseAuthentication()</c> gets it added at the start
/// of its pipeline, ahead of <c>UseTote</c>, where a failing ticket read would otherwise be a 500
/// blaming the app instead of a 503 with <c>Retry-After</c>.
/// </summary>
internal sealed class TicketStoreFailureStartupFilter : IStartupFilter
{
    private readonly SessionRuntime _runtime;

    public TicketStoreFailureStartupFilter(SessionRuntime runtime) => _runtime = runtime;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, inner) =>
        {
            try
            {
                await inner(context).ConfigureAwait(false);
            }
            catch (SessionStoreException ex) when (!context.Response.HasStarted)
            {
                Log.StoreFailed(_runtime.Logger, ex, _runtime.Options.StoreFailureStatusCode);
                SessionResponse.WriteFailure(context, _runtime.Options.StoreFailureStatusCode, ex);
            }
        });
        next(app);
    };
}
