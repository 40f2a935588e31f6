using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Authentication;
using Tote.Drivers;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Authentication;

public sealed class ToteTicketStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignIn_KeepsTheTicketInTote_AndTheCookieHoldsOnlyASmallKey()
    {
        await using var host = await TicketsApi.StartAsync();
        await using var baseline = await TicketsApi.StartAsync(storeTickets: false);
        using var browser = TicketsApi.Browser(host);
        using var plain = TicketsApi.Browser(baseline);

        await TicketsApi.SignInAsync(browser, "ada", roles: 40);
        await TicketsApi.SignInAsync(plain, "ada", roles: 40);

        var cookie = browser[TicketsApi.Cookie]!;
        Assert.Single(browser.Cookies); // not chunked
        Assert.True(cookie.Length < 600, $"the cookie holding a key is {cookie.Length} characters");

        // The whole ticket is big enough that the cookie handler splits it into chunks.
        var whole = plain.Cookies.Where(c => c.Key.StartsWith(TicketsApi.Cookie, StringComparison.Ordinal)).Sum(c => c.Value.Length);
        Assert.True(whole > 4 * cookie.Length, $"the cookies holding the ticket are {whole} characters, the one holding a key {cookie.Length}");
        Assert.Equal("ada", await browser.GetStringAsync("/whoami"));
        Assert.Equal("40", await browser.GetStringAsync("/roles"));
        var stored = await TicketsApi.StoredTicketAsync(host, TicketsApi.KeyOf(host, cookie));
        Assert.Equal("ada", stored!.Principal.Identity!.Name);
    }

    [Fact]
    public async Task SignIn_ListsTheDeviceUnderTheUser_WithItsUserAgentAndTheTicketsExpiry()
    {
        await using var host = await TicketsApi.StartAsync(cookie: o => o.ExpireTimeSpan = TimeSpan.FromDays(7));
        using var laptop = TicketsApi.Browser(host, "Laptop/1.0");
        var signedIn = host.Clock.GetUtcNow();

        await TicketsApi.SignInAsync(laptop, "ada");

        var device = Assert.Single(await TicketsApi.DevicesAsync(host, "ada"));
        Assert.Equal("Laptop/1.0", device.UserAgent);
        Assert.Equal(signedIn, device.SignedInAt);
        Assert.Equal(signedIn + TimeSpan.FromDays(7), device.ExpiresAt);
        Assert.Empty(await TicketsApi.DevicesAsync(host, "grace"));
    }

    [Fact]
    public async Task Revoke_SignsTheDeviceOutAtItsNextRequest_AndTheOtherDeviceStaysSignedIn()
    {
        await using var host = await TicketsApi.StartAsync();
        using var laptop = TicketsApi.Browser(host, "Laptop/1.0");
        using var phone = TicketsApi.Browser(host, "Phone/1.0");
        await TicketsApi.SignInAsync(laptop, "ada");
        await TicketsApi.SignInAsync(phone, "ada");
        var key = TicketsApi.KeyOf(host, laptop[TicketsApi.Cookie]!);
        var laptopHandle = (await TicketsApi.DevicesAsync(host, "ada")).Single(d => d.UserAgent == "Laptop/1.0").Handle;

        Assert.True(await host.Services.GetRequiredService<UserSessions>().RevokeAsync("ada", laptopHandle, Ct));

        Assert.Equal("(anonymous)", await laptop.GetStringAsync("/whoami"));
        using var challenged = await laptop.GetAsync("/protected");
        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        Assert.StartsWith("/Account/Login", challenged.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Null(await host.Store.LoadAsync(key, Ct));
        Assert.Equal("secret", await phone.GetStringAsync("/protected"));
        Assert.Equal(["Phone/1.0"], (await TicketsApi.DevicesAsync(host, "ada")).Select(d => d.UserAgent));
    }

    [Fact]
    public async Task RevokeAll_SignsEveryDeviceOfTheUserOut_AndNoOtherUser()
    {
        await using var host = await TicketsApi.StartAsync();
        using var laptop = TicketsApi.Browser(host);
        using var phone = TicketsApi.Browser(host);
        using var grace = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(laptop, "ada");
        await TicketsApi.SignInAsync(phone, "ada");
        await TicketsApi.SignInAsync(grace, "grace");

        Assert.Equal(2, await host.Services.GetRequiredService<UserSessions>().RevokeAllAsync("ada", cancellationToken: Ct));

        Assert.Equal("(anonymous)", await laptop.GetStringAsync("/whoami"));
        Assert.Equal("(anonymous)", await phone.GetStringAsync("/whoami"));
        Assert.Equal("grace", await grace.GetStringAsync("/whoami"));
        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
    }

    [Fact]
    public async Task SignOut_DeletesTheTicketAndTakesTheDeviceOffTheList_SoAReplayedCookieIsAnonymous()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var cookie = browser[TicketsApi.Cookie]!;
        var key = TicketsApi.KeyOf(host, cookie);

        using var signedOut = await browser.PostAsync("/logout");

        signedOut.EnsureSuccessStatusCode();
        Assert.Null(browser[TicketsApi.Cookie]);
        Assert.Null(await host.Store.LoadAsync(key, Ct));
        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
        browser[TicketsApi.Cookie] = cookie; // a copy of the cookie taken before the sign-out
        Assert.Equal("(anonymous)", await browser.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task AnExpiredTicket_SignsTheDeviceOut_AndLeavesTheList()
    {
        await using var host = await TicketsApi.StartAsync(cookie: o =>
        {
            o.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            o.SlidingExpiration = false;
        });
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);

        host.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("ada", await browser.GetStringAsync("/whoami"));
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal("(anonymous)", await browser.GetStringAsync("/whoami"));
        Assert.Null(await host.Store.LoadAsync(key, Ct));
        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
    }

    [Fact]
    public async Task SlidingExpiration_RenewsTheStoredTicketUnderTheSameKey_AndMovesTheDevicesLastSeen()
    {
        await using var host = await TicketsApi.StartAsync(cookie: o => o.ExpireTimeSpan = TimeSpan.FromMinutes(30));
        using var browser = TicketsApi.Browser(host);
        var signedIn = host.Clock.GetUtcNow();
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);

        host.Clock.Advance(TimeSpan.FromMinutes(20)); // past half the lifetime: the handler renews
        Assert.Equal("ada", await browser.GetStringAsync("/whoami"));
        var renewed = host.Clock.GetUtcNow();
        host.Clock.Advance(TimeSpan.FromMinutes(20)); // 40 minutes after sign-in, 20 after the renewal

        Assert.Equal("ada", await browser.GetStringAsync("/whoami"));
        Assert.Equal(key, TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!));
        var device = Assert.Single(await TicketsApi.DevicesAsync(host, "ada"));
        Assert.Equal(signedIn, device.SignedInAt);
        Assert.True(device.LastSeenAt >= renewed, $"last seen {device.LastSeenAt:O}, renewed {renewed:O}");
        Assert.True(device.ExpiresAt > signedIn + TimeSpan.FromMinutes(30));
    }

    [Fact]
    public async Task Renewal_OfATicketRevokedMeanwhile_DoesNotRecreateIt()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        var store = TicketStore(host);
        var ticket = await store.RetrieveAsync(key, Ct);

        Assert.Equal(1, await host.Services.GetRequiredService<UserSessions>().RevokeAllAsync("ada", cancellationToken: Ct));
        await store.RenewAsync(key, ticket!, Ct);

        Assert.Null(await host.Store.LoadAsync(key, Ct));
        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
        Assert.Equal("(anonymous)", await browser.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task APrincipalWithoutAUserId_IsStoredUnbound_AndStillAuthenticates()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);

        using var response = await browser.PostAsync("/login-anonymous-principal");

        response.EnsureSuccessStatusCode();
        Assert.Equal("dark", await browser.GetStringAsync("/whoami"));
        var stored = await host.Store.LoadAsync(TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!), Ct);
        Assert.DoesNotContain("tote:user", stored!.Data, StringComparison.Ordinal);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 98);
    }

    [Fact]
    public async Task SigningInBeyondMaxSessionsPerUser_SignsTheLeastRecentlySeenDeviceOut()
    {
        await using var host = await TicketsApi.StartAsync(configure: o => o.Configuration["Tote:Users:MaxSessionsPerUser"] = "1");
        using var laptop = TicketsApi.Browser(host);
        using var phone = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(laptop, "ada");
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        await TicketsApi.SignInAsync(phone, "ada");

        Assert.Equal("(anonymous)", await laptop.GetStringAsync("/whoami"));
        Assert.Equal("ada", await phone.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task Logs_NameTicketsByHandle_NeverByKey()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        await browser.GetStringAsync("/whoami");
        using var signedOut = await browser.PostAsync("/logout");

        var logs = host.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 91);
        Assert.Contains(logs, r => r.Id.Id == 93);
        Assert.DoesNotContain(logs, r => r.Message.Contains(key, StringComparison.Ordinal) || r.StructuredState!.Any(s => s.Value?.Contains(key, StringComparison.Ordinal) == true));
    }

    public static TheoryData<string, string> HostileRecords() => new()
    {
        { "not devalue", "{{{{" },
        { "devalue, not a Map", "[\"tote:ticket\"]" },
        { "the ticket is a number", """[["Map",1,2],"tote:ticket",{"data":3,"expires":-1},42]""" },
        { "the ticket is not base64", """[["Map",1,2],"tote:ticket",{"data":3,"expires":-1},"not base64!"]""" },
        { "the ticket is random bytes", $$"""[["Map",1,2],"tote:ticket",{"data":3,"expires":-1},"{{Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)(i * 37)).ToArray())}}"]""" },
        { "the ticket is cut short", "truncate" },
        { "the ticket is empty", """[["Map",1,2],"tote:ticket",{"data":3,"expires":-1},""]""" },
    };

    [Theory]
    [MemberData(nameof(HostileRecords))]
    public async Task AHostileStoredTicket_SignsTheDeviceOut_RemovesTheRecord_AndNeverAnswers500(string kind, string data)
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        var stored = (await host.Store.LoadAsync(key, Ct))!;
        if (data == "truncate")
        {
            var ticket = Tote.Serialization.SessionRecordFormat.Read(stored.Data)["tote:ticket"].Read<string>()!;
            Assert.NotEmpty(ticket);
            data = stored.Data.Replace(ticket, ticket[..(ticket.Length / 2 / 4 * 4)], StringComparison.Ordinal);
        }

        Assert.NotNull(await host.Store.SaveAsync(key, new SessionRecord { Data = data, CreatedAt = stored.CreatedAt, ExpiresAt = stored.ExpiresAt }, stored.Version, Ct));

        using var response = await browser.GetAsync("/whoami");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK && body == "(anonymous)", $"{kind}: {(int)response.StatusCode} {body}");
        Assert.Null(await host.Store.LoadAsync(key, Ct));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 95);
    }

    [Fact]
    public async Task AStoredTicketWithImpossibleTimes_SignsTheDeviceOut()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        var stored = (await host.Store.LoadAsync(key, Ct))!;
        var now = host.Clock.GetUtcNow();
        await host.Store.SaveAsync(key, new SessionRecord { Data = stored.Data, CreatedAt = now + TimeSpan.FromDays(365), ExpiresAt = now + TimeSpan.FromDays(400) }, stored.Version, Ct);

        Assert.Equal("(anonymous)", await browser.GetStringAsync("/whoami"));
        Assert.Null(await host.Store.LoadAsync(key, Ct));
    }

    [Fact]
    public async Task AKeyNamingASessionRatherThanATicket_SignsTheDeviceOut_AndLeavesTheSessionAlone()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        var stored = (await host.Store.LoadAsync(key, Ct))!;
        const string session = """[["Map",1,2],"cart",{"data":3,"expires":-1},"apple"]""";
        await host.Store.SaveAsync(key, new SessionRecord { Data = session, CreatedAt = stored.CreatedAt, ExpiresAt = stored.ExpiresAt }, stored.Version, Ct);

        Assert.Equal("(anonymous)", await browser.GetStringAsync("/whoami"));
        Assert.Equal(session, (await host.Store.LoadAsync(key, Ct))!.Data);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 96);
    }

    [Fact]
    public async Task TheTicketRecord_IsAnAstroSessionRecordOfTwoStringKeys()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");

        var stored = (await host.Store.LoadAsync(TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!), Ct))!;

        var entries = Tote.Serialization.SessionRecordFormat.Read(stored.Data);
        Assert.Equal(["tote:ticket", "tote:user"], entries.Keys);
        Assert.All(entries.Values, e => Assert.Null(e.Expires));
        Assert.Equal("ada", entries["tote:user"].Read<string?[]>()![0]);
    }

    [Fact]
    public async Task Renewal_WithAnotherUsersPrincipal_MovesTheDeviceToThatUser()
    {
        await using var host = await TicketsApi.StartAsync();
        using var browser = TicketsApi.Browser(host);
        await TicketsApi.SignInAsync(browser, "ada");
        var key = TicketsApi.KeyOf(host, browser[TicketsApi.Cookie]!);
        var store = TicketStore(host);
        var ticket = (await store.RetrieveAsync(key, Ct))!;

        await store.RenewAsync(key, new AuthenticationTicket(Principal("grace"), ticket.Properties, ticket.AuthenticationScheme), Ct);

        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
        Assert.Single(await TicketsApi.DevicesAsync(host, "grace"));
        Assert.Equal("grace", await browser.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task Store_OfATicketOverMaxSessionSize_FailsNamingTheLimit_AndStoresNothing()
    {
        await using var host = await TicketsApi.StartAsync(configure: o => o.Configuration["Tote:MaxSessionSize"] = "2000");
        var principal = Principal("ada");
        ((ClaimsIdentity)principal.Identity!).AddClaims(Enumerable.Range(0, 100).Select(i => new Claim(ClaimTypes.Role, $"role-{i}")));

        var failure = await Assert.ThrowsAsync<SessionTooLargeException>(() => TicketStore(host).StoreAsync(new AuthenticationTicket(principal, "Cookies"), Ct));

        Assert.Contains("over the limit of 2000 (Tote:MaxSessionSize)", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await TicketsApi.DevicesAsync(host, "ada"));
    }

    [Fact]
    public async Task Store_OfAPrincipalWithAnOverlongUserId_FailsRatherThanStoringItUnbound()
    {
        await using var host = await TicketsApi.StartAsync();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => TicketStore(host).StoreAsync(new AuthenticationTicket(Principal(new string('u', 257)), "Cookies"), Ct));

        Assert.Contains("at most 256", failure.Message, StringComparison.Ordinal);
    }

    private static ClaimsPrincipal Principal(string user)
        => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user), new Claim(ClaimTypes.Name, user)], "test"));

    private static ITicketStore TicketStore(ToteTestHost host)
        => host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).SessionStore!;
}
