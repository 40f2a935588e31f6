using Tote.Testing;

namespace Tote.Tests.Authentication;

/// <summary>
/// A client that keeps every cookie the app sets, as a browser does (<see cref="SessionClient"/>
/// keeps only Tote's): here the authentication cookie matters.
/// </summary>
internal sealed class CookieJar(HttpClient http, string userAgent = "TestBrowser/1.0") : IDisposable
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    public string? this[string name]
    {
        get => _cookies.GetValueOrDefault(name);
        set
        {
            if (value is null)
            {
                _cookies.Remove(name);
            }
            else
            {
                _cookies[name] = value;
            }
        }
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<HttpResponseMessage> PostAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Post, path));

    public async Task<string> GetStringAsync(string path)
    {
        using var response = await GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}");
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await http.SendAsync(request);
        foreach (var cookie in SetCookie.All(response))
        {
            this[cookie.Name] = cookie.Expired ? null : cookie.Value;
        }

        return response;
    }

    public void Dispose() => http.Dispose();
}
