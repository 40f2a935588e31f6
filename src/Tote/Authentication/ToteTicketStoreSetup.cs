using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Diagnostics;

namespace Tote.Authentication;

/// <summary>
/// Gives the cookie schemes <c>StoreAuthenticationTickets()</c> names a <see cref="ToteTicketStore"/>
/// as their <see cref="CookieAuthenticationOptions.SessionStore"/>. A post-configuration, so it
/// sees the schemes and defaults however the app registered them (<c>AddCookie</c>,
/// <c>AddIdentity</c>), in any order; a store the app set itself is left alone (and reported at
/// startup by <see cref="AuthenticationTicketsValidator"/>).
/// </summary>
internal sealed class ToteTicketStoreSetup(
    AuthenticationTicketSchemes tickets,
    IOptions<AuthenticationOptions> authentication,
    IServiceProvider services) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name is null || options.SessionStore is not null || !tickets.Targets(authentication.Value).Contains(name))
        {
            return;
        }

        // Resolved here, not injected: every cookie scheme's options pass through this class,
        // and only the ones Tote keeps tickets for should create the store.
        var runtime = services.GetRequiredService<SessionRuntime>();
        options.SessionStore = new ToteTicketStore(runtime, name);
        Log.TicketStoreConfigured(runtime.Logger, name, runtime.Store.Driver);
    }
}
