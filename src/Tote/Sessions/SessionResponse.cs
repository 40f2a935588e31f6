using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tote.Diagnostics;
using Tote.Http;

namespace Tote.Sessions;

/// <summary>
/// The response side of a request that used its session. It owns the one save trigger,
/// <see cref="SaveOnceAsync"/>: whichever comes first of the response starting (the held body's
/// first flush or start, or the response-start hook for a body obtained earlier) and the end of
/// the endpoint runs the save, once, then applies the cookie decision. A failed save turns the
/// response into <see cref="ToteOptions.StoreFailureStatusCode"/> while it still can.
/// </summary>
/// <remarks>
/// Calls go one way: the server and the middleware call the trigger, the trigger calls the
/// session's save, and the held body only asks the trigger whether to pass its bytes on.
/// </remarks>
internal sealed class SessionResponse
{
    private readonly Session _session;
    private readonly SessionCookie _cookie;
    private readonly HttpContext _context;
    private readonly SessionRuntime _runtime;
    private SaveBeforeStartBodyFeature? _body;
    private bool _ran;
    private bool _abandoned;
    private SessionStoreException? _failure;

    public SessionResponse(Session session, SessionCookie cookie, HttpContext context, SessionRuntime runtime)
    {
        _session = session;
        _cookie = cookie;
        _context = context;
        _runtime = runtime;
    }

    /// <summary>Whether the save is hooked in front of the response start.</summary>
    public bool IsHooked { get; private set; }

    /// <summary>
    /// Puts the save in front of the response start, once: the response body is held until the
    /// session is saved, so that a failed save can still become an error status; the
    /// response-start hook is the fallback for a body obtained before the session was first used.
    /// </summary>
    public void Hook()
    {
        if (IsHooked || _context.Response.HasStarted)
        {
            return;
        }

        IsHooked = true;
        if (_context.Features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            _body = new SaveBeforeStartBodyFeature(body, SaveOnceAsync);
            _context.Features.Set<IHttpResponseBodyFeature>(_body);
        }

        _context.Response.OnStarting(static async state => await ((SessionResponse)state).SaveOnceAsync().ConfigureAwait(false), this);
    }

    /// <summary>
    /// The save trigger: saves before the response starts and applies the cookie, the first time
    /// only. Returns whether the response may go on; on a store failure the response has become
    /// <see cref="ToteOptions.StoreFailureStatusCode"/>.
    /// </summary>
    public async ValueTask<bool> SaveOnceAsync()
    {
        if (_ran || _abandoned)
        {
            return _failure is null;
        }

        _ran = true;
        try
        {
            await _session.SaveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            _failure = ex;
            Log.SaveFailedBeforeResponse(_runtime.Logger, ex, _runtime.Options.StoreFailureStatusCode);
            WriteFailure(_context, _runtime.Options.StoreFailureStatusCode, ex);
            return false;
        }
        catch (SessionTooLargeException ex)
        {
            _session.DropOversizedChanges(ex);
        }

        _cookie.Apply(_session.StoredId);
        return true;
    }

    /// <summary>Nothing is saved for this request, and what the endpoint wrote and is still held goes.</summary>
    public void Abandon()
    {
        _abandoned = true;
        _body?.DiscardHeld();
    }

    /// <summary>
    /// Finishes after the endpoint returned: runs the trigger if the response has not started yet
    /// (then releases a body the endpoint wrote without flushing), or saves changes made after the
    /// response started, when no status or cookie can change any more.
    /// </summary>
    /// <param name="failed">The request ended in an unhandled exception: drop the held body, which an error response replaces.</param>
    public async Task CompleteAsync(bool failed)
    {
        if (_abandoned)
        {
            return;
        }

        if (failed)
        {
            _body?.DiscardHeld();
        }

        if (!_context.Response.HasStarted)
        {
            await SaveOnceAsync().ConfigureAwait(false);
            if (_body is not null)
            {
                await _body.SettleAsync().ConfigureAwait(false);
            }

            return;
        }

        if (!_session.HasUnsavedChanges)
        {
            return;
        }

        try
        {
            await _session.SaveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            Log.SaveFailedAfterResponse(_runtime.Logger, ex);
            return;
        }
        catch (SessionTooLargeException ex)
        {
            _session.DropOversizedChanges(ex);
            return;
        }

        if (_cookie.HasDecision)
        {
            Log.CookieNotUpdated(_runtime.Logger, new SessionIdHash(_session.Id));
        }
    }

    /// <summary>
    /// Turns the response into the store-failure status, without a body (which the app may add with
    /// <c>UseStatusCodePages</c>, as ProblemDetails or a page). A 503 says when to retry
    /// (RFC 9110 §10.2.3): when the store will be tried again if Tote has stopped calling it for a
    /// while, else one second, the soonest a retry is worth making.
    /// </summary>
    public static void WriteFailure(HttpContext context, int statusCode, SessionStoreException failure)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
        }

        context.Response.StatusCode = statusCode;
        if (statusCode == StatusCodes.Status503ServiceUnavailable)
        {
            var seconds = Math.Max(1, Math.Ceiling((failure.RetryAfter ?? TimeSpan.Zero).TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
