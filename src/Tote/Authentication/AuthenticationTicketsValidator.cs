using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Tote.Authentication;

/// <summary>
/// Checks at startup that every scheme <c>StoreAuthenticationTickets()</c> names is a registered
/// cookie scheme whose tickets now go to Tote, and lists every problem in one message: a call that
/// silently kept tickets in the cookie would leave "sign out everywhere" signing out nobody.
/// </summary>
internal sealed class AuthenticationTicketsValidator(
    AuthenticationTicketSchemes options,
    IOptions<AuthenticationOptions> authentication,
    IOptionsMonitor<CookieAuthenticationOptions> cookies) : IValidateOptions<AuthenticationTicketSchemes.StartupCheck>
{
    public ValidateOptionsResult Validate(string? name, AuthenticationTicketSchemes.StartupCheck check)
    {
        var errors = new List<string>();
        var registered = authentication.Value.SchemeMap;
        var known = registered.Count == 0 ? "none" : string.Join(", ", registered.Keys.Select(k => $"'{k}'"));
        if (options.DefaultScheme && AuthenticationTicketSchemes.DefaultOf(authentication.Value) is null)
        {
            errors.Add($"StoreAuthenticationTickets() was called without a scheme, and the app has no default authentication scheme (AuthenticationOptions.DefaultAuthenticateScheme or DefaultScheme, or a single registered scheme; registered: {known}). Pass the cookie scheme's name, such as StoreAuthenticationTickets(CookieAuthenticationDefaults.AuthenticationScheme), or set the default with AddAuthentication(scheme).");
        }

        foreach (var scheme in options.Targets(authentication.Value))
        {
            if (!registered.TryGetValue(scheme, out var builder))
            {
                errors.Add($"StoreAuthenticationTickets() names the authentication scheme '{scheme}', which is not registered (registered: {known}). Register it with AddAuthentication().AddCookie(\"{scheme}\") or AddIdentity(), or name a registered cookie scheme.");
            }
            else if (builder.HandlerType is not { } handler || !typeof(CookieAuthenticationHandler).IsAssignableFrom(handler))
            {
                errors.Add($"StoreAuthenticationTickets() names the authentication scheme '{scheme}', which is handled by {builder.HandlerType?.Name ?? "no handler"}, not by cookie authentication; only a cookie scheme keeps its tickets in a session store. Name the cookie scheme instead.");
            }
            else if (cookies.Get(scheme).SessionStore is { } store and not ToteTicketStore)
            {
                errors.Add($"The '{scheme}' cookie scheme's SessionStore is already set to {store.GetType().Name}, so StoreAuthenticationTickets() cannot keep its tickets in Tote. Remove one of the two.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
