using Microsoft.AspNetCore.Http;

namespace Tote.Testing;

/// <summary>What one request run by <see cref="SessionTester"/> left behind: the cookie decision, the session ID and the finished <see cref="HttpContext"/>.</summary>
public sealed class SessionTestResult
{
    internal SessionTestResult(HttpContext httpContext, SessionCookieDecision cookie, SetCookie? setCookie, string? sessionId)
    {
        HttpContext = httpContext;
        Cookie = cookie;
        SetCookie = setCookie;
        SessionId = sessionId;
    }

    /// <summary>The request after Tote's middleware finished with it: response status, headers and body.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The response's status code; Tote answers a store failure with <see cref="ToteOptions.StoreFailureStatusCode"/>.</summary>
    public int StatusCode => HttpContext.Response.StatusCode;

    /// <summary>Whether the response issued, cleared or left alone the session cookie.</summary>
    public SessionCookieDecision Cookie { get; }

    /// <summary>The session cookie's <c>Set-Cookie</c> header, parsed (attributes such as <c>Secure</c> and <c>Max-Age</c>); <see langword="null"/> when <see cref="Cookie"/> is <see cref="SessionCookieDecision.None"/>.</summary>
    public SetCookie? SetCookie { get; }

    /// <summary>The session ID the visitor holds after this request (the cookie's value); <see langword="null"/> when it holds none.</summary>
    public string? SessionId { get; }

    /// <summary>The response body the handler wrote, as UTF-8 text.</summary>
    /// <returns>The body; empty when nothing was written.</returns>
    public string ReadResponseBody()
    {
        if (HttpContext.Response.Body is not MemoryStream body)
        {
            return "";
        }

        return System.Text.Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
    }
}
