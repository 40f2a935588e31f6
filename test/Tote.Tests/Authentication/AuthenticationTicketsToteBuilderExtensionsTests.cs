using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Authentication;
using Tote.Tests.Drivers;

namespace Tote.Tests.Authentication;

public sealed class AuthenticationTicketsToteBuilderExtensionsTests
{
    [Fact]
    public async Task WithoutAScheme_TheDefaultSchemeKeepsItsTickets_AndOtherCookieSchemesKeepTheirs()
    {
        await using var host = await TicketsApi.StartAsync(configure: o => o.Services = s => s.AddAuthentication().AddCookie("Other"));

        var cookies = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        Assert.IsType<ToteTicketStore>(cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).SessionStore);
        Assert.Null(cookies.Get("Other").SessionStore);
    }

    [Fact]
    public async Task WithASchemeName_ThatSchemeKeepsItsTickets()
    {
        await using var host = await TicketsApi.StartAsync(storeTickets: false, configure: o =>
        {
            o.Services = s => s.AddAuthentication().AddCookie("Other");
            o.Driver = tote => tote.StoreAuthenticationTickets("Other");
        });

        var cookies = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        Assert.Null(cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).SessionStore);
        Assert.Equal("Other", Assert.IsType<ToteTicketStore>(cookies.Get("Other").SessionStore).Scheme);
    }

    [Fact]
    public async Task Startup_FailsNamingEveryProblem_WhenASchemeIsMissingOrNotACookieScheme()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TicketsApi.StartAsync(configure: o =>
        {
            o.Services = s => s.AddAuthentication().AddScheme<AuthenticationSchemeOptions, NoHandler>("Bearer", null);
            o.Driver = tote => tote.StoreAuthenticationTickets("Missing").StoreAuthenticationTickets("Bearer");
        }));

        Assert.Contains("'Missing', which is not registered (registered: 'Cookies', 'Bearer')", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'Bearer', which is handled by NoHandler, not by cookie authentication", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_Fails_WhenTheAppSetItsOwnSessionStore()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TicketsApi.StartAsync(cookie: o => o.SessionStore = new OwnTicketStore()));

        Assert.Contains("SessionStore is already set to OwnTicketStore", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheStoreFails_AnAuthenticatedRequestAnswers503_Not500()
    {
        var store = new ScriptedStore { Failure = new IOException("disk on fire") };
        await using var host = await TicketsApi.StartAsync(configure: o => o.Driver = tote => tote.UseStore("scripted", _ => store));
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        store.FailingOperations.Add("load");

        using var response = await browser.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task WhenTheStoreFails_AndTheAppLeftUseAuthenticationToWebApplication_TheRequestAnswers503_Not500()
    {
        var store = new ScriptedStore { Failure = new IOException("disk on fire") };
        await using var host = await TicketsApi.StartAsync(
            configure: o => o.Driver = tote => tote.UseStore("scripted", _ => store),
            useAuthentication: false);
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        store.FailingOperations.Add("load");

        using var response = await browser.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private sealed class NoHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }

    private sealed class OwnTicketStore : ITicketStore
    {
        public Task RemoveAsync(string key) => Task.CompletedTask;

        public Task RenewAsync(string key, AuthenticationTicket ticket) => Task.CompletedTask;

        public Task<AuthenticationTicket?> RetrieveAsync(string key) => Task.FromResult<AuthenticationTicket?>(null);

        public Task<string> StoreAsync(AuthenticationTicket ticket) => Task.FromResult("key");
    }
}
