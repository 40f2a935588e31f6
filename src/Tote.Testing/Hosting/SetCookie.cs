using Microsoft.Net.Http.Headers;

namespace Tote.Testing;

/// <summary>One <c>Set-Cookie</c> header of a response, parsed.</summary>
/// <param name="Header">The header as sent.</param>
public sealed record SetCookie(string Header)
{
    private SetCookieHeaderValue Parsed { get; } = SetCookieHeaderValue.Parse(Header);

    /// <summary>The cookie name.</summary>
    public string Name => Parsed.Name.Value ?? "";

    /// <summary>The cookie value.</summary>
    public string Value => Parsed.Value.Value ?? "";

    /// <summary>Whether the header deletes the cookie (an expiry in the past or Max-Age 0).</summary>
    public bool Expired => Parsed.MaxAge == TimeSpan.Zero || Parsed.Expires < DateTimeOffset.UnixEpoch.AddYears(1);

    /// <summary>The parsed attributes.</summary>
    public SetCookieHeaderValue Attributes => Parsed;

    /// <summary>Every <c>Set-Cookie</c> header of a response.</summary>
    public static IEnumerable<SetCookie> All(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => new SetCookie(v)) : [];
    }
}
