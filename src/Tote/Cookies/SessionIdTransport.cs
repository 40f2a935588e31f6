using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Tote.Diagnostics;

namespace Tote.Cookies;

/// <summary>Reads the client's session ID from the request and writes the cookie (or header) on the response.</summary>
internal sealed class SessionIdTransport
{
    private readonly ToteOptions _options;
    private readonly bool _isDevelopment;
    private readonly ILogger _logger;
    private int _warnedSecureOverHttp;

    public SessionIdTransport(ToteOptions options, IHostEnvironment? environment, ILogger logger)
    {
        _options = options;
        _isDevelopment = environment?.IsDevelopment() == true;
        _logger = logger;
    }

    /// <summary>
    /// The ID the request carries, if it is well-formed and unambiguous; otherwise <see langword="null"/>.
    /// The header wins over the cookie. <paramref name="rejected"/> tells that something was ignored.
    /// </summary>
    public string? Read(HttpRequest request, out bool fromHeader, out bool rejected)
    {
        fromHeader = false;
        rejected = false;
        if (_options.HeaderName is { } headerName && request.Headers.TryGetValue(headerName, out var header))
        {
            fromHeader = true;
            return Accept(header.Count == 1 ? header[0] : null, ref rejected);
        }

        var value = FindCookie(request.Headers.Cookie, _options.Cookie.Name, out var found);
        return found ? Accept(value, ref rejected) : null;
    }

    /// <summary>
    /// The value of the one cookie named <paramref name="name"/> across all Cookie headers, or
    /// <see langword="null"/> when it is absent or repeated. A repeated cookie is ignored rather
    /// than resolved, because a sibling subdomain or path can plant a second one to fix a
    /// victim's session (cookie tossing); no copy can be trusted.
    /// </summary>
    internal static string? FindCookie(StringValues headers, string name, out bool found)
    {
        string? value = null;
        var count = 0;
        foreach (var header in headers)
        {
            if (header is null)
            {
                continue;
            }

            // Split as spans: a request carrying many cookies costs no strings but the one kept.
            var text = header.AsSpan();
            foreach (var range in text.Split(';'))
            {
                var pair = text[range].Trim();
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !pair[..equals].Trim().SequenceEqual(name))
                {
                    continue;
                }

                count++;
                value = pair[(equals + 1)..].Trim().ToString();
            }
        }

        found = count > 0;
        return count == 1 ? value : null;
    }

    /// <summary>Writes the session cookie (and header, when configured) carrying <paramref name="id"/>.</summary>
    public void Issue(HttpContext context, string id, bool viaHeader)
    {
        var response = context.Response;
        if (_options.HeaderName is { } headerName)
        {
            response.Headers[headerName] = id;
        }

        if (!viaHeader)
        {
            var cookie = CreateCookieOptions(context.Request, expire: false);
            response.Cookies.Append(_options.Cookie.Name, id, cookie);
            WarnIfDropped(context.Request, cookie);
        }

        PreventCaching(response);
    }

    /// <summary>Expires the session cookie.</summary>
    public void Clear(HttpContext context, bool viaHeader)
    {
        if (viaHeader)
        {
            return;
        }

        context.Response.Cookies.Append(_options.Cookie.Name, string.Empty, CreateCookieOptions(context.Request, expire: true));
        PreventCaching(context.Response);
    }

    // A Secure cookie sent over plain http is dropped by browsers and by test clients
    // (WebApplicationFactory on http://localhost): the session then silently looks empty on the
    // next request. Once per app is enough to be noticed without flooding the log.
    private void WarnIfDropped(HttpRequest request, CookieOptions cookie)
    {
        if (cookie.Secure && !request.IsHttps && Interlocked.Exchange(ref _warnedSecureOverHttp, 1) == 0)
        {
            Log.SecureCookieOverHttp(_logger, _options.Cookie.Name);
        }
    }

    // A response that sets a session cookie must never be cached and replayed to another visitor.
    private static void PreventCaching(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.Pragma = "no-cache";
    }

    private CookieOptions CreateCookieOptions(HttpRequest request, bool expire)
    {
        var cookie = _options.Cookie;
        var policy = cookie.SecurePolicy ?? (_isDevelopment ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always);
        return new CookieOptions
        {
            Path = cookie.Path,
            Domain = cookie.Domain,
            SameSite = cookie.SameSite,
            HttpOnly = true,
            Secure = policy switch
            {
                CookieSecurePolicy.Always => true,
                CookieSecurePolicy.None => false,
                _ => request.IsHttps,
            },
            MaxAge = expire ? TimeSpan.Zero : cookie.MaxAge,
            Expires = expire ? DateTimeOffset.UnixEpoch : null,
        };
    }

    private static string? Accept(string? value, ref bool rejected)
    {
        if (value is not null && SessionIds.IsWellFormed(value))
        {
            return value;
        }

        rejected = true;
        return null;
    }
}
