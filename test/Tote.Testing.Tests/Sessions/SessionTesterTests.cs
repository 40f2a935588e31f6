using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Testing;

namespace Tote.Testing.Tests.Sessions;

public sealed class SessionTesterTests
{
    private static readonly SessionKey<List<string>> Cart = new("cart");

    // The kind of code users unit-test: an endpoint body that takes the session.
    private static async Task<List<string>> AddToCartAsync(Session session, string item)
    {
        var cart = await session.GetAsync(Cart) ?? [];
        cart.Add(item);
        session.Set(Cart, cart);
        return cart;
    }

    [Fact]
    public async Task Seed_ThenRun_TheHandlerSeesTheSeededValuesAndItsChangesAreSaved()
    {
        await using var tester = new SessionTester();
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));
        List<string>? answered = null;

        var result = await tester.RunAsync(async s => answered = await AddToCartAsync(s, "pear"));

        Assert.Equal(["apple", "pear"], answered);
        Assert.Equal(["apple", "pear"], (await tester.LoadSavedAsync())!.Get(Cart));
        Assert.Equal(SessionCookieDecision.None, result.Cookie);
        Assert.Equal(StatusCodes.Status200OK, result.StatusCode);
    }

    [Fact]
    public async Task FirstWrite_CreatesTheSessionAndIssuesTheCookie()
    {
        await using var tester = new SessionTester();

        var result = await tester.RunAsync(s => AddToCartAsync(s, "apple"));

        Assert.Equal(SessionCookieDecision.Issued, result.Cookie);
        Assert.NotNull(result.SessionId);
        Assert.Equal(result.SessionId, tester.SessionId);
        Assert.Equal(result.SessionId, result.SetCookie!.Value);
        Assert.True(result.SetCookie.Attributes.HttpOnly);
        var saved = await tester.LoadSavedAsync();
        Assert.Equal(["cart"], saved!.Keys);
        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"apple"]""", saved.Record);
    }

    [Fact]
    public async Task ReadWithoutACookie_CreatesNothingAndSendsNoCookie()
    {
        await using var tester = new SessionTester();
        List<string>? cart = ["not read"];

        var result = await tester.RunAsync(async s => cart = await s.GetAsync(Cart));

        Assert.Null(cart);
        Assert.Equal(SessionCookieDecision.None, result.Cookie);
        Assert.Null(result.SessionId);
        Assert.Null(await tester.LoadSavedAsync());
    }

    [Fact]
    public async Task Regenerate_IssuesANewIdThatKeepsTheDataAndTheOldIdIsGone()
    {
        await using var tester = new SessionTester();
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));
        var old = tester.SessionId!;

        var result = await tester.RunAsync(s => s.RegenerateAsync().AsTask());

        Assert.Equal(SessionCookieDecision.Issued, result.Cookie);
        Assert.NotEqual(old, tester.SessionId);
        Assert.Null(await tester.LoadSavedAsync(old));
        Assert.Equal(["apple"], (await tester.LoadSavedAsync())!.Get(Cart));
    }

    [Fact]
    public async Task Destroy_ClearsTheCookieAndDeletesTheSession()
    {
        await using var tester = new SessionTester();
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));
        var old = tester.SessionId!;

        var result = await tester.RunAsync(s => s.Destroy());

        Assert.Equal(SessionCookieDecision.Cleared, result.Cookie);
        Assert.Null(result.SessionId);
        Assert.Null(tester.SessionId);
        Assert.Null(await tester.LoadSavedAsync(old));
    }

    [Fact]
    public async Task AdvancingTheClockPastTheIdleTimeout_ExpiresTheSession()
    {
        await using var tester = new SessionTester(o => o.IdleTimeout = TimeSpan.FromMinutes(20));
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));
        var old = tester.SessionId!;

        tester.Clock.Advance(TimeSpan.FromMinutes(21));
        List<string>? cart = ["not read"];
        await tester.RunAsync(async s => cart = await s.GetAsync(Cart));

        Assert.Null(cart);
        Assert.Null(await tester.LoadSavedAsync(old));
    }

    [Fact]
    public async Task AdvancingTheClockWithinTheIdleTimeout_KeepsTheSession()
    {
        await using var tester = new SessionTester(o => o.IdleTimeout = TimeSpan.FromMinutes(20));
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));

        tester.Clock.Advance(TimeSpan.FromMinutes(19));
        List<string>? cart = null;
        await tester.RunAsync(async s => cart = await s.GetAsync(Cart));

        Assert.Equal(["apple"], cart);
    }

    [Fact]
    public async Task KeyTtl_ExpiresTheKeyButNotTheSession()
    {
        await using var tester = new SessionTester();
        await tester.SeedAsync(s =>
        {
            s.Set("notice", "saved", TimeSpan.FromMinutes(1));
            s.Set(Cart, ["apple"]);
        });

        tester.Clock.Advance(TimeSpan.FromMinutes(2));

        var saved = await tester.LoadSavedAsync();
        Assert.False(saved!.Has("notice"));
        Assert.Null(saved.Get<string>("notice"));
        Assert.Equal(["cart"], saved.Keys);
    }

    [Fact]
    public async Task ForgedCookie_IsIgnored_AndAWriteGetsAFreshId()
    {
        await using var tester = new SessionTester();
        var forged = TestIds.New();
        tester.SessionId = forged;

        var result = await tester.RunAsync(s => AddToCartAsync(s, "apple"));

        Assert.Equal(SessionCookieDecision.Issued, result.Cookie);
        Assert.NotEqual(forged, tester.SessionId);
        Assert.Null(await tester.LoadSavedAsync(forged));
    }

    [Fact]
    public async Task RunRequest_GivesCodeThatCallsGetSessionTheRequestsSession()
    {
        await using var tester = new SessionTester();
        await tester.SeedAsync(s => s.Set(Cart, ["apple"]));

        var result = await tester.RunRequestAsync(
            async context =>
            {
                var cart = await context.GetSession().GetAsync(Cart);
                await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}: {string.Join(",", cart!)}");
            },
            request =>
            {
                request.Method = HttpMethods.Post;
                request.Path = "/cart";
            });

        Assert.Equal("POST /cart: apple", result.ReadResponseBody());
    }

    [Fact]
    public async Task CookieMaxAge_IsOnTheIssuedCookie()
    {
        await using var tester = new SessionTester(o => o.Cookie.MaxAge = TimeSpan.FromDays(7));

        var result = await tester.RunAsync(s => s.Set("name", "ada"));

        Assert.Equal(TimeSpan.FromDays(7), result.SetCookie!.Attributes.MaxAge);
    }

    [Fact]
    public async Task HandlerThatThrows_PropagatesTheExceptionAndSavesNothing()
    {
        await using var tester = new SessionTester();

        await Assert.ThrowsAsync<InvalidOperationException>(() => tester.RunAsync(s =>
        {
            s.Set("name", "ada");
            throw new InvalidOperationException("boom");
        }));

        Assert.Null(tester.SessionId);
        Assert.Empty(await ListIdsAsync(tester));
    }

    [Fact]
    public async Task Seed_ThatSetsNothing_Throws()
    {
        await using var tester = new SessionTester();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => tester.SeedAsync(_ => { }));

        Assert.Contains("Set at least one key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOptions_FailTheConstructorNamingTheOption()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new SessionTester(o => o.IdleTimeout = TimeSpan.Zero));

        Assert.Contains("Tote:IdleTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_AddedToTheTester_AreResolvedByTheCodeUnderTest()
    {
        await using var tester = new SessionTester(services: s => s.AddSingleton(new Greeting("hello")));

        var result = await tester.RunRequestAsync(context =>
        {
            context.GetSession().Set("greeting", context.RequestServices.GetRequiredService<Greeting>().Text);
            return Task.CompletedTask;
        });

        Assert.Equal(SessionCookieDecision.Issued, result.Cookie);
        Assert.Equal("hello", (await tester.LoadSavedAsync())!.Get<string>("greeting"));
    }

    [Fact]
    public async Task Requests_AreHttps_SoNoSecureCookieWarningIsLogged()
    {
        await using var tester = new SessionTester();

        var result = await tester.RunAsync(s => s.Set("name", "ada"));

        Assert.True(result.SetCookie!.Attributes.Secure);
        Assert.DoesNotContain(tester.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    private static async Task<List<string>> ListIdsAsync(SessionTester tester)
    {
        var ids = new List<string>();
        await foreach (var id in ((Tote.Drivers.ISessionStoreEnumerator)tester.Store).GetSessionIdsAsync())
        {
            ids.Add(id);
        }

        return ids;
    }

    private sealed record Greeting(string Text);
}
