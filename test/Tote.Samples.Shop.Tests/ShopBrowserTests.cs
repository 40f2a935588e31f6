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
        Assert.SkipUnless(File.Exists(Chromium), $"{Chromium} is not installed (eng/test.sh installs it with apt-get as root).");
        await using var shop = new ShopFactory();
        shop.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        shop.StartServer();
        var baseUrl = shop.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, BaseURL = baseUrl });
        var page = await context.NewPageAsync();
        var steps = new Screenshots(page);

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

    private static async Task Expect(IPage page, string cartText)
        => Assert.Equal(cartText, await page.InnerTextAsync("#cart-count"));

    /// <summary>Numbered screenshots: written under artifacts/browser and attached to the test result.</summary>
    private sealed class Screenshots(IPage page)
    {
        private static readonly string Directory = Path.Combine(RepositoryRoot(), "artifacts", "browser");
        private int _step;

        public async Task TakeAsync(string name)
        {
            var file = $"{++_step:00}-{name}.png";
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
