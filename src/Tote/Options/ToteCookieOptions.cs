using Microsoft.AspNetCore.Http;

namespace Tote;

/// <summary>The session cookie's name and attributes. The cookie is always <c>HttpOnly</c>.</summary>
public sealed class ToteCookieOptions
{
    /// <summary>The cookie name; Astro's default is <c>astro-session</c>, set it to share sessions with an Astro app.</summary>
    /// <value>Defaults to <c>tote-session</c>.</value>
    public string Name { get; set; } = "tote-session";

    /// <summary>The <c>SameSite</c> attribute.</summary>
    /// <value>Defaults to <see cref="SameSiteMode.Lax"/>: sent on top-level navigation, not on cross-site posts.</value>
    public SameSiteMode SameSite { get; set; } = SameSiteMode.Lax;

    /// <summary>The <c>Domain</c> attribute.</summary>
    /// <value>Defaults to <see langword="null"/>: the cookie is sent only to the host that set it.</value>
    public string? Domain { get; set; }

    /// <summary>The <c>Path</c> attribute.</summary>
    /// <value>Defaults to <c>/</c>.</value>
    public string Path { get; set; } = "/";

    /// <summary>The <c>Max-Age</c> attribute. When set, the cookie is re-sent as the session slides.</summary>
    /// <value>Defaults to <see langword="null"/>: a browser-session cookie, without <c>Max-Age</c>.</value>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>When the cookie gets the <c>Secure</c> attribute.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: <see cref="CookieSecurePolicy.SameAsRequest"/> in the
    /// Development environment and <see cref="CookieSecurePolicy.Always"/> everywhere else.
    /// </value>
    public CookieSecurePolicy? SecurePolicy { get; set; }
}
