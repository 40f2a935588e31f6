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
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception) when (session.SaveFailure is not null)
        {
            // The save failed as the response started and stopped the body; answer with the status code.
            if (!context.Response.HasStarted)
            {
                Session.WriteFailure(context, _runtime.Options.StoreFailureStatusCode);
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
            await session.CompleteAsync().ConfigureAwait(false);
            throw;
        }

        await session.CompleteAsync().ConfigureAwait(false);
    }
}
