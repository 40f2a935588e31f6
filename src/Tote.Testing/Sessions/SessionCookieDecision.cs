namespace Tote.Testing;

/// <summary>What a request did with the visitor's session cookie: Tote makes one such decision per response.</summary>
public enum SessionCookieDecision
{
    /// <summary>No session cookie was sent: the session was not created, changed in ID, or destroyed (or only read).</summary>
    None,

    /// <summary>The cookie was set: a session was created, regenerated or loaded, or its expiry slid with a cookie <c>Max-Age</c>.</summary>
    Issued,

    /// <summary>The cookie was expired: the session was destroyed, or the one the visitor held is gone.</summary>
    Cleared,
}
