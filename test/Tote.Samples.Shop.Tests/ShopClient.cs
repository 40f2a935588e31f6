using System.Text.RegularExpressions;
using Tote.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// Drives the shop as a browser without JavaScript would: reads the page, posts its forms with
/// the antiforgery token the page carries, and keeps cookies.
/// </summary>
public sealed partial class ShopClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    /// <summary>The session cookie's value from the latest response that set it.</summary>
    public string? SessionId { get; private set; }

    public Task<string> GetPageAsync() => GetPageAsync("/");

    /// <summary>Reads a page (the Razor Page <c>/</c>, the MVC view, the Blazor page), expecting 200.</summary>
    public async Task<string> GetPageAsync(string path)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Posts a form of the page, with the antiforgery token the page just rendered.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string action, params (string Name, string Value)[] fields)
        => SubmitOnAsync("/", action, fields);

    /// <summary>Posts a form of the page at <paramref name="page"/>, with the antiforgery token that page just rendered.</summary>
    public async Task<HttpResponseMessage> SubmitOnAsync(string page, string action, params (string Name, string Value)[] fields)
    {
        var token = AntiforgeryToken().Match(await GetPageAsync(page));
        Assert.True(token.Success, $"{page} rendered no antiforgery token");
        return await PostFormAsync(action, [.. fields, ("__RequestVerificationToken", token.Groups[1].Value)]);
    }

    /// <summary>Posts exactly the given fields, without adding a token.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string action, params (string Name, string Value)[] fields)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        });

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        if (SetCookie.All(response).LastOrDefault(c => c.Name == "tote-session") is { } cookie)
        {
            SessionId = cookie.Expired ? null : cookie.Value;
        }

        return response;
    }

    public void Dispose() => http.Dispose();

    // Razor writes name before type, Blazor's <AntiforgeryToken /> type before name.
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*? value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
