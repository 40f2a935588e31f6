using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Authentication;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Authentication;

/// <summary>
/// A cookie-authentication app on <see cref="ToteTestHost"/>: sign in with any name and some
/// claims, ask who you are, a protected endpoint, sign out. Authentication runs inside
/// <c>UseTote</c>, as the docs advise.
/// </summary>
internal static class TicketsApi
{
    public const string Cookie = ".AspNetCore.Cookies";

    /// <summary>Starts the app; <paramref name="storeTickets"/> false gives the baseline, tickets kept in the cookie.</summary>
    public static Task<ToteTestHost> StartAsync(
        bool storeTickets = true,
        Action<CookieAuthenticationOptions>? cookie = null,
        Action<ToteTestHostOptions>? configure = null,
        bool useAuthentication = true)
        => ToteTestHost.StartAsync(app => Map(app, useAuthentication), options =>
        {
            configure?.Invoke(options);
            var driver = options.Driver;
            var services = options.Services;
            options.Driver = tote =>
            {
                driver?.Invoke(tote);
                if (storeTickets)
                {
                    tote.StoreAuthenticationTickets();
                }
            };
            options.Services = s =>
            {
                s.AddDataProtection().UseEphemeralDataProtectionProvider();
                s.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => cookie?.Invoke(o));
                s.AddAuthorization();
                services?.Invoke(s);
            };
        });

    public static void Map(WebApplication app) => Map(app, useAuthentication: true);

    /// <summary>The endpoints; without <paramref name="useAuthentication"/> the app leaves authentication to WebApplication, which adds it ahead of <c>UseTote</c>.</summary>
    public static void Map(WebApplication app, bool useAuthentication)
    {
        if (useAuthentication)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        // A name and roles, as many apps put in the principal; the roles make a ticket large.
        app.MapPost("/login/{user}", async (HttpContext context, string user, int? roles) =>
        {
            List<Claim> claims = [new(ClaimTypes.NameIdentifier, user), new(ClaimTypes.Name, user)];
            claims.AddRange(Enumerable.Range(0, roles ?? 0).Select(i => new Claim(ClaimTypes.Role, $"role-number-{i}")));
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, "test")));
            return "signed in";
        });
        app.MapPost("/login-anonymous-principal", async (HttpContext context) =>
        {
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim("theme", "dark")], "test")));
            return "signed in";
        });
        app.MapGet("/whoami", (HttpContext context) => context.User.Identity?.IsAuthenticated == true
            ? context.User.Identity.Name ?? context.User.FindFirst("theme")?.Value ?? "(unnamed)"
            : "(anonymous)");
        app.MapGet("/roles", (HttpContext context) => context.User.FindAll(ClaimTypes.Role).Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
        app.MapGet("/protected", () => "secret").RequireAuthorization();
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync();
            return "signed out";
        });
    }

    public static CookieJar Browser(ToteTestHost host, string userAgent = "TestBrowser/1.0")
        => new(((TestServer)host.Services.GetRequiredService<IServer>()).CreateClient(), userAgent);

    public static async Task SignInAsync(CookieJar browser, string user, int roles = 0)
    {
        using var response = await browser.PostAsync($"/login/{user}?roles={roles}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The Tote key inside an authentication cookie, read as the cookie handler reads it.</summary>
    public static string KeyOf(ToteTestHost host, string cookieValue, string scheme = CookieAuthenticationDefaults.AuthenticationScheme)
    {
        var options = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(scheme);
        var ticket = options.TicketDataFormat.Unprotect(cookieValue) ?? throw new InvalidOperationException("The cookie does not unprotect.");
        return ticket.Principal.FindFirst("Microsoft.AspNetCore.Authentication.Cookies-SessionId")?.Value
            ?? throw new InvalidOperationException("The cookie holds a whole ticket, not a session key.");
    }

    /// <summary>The ticket Tote keeps under <paramref name="key"/>; <see langword="null"/> when none.</summary>
    public static async Task<AuthenticationTicket?> StoredTicketAsync(ToteTestHost host, string key)
        => await host.Store.LoadAsync(key, TestContext.Current.CancellationToken) is { } record ? TicketRecord.Read(record.Data).Ticket : null;

    public static async Task<IReadOnlyList<UserSession>> DevicesAsync(ToteTestHost host, string user)
        => await host.Services.GetRequiredService<UserSessions>().ListAsync(user, TestContext.Current.CancellationToken);
}
