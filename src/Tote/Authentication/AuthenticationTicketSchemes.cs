using Microsoft.AspNetCore.Authentication;

namespace Tote.Authentication;

/// <summary>
/// Which cookie schemes keep their tickets in Tote: what the calls of
/// <c>StoreAuthenticationTickets()</c> asked for. One instance in the services, filled while they
/// are registered; not an options type, because the cookie options' setup reads it and the startup
/// check (<see cref="AuthenticationTicketsValidator"/>) reads the cookie options.
/// </summary>
internal sealed class AuthenticationTicketSchemes
{
    /// <summary>Whether the app's default authentication scheme does (<c>StoreAuthenticationTickets()</c> without a name).</summary>
    public bool DefaultScheme { get; set; }

    /// <summary>The schemes named by <c>StoreAuthenticationTickets(name)</c>.</summary>
    public HashSet<string> Schemes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The scheme that authenticates a request when none is named, as ASP.NET Core resolves it:
    /// <see cref="AuthenticationOptions.DefaultAuthenticateScheme"/> (what <c>AddIdentity</c> sets),
    /// else <see cref="AuthenticationOptions.DefaultScheme"/>, else the only registered scheme.
    /// </summary>
    /// <summary>
    /// The hook of the startup check: an options type with nothing to configure, whose validation
    /// (<c>ValidateOnStart</c>) runs before the app serves its first request.
    /// </summary>
    public sealed class StartupCheck;

    public static string? DefaultOf(AuthenticationOptions authentication)
    {
        if ((authentication.DefaultAuthenticateScheme ?? authentication.DefaultScheme) is { } named)
        {
            return named;
        }

        return authentication.Schemes.Take(2).ToList() is [var only] ? only.Name : null;
    }

    /// <summary>The schemes whose tickets Tote keeps, in <paramref name="authentication"/>'s terms.</summary>
    public IEnumerable<string> Targets(AuthenticationOptions authentication)
    {
        var targets = new HashSet<string>(Schemes, StringComparer.Ordinal);
        if (DefaultScheme && DefaultOf(authentication) is { } name)
        {
            targets.Add(name);
        }

        return targets;
    }
}
