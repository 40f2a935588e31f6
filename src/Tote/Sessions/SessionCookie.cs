using Microsoft.AspNetCore.Http;
using Tote.Cookies;
using Tote.Diagnostics;

namespace Tote.Sessions;

/// <summary>
/// The session cookie of one request, both ways: the ID the client sent (read once, lazily, and
/// never trusted until the store confirms it), and what the response does with the cookie:
/// issue it, clear it, or leave it alone. The decision is applied once, after the save, so it
/// reflects the session's final state.
/// </summary>
internal sealed class SessionCookie
{
    private readonly SessionRuntime _runtime;
    private readonly HttpContext? _context;
    private bool _read;
    private string? _candidate;
    private bool _viaHeader;
    private bool _issue;
    private bool _clear;

    public SessionCookie(SessionRuntime runtime, HttpContext? context)
    {
        _runtime = runtime;
        _context = context;
    }

    /// <summary>The well-formed ID the client sent, not verified; <see langword="null"/> when none (or it was forgotten).</summary>
    public string? Candidate
    {
        get
        {
            Read();
            return _candidate;
        }
    }

    /// <summary>Whether the response will expire the client's cookie.</summary>
    public bool ClearRequested => _clear;

    /// <summary>Whether the response owes the client a cookie change.</summary>
    public bool HasDecision => _issue || _clear;

    /// <summary>Presets the client's ID; used where there is no request (benchmarks, tests).</summary>
    public void Preset(string? id)
    {
        _read = true;
        _candidate = id is not null && SessionIds.IsWellFormed(id) ? id : null;
    }

    /// <summary>Drops the client's ID: the session it named is gone for this request.</summary>
    public void ForgetCandidate()
    {
        Read();
        _candidate = null;
    }

    /// <summary>Sends the session's ID at the end of the request (a new session, a new ID, a slid Max-Age).</summary>
    public void Issue() => _issue = true;

    /// <summary>Re-sends the cookie when it carries <c>Max-Age</c>, so that it slides with the session's expiry.</summary>
    public void Slide() => _issue |= _runtime.Options.Cookie.MaxAge is not null;

    /// <summary>Expires the client's cookie at the end of the request, and sends no new one.</summary>
    public void Clear()
    {
        _issue = false;
        _clear = true;
    }

    /// <summary>
    /// Applies the decision to the response: issues the cookie for <paramref name="savedId"/> (the
    /// ID of the session as stored, or <see langword="null"/> when there is none), else clears it
    /// when asked; then owes nothing more.
    /// </summary>
    public void Apply(string? savedId)
    {
        if (_issue && savedId is not null)
        {
            _runtime.Transport.Issue(_context!, savedId, _viaHeader);
        }
        else if (_clear)
        {
            _runtime.Transport.Clear(_context!, _viaHeader);
        }

        _issue = false;
        _clear = false;
    }

    private void Read()
    {
        if (_read)
        {
            return;
        }

        _read = true;
        if (_context is null)
        {
            return;
        }

        _candidate = _runtime.Transport.Read(_context.Request, out _viaHeader, out var rejected);
        if (rejected)
        {
            Log.RejectedSessionId(_runtime.Logger);
            _clear = true;
        }
    }
}
