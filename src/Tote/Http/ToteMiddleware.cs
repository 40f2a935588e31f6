using Microsoft.AspNetCore.Http;
using Tote.Diagnostics;

namespace Tote.Http;

/// <summary>
/// Gives each request its <see cref="Session"/> and saves it: as the response starts, or after
/// the endpoint when the response has not started yet. A store failure before the response
/// starts becomes <see cref="ToteOptions.StoreFailureStatusCode"/>; a request that ends in an
/// unhandled exception saves nothing unless <see cref="ToteOptions.SaveOnUnhandledException"/>.
/// </summary>
internal sealed class ToteMiddleware
{
    private readonly RequestDelegate _next;
    private readonly SessionRuntime _runtime;

    public ToteMiddleware(RequestDelegate next, SessionRuntime runtime)
    {
        _next = next;
        _runtime = runtime;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var session = new Session(_runtime, context);
        context.Features.Set(session);
        try
        {
            try
            {
                await _next(context).ConfigureAwait(false);
            }
            catch (SessionStoreException ex)
            {
                // The store failed while the endpoint used the session (a load, an UpdateAsync, a
                // RegenerateAsync): answer with the configured status code rather than a 500.
                session.Abandon(becauseOfException: false);
                Log.StoreFailed(_runtime.Logger, ex, _runtime.Options.StoreFailureStatusCode);
                if (!context.Response.HasStarted)
                {
                    Sessions.SessionResponse.WriteFailure(context, _runtime.Options.StoreFailureStatusCode, ex);
                }

                return;
            }
            catch (Exception) when (!_runtime.Options.SaveOnUnhandledException)
            {
                session.Abandon();
                throw;
            }
            catch (Exception)
            {
                await session.CompleteAsync(failed: true).ConfigureAwait(false);
                throw;
            }

            await session.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            session.ReleaseParsedRecords();
        }
    }
}
