using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Authentication;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Authentication;

/// <summary>
/// A real ASP.NET Core Identity setup (users in a SQLite file through EF Core, password sign-in
/// through <see cref="SignInManager{TUser}"/>) with <c>StoreAuthenticationTickets()</c>.
/// </summary>
public sealed class IdentityTicketsTests : IAsyncLifetime
{
    private const string Password = "Correct-horse-1";
    private const string Cookie = ".AspNetCore.Identity.Application";

    private readonly TempDirectory _directory = new();
    private ToteTestHost _host = null!;
    private string _userId = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var database = Path.Combine(_directory.Path, "identity.db");
        _host = await ToteTestHost.StartAsync(Map, o =>
        {
            o.Driver = tote => tote.StoreAuthenticationTickets();
            o.Services = services =>
            {
                services.AddDataProtection().UseEphemeralDataProtectionProvider();
                services.AddDbContext<IdentityDbContext>(db => db.UseSqlite($"Data Source={database};Pooling=False"));
                services.AddIdentity<IdentityUser, IdentityRole>().AddEntityFrameworkStores<IdentityDbContext>();
                services.AddAuthorization();
            };
        });

        using var scope = _host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Database.EnsureCreatedAsync(Ct);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var ada = new IdentityUser("ada");
        var created = await users.CreateAsync(ada, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        _userId = ada.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task PasswordSignIn_KeepsTheIdentityCookiesTicketInTote_ListedUnderTheUsersId()
    {
        using var browser = TicketsApi.Browser(_host, "Laptop/1.0");

        await SignInAsync(browser);

        var cookie = browser[Cookie]!;
        Assert.True(cookie.Length < 600, $"the Identity cookie is {cookie.Length} characters");
        var stored = await TicketsApi.StoredTicketAsync(_host, TicketsApi.KeyOf(_host, cookie, IdentityConstants.ApplicationScheme));
        Assert.Equal(_userId, stored!.Principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value);
        Assert.Equal("ada", await browser.GetStringAsync("/whoami"));
        var device = Assert.Single(await TicketsApi.DevicesAsync(_host, _userId));
        Assert.Equal("Laptop/1.0", device.UserAgent);
    }

    [Fact]
    public async Task RevokeAll_SignsTheIdentityCookieOut_AtItsNextRequest()
    {
        using var laptop = TicketsApi.Browser(_host);
        using var phone = TicketsApi.Browser(_host);
        await SignInAsync(laptop);
        await SignInAsync(phone);

        Assert.Equal(2, await _host.Services.GetRequiredService<UserSessions>().RevokeAllAsync(_userId, cancellationToken: Ct));

        Assert.Equal("(anonymous)", await laptop.GetStringAsync("/whoami"));
        using var challenged = await phone.GetAsync("/protected");
        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        Assert.StartsWith("/Account/Login", challenged.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Empty(await TicketsApi.DevicesAsync(_host, _userId));
    }

    [Fact]
    public async Task SignOut_DeletesTheTicket()
    {
        using var browser = TicketsApi.Browser(_host);
        await SignInAsync(browser);
        var key = TicketsApi.KeyOf(_host, browser[Cookie]!, IdentityConstants.ApplicationScheme);

        using var response = await browser.PostAsync("/account/logout");

        response.EnsureSuccessStatusCode();
        Assert.Null(await _host.Store.LoadAsync(key, Ct));
        Assert.Empty(await TicketsApi.DevicesAsync(_host, _userId));
    }

    [Fact]
    public void IdentitysOtherCookies_AreNotDevices_AndKeepTheirTicketsInTheCookie()
    {
        var cookies = _host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();

        Assert.IsType<ToteTicketStore>(cookies.Get(IdentityConstants.ApplicationScheme).SessionStore);
        Assert.Null(cookies.Get(IdentityConstants.ExternalScheme).SessionStore);
        Assert.Null(cookies.Get(IdentityConstants.TwoFactorRememberMeScheme).SessionStore);
        Assert.Null(cookies.Get(IdentityConstants.TwoFactorUserIdScheme).SessionStore);
    }

    private static void Map(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/account/login/{name}", async (SignInManager<IdentityUser> signIn, string name)
            => (await signIn.PasswordSignInAsync(name, Password, isPersistent: true, lockoutOnFailure: false)).Succeeded ? Results.Ok("signed in") : Results.Unauthorized());
        app.MapPost("/account/logout", async (SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return "signed out";
        });
        app.MapGet("/whoami", (HttpContext context) => context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : "(anonymous)");
        app.MapGet("/protected", () => "secret").RequireAuthorization();
    }

    private static async Task SignInAsync(CookieJar browser)
    {
        using var response = await browser.PostAsync("/account/login/ada");
        response.EnsureSuccessStatusCode();
    }
}
