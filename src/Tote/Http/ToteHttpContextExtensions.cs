using Microsoft.Extensions.DependencyInjection;


namespace Microsoft.AspNetCore.Http;

/// <summary>Reaching the session from an <see cref="HttpContext"/>: in views, middleware and Blazor static rendering.</summary>
public static class ToteHttpContextExtensions
{
    // A hand-made DefaultHttpContext in a unit test lands in the same two cases as a misconfigured app.
    private const string UnitTestHint =
        "In a unit test, a bare DefaultHttpContext has no session: run the code with SessionTester from the Tote.Testing package, which gives it a real session over an in-memory store (see docs/testing.md).";

    /// <summary>The request's session.</summary>
    /// <param name="context">The request; <see langword="null"/> where there is no request (an interactive Blazor circuit, a background job).</param>
    /// <returns>The session, created lazily: nothing is loaded until it is read.</returns>
    /// <exception cref="InvalidOperationException">
    /// There is no HTTP request, <c>services.AddTote()</c> was not called, or <c>app.UseTote()</c>
    /// did not run for this request (as with a bare <see cref="DefaultHttpContext"/> in a unit
    /// test). The message says which, and how to fix it.
    /// </exception>
    public static Tote.Session GetSession(this HttpContext? context)
    {
        if (context is null)
        {
            throw new InvalidOperationException(
                "There is no HTTP request here, so there is no session. Sessions live on requests: interactive Blazor circuits, SignalR hubs and background services have none. Read what you need from the session during a request (an endpoint, a page, or Blazor static server rendering) and pass it on.");
        }

        if (context.Features.Get<Tote.Session>() is { } session)
        {
            return session;
        }

        if (context.RequestServices?.GetService<Tote.SessionRuntime>() is null)
        {
            throw new InvalidOperationException(
                "Tote sessions are not registered. Call builder.Services.AddTote() in Program.cs, and app.UseTote() before the endpoints that use the session. " + UnitTestHint);
        }

        throw new InvalidOperationException(
            "The Tote middleware did not run for this request. Call app.UseTote() in Program.cs before the endpoints that use the session (after app.UseRouting() when it is called explicitly). " + UnitTestHint);
    }
}
