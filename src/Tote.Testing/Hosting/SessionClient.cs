using System.Net.Http.Headers;

namespace Tote.Testing;

/// <summary>
/// An HTTP client for a <see cref="ToteTestHost"/> that keeps one session cookie, as a browser
/// does, and exposes it so tests can forge, drop or share it.
/// </summary>
public sealed class SessionClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _cookieName;

    internal SessionClient(HttpClient http, string cookieName)
    {
        _http = http;
        _cookieName = cookieName;
    }

    /// <summary>The session cookie's value sent with each request; <see langword="null"/> for none.</summary>
    public string? SessionId { get; set; }

    /// <summary>The underlying client, for requests that manage headers themselves.</summary>
    public HttpClient Http => _http;

    /// <summary>Sends a GET.</summary>
    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Sends a POST with an optional body.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, HttpContent? content = null)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });

    /// <summary>Sends a GET and returns the body, failing on an error status.</summary>
    public async Task<string> GetStringAsync(string path)
    {
        using var response = await GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}");
        }

        return body;
    }

    /// <summary>
    /// Sends a request carrying <paramref name="id"/> (in the cookie, or in <paramref name="headerName"/>),
    /// as another tab or client of the same session would, without touching <see cref="SessionId"/>.
    /// </summary>
    public Task<HttpResponseMessage> SendWithIdAsync(HttpMethod method, string path, string id, string? headerName = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(headerName ?? "Cookie", headerName is null ? $"{_cookieName}={id}" : id);
        return _http.SendAsync(request);
    }

    /// <summary>Sends a request with the session cookie, and keeps the cookie the response sets.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (SessionId is not null && !request.Headers.Contains("Cookie"))
        {
            request.Headers.Add("Cookie", $"{_cookieName}={SessionId}");
        }

        var response = await _http.SendAsync(request);
        var cookies = SessionCookies(response);
        if (cookies.Count > 0)
        {
            var cookie = cookies[^1];
            SessionId = cookie.Value.Length == 0 || cookie.Expired ? null : cookie.Value;
        }

        return response;
    }

    /// <summary>The session cookies a response sets, parsed.</summary>
    public IReadOnlyList<SetCookie> SessionCookies(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return [.. SetCookie.All(response).Where(c => c.Name == _cookieName)];
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
