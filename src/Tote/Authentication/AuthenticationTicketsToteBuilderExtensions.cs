using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tote;
using Tote.Authentication;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps cookie-authentication tickets in the Tote store.</summary>
public static class AuthenticationTicketsToteBuilderExtensions
{
    /// <summary>
    /// Keeps a cookie scheme's authentication tickets server-side in the Tote store, through its
    /// <see cref="CookieAuthenticationOptions.SessionStore"/>: the authentication cookie then holds
    /// only a key (inside the cookie handler's protected payload). Each ticket is bound to its
    /// principal's user ID (the <c>NameIdentifier</c> claim, else the identity's name), so
    /// <see cref="Tote.Users.UserSessions"/> lists it and revokes it: a revoked device is signed out
    /// of the scheme at its next request, and signing out deletes the ticket.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Without <paramref name="authenticationScheme"/>, the app's default authentication scheme
    /// keeps its tickets in Tote: <c>AuthenticationOptions.DefaultAuthenticateScheme</c>, else
    /// <c>DefaultScheme</c>, else the only registered scheme. That is <c>Cookies</c> for
    /// <c>AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie()</c> and
    /// <c>Identity.Application</c> for ASP.NET Core Identity, whose other cookies (external
    /// sign-in, two-factor) stay as they are: they are not devices. Name a scheme to choose
    /// another; call again to add more.
    /// </para>
    /// <para>
    /// Checked at startup: each scheme must be a registered cookie scheme without a
    /// <c>SessionStore</c> of its own. The ticket expires when the scheme says
    /// (<see cref="CookieAuthenticationOptions.ExpireTimeSpan"/>, renewed by its sliding
    /// expiration); Tote's <c>IdleTimeout</c> applies only to a ticket without an expiry. A failing
    /// store answers with <see cref="ToteOptions.StoreFailureStatusCode"/> wherever
    /// <c>UseAuthentication()</c> stands, also when a <c>WebApplication</c> adds it by itself.
    /// </para>
    /// </remarks>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="authenticationScheme">The cookie scheme, such as <c>CookieAuthenticationDefaults.AuthenticationScheme</c>; <see langword="null"/> (the default) for the app's default scheme.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder StoreAuthenticationTickets(this IToteBuilder builder, string? authenticationScheme = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (authenticationScheme is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        }

        var schemes = builder.Services.FirstOrDefault(d => d.ServiceType == typeof(AuthenticationTicketSchemes))?.ImplementationInstance as AuthenticationTicketSchemes;
        if (schemes is null)
        {
            schemes = new AuthenticationTicketSchemes();
            builder.Services.AddSingleton(schemes);
            builder.Services.AddOptions<AuthenticationTicketSchemes.StartupCheck>().ValidateOnStart();
        }

        if (authenticationScheme is null)
        {
            schemes.DefaultScheme = true;
        }
        else
        {
            schemes.Schemes.Add(authenticationScheme);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, ToteTicketStoreSetup>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthenticationTicketSchemes.StartupCheck>, AuthenticationTicketsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TicketStoreFailureStartupFilter>());
        return builder;
    }
}
