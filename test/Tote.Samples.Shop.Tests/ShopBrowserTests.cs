using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// The shop in a real browser with JavaScript disabled: Debian's chromium, driven by Playwright,
/// against the sample on Kestrel at 127.0.0.1. A screenshot of each step is kept under
/// <c>artifacts/browser/</c> and attached to the test result.
/// </summary>
public sealed class ShopBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task WithoutJavaScript_CartSurvivesSignInAndReloadAndSignOutEmptiesIt()
    {
        await using var browser = await ShopBrowser.StartAsync();
        var (context, page, steps) = (browser.Context, browser.Page, browser.Steps);

        await page.GotoAsync("/");
        await Expect(page, "🛒 0 items");
        await steps.TakeAsync("empty-cart");

        await page.ClickAsync("#add-apple");
        await Expect(page, "🛒 1 items");
        await steps.TakeAsync("added-apple");
        await page.ClickAsync("#add-pear");
        await Expect(page, "🛒 2 items");
        await steps.TakeAsync("added-pear");

        await page.FillAsync("#name", "Ada Lovelace");
        await page.ClickAsync("#sign-in");
        Assert.Equal("Ada Lovelace", await page.InnerTextAsync("#user-name"));
        await Expect(page, "🛒 2 items");
        await steps.TakeAsync("signed-in");

        await page.ReloadAsync();
        Assert.Equal("Ada Lovelace", await page.InnerTextAsync("#user-name"));
        await Expect(page, "🛒 2 items");
        await steps.TakeAsync("reloaded");

        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "tote-session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.False(cookie.Secure); // plain http in Development: Secure follows the request
        Assert.Equal(-1, cookie.Expires); // no Max-Age: a browser-session cookie
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", cookie.Value);

        await page.ClickAsync("#sign-out");
        await Expect(page, "🛒 0 items");
        Assert.Equal(0, await page.Locator("#user-name").CountAsync());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "tote-session");
        await steps.TakeAsync("signed-out");
    }

    [Fact]
    public async Task WithoutJavaScript_RazorPageMvcAndBlazorShareOneCart()
    {
        await using var browser = await ShopBrowser.StartAsync("pages-");
        var (page, steps) = (browser.Page, browser.Steps);

        await page.GotoAsync("/");
        await page.ClickAsync("#add-apple");
        await Expect(page, "🛒 1 items");
        await steps.TakeAsync("razor-page-added-apple");

        await page.ClickAsync("#mvc-cart");
        Assert.EndsWith("/mvc/cart", page.Url, StringComparison.Ordinal);
        await Expect(page, "🛒 1 items");
        Assert.Equal(["apple"], await page.Locator("#cart-items li").AllInnerTextsAsync());
        await page.ClickAsync("#add-fig");
        Assert.EndsWith("/mvc/cart", page.Url, StringComparison.Ordinal);
        await Expect(page, "🛒 2 items");
        await steps.TakeAsync("mvc-added-fig");

        await page.GotoAsync("/blazor/cart");
        await Expect(page, "🛒 2 items");
        Assert.Equal(["apple", "fig"], await page.Locator("#cart-items li").AllInnerTextsAsync());
        await page.ClickAsync("#add-pear");
        Assert.EndsWith("/blazor/cart", page.Url, StringComparison.Ordinal);
        await Expect(page, "🛒 3 items");
        await steps.TakeAsync("blazor-added-pear");

        // Reloading after a 303 repeats the GET, never the post.
        await page.ReloadAsync();
        await Expect(page, "🛒 3 items");

        await page.GotoAsync("/mvc/cart");
        Assert.Equal(["apple", "fig", "pear"], await page.Locator("#cart-items li").AllInnerTextsAsync());
        await page.GotoAsync("/");
        await Expect(page, "🛒 3 items");
        Assert.Equal(["apple", "fig", "pear"], await page.Locator("#cart-items li").AllInnerTextsAsync());
        await steps.TakeAsync("razor-page-sees-all");
        Assert.Single(await browser.Context.CookiesAsync(), c => c.Name == "tote-session");
    }

    [Fact]
    public async Task WithoutJavaScript_OneDeviceSignsOutAnotherOfTheSameUser()
    {
        await using var browser = await ShopBrowser.StartAsync("devices-a-");
        var (a, stepsA) = (browser.Page, browser.Steps);
        var b = await browser.NewContextPageAsync("Tote browser test, device B");
        var stepsB = new Screenshots(b, "devices-b-");

        await a.GotoAsync("/");
        await a.FillAsync("#name", "Ada");
        await a.ClickAsync("#sign-in");
        await b.GotoAsync("/");
        await b.FillAsync("#name", " ada ");
        await b.ClickAsync("#sign-in");
        Assert.Equal("Ada", await a.InnerTextAsync("#user-name"));
        Assert.Equal("ada", await b.InnerTextAsync("#user-name"));
        await stepsB.TakeAsync("signed-in");

        // A's "Your devices": both browsers, A marked as this device, B with a sign-out button.
        await a.ClickAsync("#devices");
        Assert.EndsWith("/account/devices", a.Url, StringComparison.Ordinal);
        Assert.Equal(2, await a.Locator("li.device").CountAsync());
        var other = a.Locator("li.device:not(:has(#this-device))");
        Assert.Equal(1, await other.CountAsync());
        Assert.Equal(1, await a.Locator("li.device:has(#this-device)").CountAsync());
        Assert.Equal("Tote browser test, device B", await other.Locator(".user-agent").InnerTextAsync());
        await stepsA.TakeAsync("two-devices");

        // The form carries the antiforgery token: the post succeeds and comes back to the list.
        await other.Locator("button.revoke").ClickAsync();
        Assert.EndsWith("/account/devices", a.Url, StringComparison.Ordinal);
        Assert.Equal(1, await a.Locator("li.device").CountAsync());
        Assert.Equal(1, await a.Locator("#this-device").CountAsync());
        await stepsA.TakeAsync("revoked-b");

        // B's next page load: signed out, its cart empty, its cookie gone.
        await b.ReloadAsync();
        Assert.Equal(0, await b.Locator("#user-name").CountAsync());
        Assert.Equal(1, await b.Locator("#sign-in").CountAsync());
        Assert.DoesNotContain(await b.Context.CookiesAsync(), c => c.Name == "tote-session");
        await stepsB.TakeAsync("signed-out");

        await a.ClickAsync("#shop");
        Assert.Equal("Ada", await a.InnerTextAsync("#user-name"));
    }

    private static async Task Expect(IPage page, string cartText)
        => Assert.Equal(cartText, await page.InnerTextAsync("#cart-count"));

    /// <summary>The shop on Kestrel at 127.0.0.1 and a fresh chromium context on it, JavaScript off.</summary>
    private sealed class ShopBrowser : IAsyncDisposable
    {
        private readonly ShopFactory _shop;
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private readonly string _baseUrl;
        private readonly List<IBrowserContext> _otherContexts = [];

        private ShopBrowser(ShopFactory shop, IPlaywright playwright, IBrowser browser, string baseUrl, IBrowserContext context, IPage page, string screenshotPrefix)
        {
            (_shop, _playwright, _browser, _baseUrl, Context, Page) = (shop, playwright, browser, baseUrl, context, page);
            Steps = new Screenshots(page, screenshotPrefix);
        }

        public IBrowserContext Context { get; }

        public IPage Page { get; }

        public Screenshots Steps { get; }

        /// <summary>A page in a second, separate context of the same browser: another device, with its own cookies.</summary>
        public async Task<IPage> NewContextPageAsync(string userAgent)
        {
            var context = await _browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, BaseURL = _baseUrl, UserAgent = userAgent });
            _otherContexts.Add(context);
            return await context.NewPageAsync();
        }

        public static async Task<ShopBrowser> StartAsync(string screenshotPrefix = "")
        {
            Assert.SkipUnless(File.Exists(Chromium), $"{Chromium} is not installed (eng/test.sh installs it with apt-get as root).");
            var shop = new ShopFactory();
            shop.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            shop.StartServer();
            var baseUrl = shop.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

            IPlaywright? playwright = null;
            try
            {
                playwright = await Playwright.CreateAsync();
                var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = Chromium,
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
                });
                var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, BaseURL = baseUrl });
                return new ShopBrowser(shop, playwright, browser, baseUrl, context, await context.NewPageAsync(), screenshotPrefix);
            }
            catch
            {
                // A browser that fails to start must not leave the shop and its session files behind.
                playwright?.Dispose();
                await shop.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var context in _otherContexts)
            {
                await context.DisposeAsync();
            }

            await Context.DisposeAsync();
            await _browser.DisposeAsync();
            _playwright.Dispose();
            await _shop.DisposeAsync();
        }
    }

    /// <summary>Numbered screenshots: written under artifacts/browser and attached to the test result.</summary>
    private sealed class Screenshots(IPage page, string prefix)
    {
        private static readonly string Directory = Path.Combine(RepositoryRoot(), "artifacts", "browser");
        private int _step;

        public async Task TakeAsync(string name)
        {
            var file = $"{prefix}{++_step:00}-{name}.png";
            System.IO.Directory.CreateDirectory(Directory);
            var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, file), FullPage = true });
            TestContext.Current.AddAttachment(file, png, "image/png");
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Tote.slnx")))
                {
                    return dir.FullName;
                }
            }

            return AppContext.BaseDirectory;
        }
    }
}
