using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tote.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>The "Your devices" page (<c>/account/devices</c>) as a browser without JavaScript uses it: its list and its forms.</summary>
public sealed partial class ShopDevicesPageTests : IAsyncDisposable
{
    private readonly ShopFactory _shop = new();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task Page_NotSignedIn_RedirectsToTheShop()
    {
        using var client = _shop.CreateShopClient();
        await client.SubmitAsync("/cart/add", ("productId", "apple"));

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account/devices"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Index_LinksToThePageOnlyWhenSignedIn()
    {
        using var client = _shop.CreateShopClient();

        Assert.DoesNotContain("href=\"/account/devices\"", await client.GetPageAsync(), StringComparison.Ordinal);
        await client.SubmitAsync("/login", ("name", "Ada"));
        Assert.Contains("href=\"/account/devices\"", await client.GetPageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ListsEachDeviceMarksThisOneAndOffersToSignOutTheOthers()
    {
        using var laptop = await SignedInAsync("Ada", "Laptop/1.0");
        using var phone = await SignedInAsync("ada", "Phone/2.0");
        using var grace = await SignedInAsync("Grace", "Grace/3.0");

        var html = await laptop.GetPageAsync("/account/devices");

        var devices = Devices(html);
        Assert.Equal(2, devices.Count);
        Assert.Contains("<span id=\"device-count\">2</span>", html, StringComparison.Ordinal);
        var self = Assert.Single(devices, d => d.Html.Contains("id=\"this-device\"", StringComparison.Ordinal));
        var other = Assert.Single(devices, d => d != self);
        Assert.Contains("Laptop/1.0", self.Html, StringComparison.Ordinal);
        Assert.Contains("Phone/2.0", other.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Grace/3.0", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"revoke\"", self.Html, StringComparison.Ordinal);

        // The other device's form: this page's handler, its handle, an antiforgery token.
        Assert.Contains("action=\"/account/devices?handler=Revoke\"", other.Html, StringComparison.Ordinal);
        Assert.Contains($"name=\"handle\" value=\"{other.Handle}\"", other.Html, StringComparison.Ordinal);
        Assert.Contains("name=\"__RequestVerificationToken\"", other.Html, StringComparison.Ordinal);
        Assert.Contains("action=\"/account/devices?handler=RevokeOthers\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"revoke-others\"", html, StringComparison.Ordinal);

        // The same devices as the JSON API lists.
        var api = JsonDocument.Parse(await laptop.Http.GetStringAsync("/api/devices")).RootElement;
        Assert.Equal(
            api.EnumerateArray().Select(d => d.GetProperty("handle").GetString()!).Order(),
            devices.Select(d => d.Handle).Order());
    }

    [Fact]
    public async Task Page_OnlyDevice_OffersNoSignOutButtons()
    {
        using var client = await SignedInAsync("Ada", "Laptop/1.0");

        var html = await client.GetPageAsync("/account/devices");

        Assert.Contains("id=\"this-device\"", Assert.Single(Devices(html)).Html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"revoke\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"revoke-others\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeForm_SignsTheOtherDeviceOutAndAnswers303BackToThePage()
    {
        using var keeper = await SignedInAsync("Ada", "Laptop/1.0");
        using var revoked = await SignedInAsync("Ada", "Phone/2.0");
        var other = Assert.Single(Devices(await keeper.GetPageAsync("/account/devices")), d => !d.Html.Contains("this-device", StringComparison.Ordinal));

        using var response = await keeper.SubmitOnAsync("/account/devices", "/account/devices?handler=Revoke", ("handle", other.Handle));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/account/devices", response.Headers.Location?.OriginalString);
        var html = await keeper.GetPageAsync("/account/devices");
        Assert.Single(Devices(html));
        Assert.DoesNotContain("Phone/2.0", html, StringComparison.Ordinal);

        using var next = await revoked.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/"));
        Assert.True(Assert.Single(SetCookie.All(next), c => c.Name == "tote-session").Expired);
        Assert.Contains("id=\"sign-in\"", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeForm_WithAHandleNoLongerListed_ChangesNothingAndAnswers303BackToThePage()
    {
        using var keeper = await SignedInAsync("Ada", "Laptop/1.0");
        using var phone = await SignedInAsync("Ada", "Phone/2.0");
        using var grace = await SignedInAsync("Grace", "Grace/3.0");
        var gracesHandle = Assert.Single(Devices(await grace.GetPageAsync("/account/devices"))).Handle;

        using var response = await keeper.SubmitOnAsync("/account/devices", "/account/devices?handler=Revoke", ("handle", gracesHandle));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/account/devices", response.Headers.Location?.OriginalString);
        Assert.Single(Devices(await grace.GetPageAsync("/account/devices")));
        Assert.Equal(2, Devices(await keeper.GetPageAsync("/account/devices")).Count);
    }

    [Fact]
    public async Task RevokeOthersForm_SignsOutEveryOtherDeviceAndSaysHowMany()
    {
        using var keeper = await SignedInAsync("Ada", "Laptop/1.0");
        using var second = await SignedInAsync("Ada", "Phone/2.0");
        using var third = await SignedInAsync("Ada", "Tablet/3.0");

        using var response = await keeper.SubmitOnAsync("/account/devices", "/account/devices?handler=RevokeOthers");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/account/devices?revoked=2", response.Headers.Location?.OriginalString);
        var html = await keeper.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Signed out of 2 other devices.", html, StringComparison.Ordinal);
        Assert.Contains("id=\"this-device\"", Assert.Single(Devices(html)).Html, StringComparison.Ordinal);
        foreach (var gone in new[] { second, third })
        {
            Assert.Contains("id=\"sign-in\"", await gone.GetPageAsync(), StringComparison.Ordinal);
            Assert.Null(gone.SessionId);
        }
    }

    [Theory]
    [InlineData("/account/devices?handler=Revoke")]
    [InlineData("/account/devices?handler=RevokeOthers")]
    public async Task Forms_WithoutAntiforgeryToken_AreRejectedAndSignNobodyOut(string action)
    {
        using var keeper = await SignedInAsync("Ada", "Laptop/1.0");
        using var other = await SignedInAsync("Ada", "Phone/2.0");
        var handle = Assert.Single(Devices(await keeper.GetPageAsync("/account/devices")), d => !d.Html.Contains("this-device", StringComparison.Ordinal)).Handle;

        using var response = await keeper.PostFormAsync(action, ("handle", handle));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, Devices(await other.GetPageAsync("/account/devices")).Count);
    }

    [Fact]
    public async Task RevokeForm_AfterThisDeviceWasSignedOutElsewhere_RedirectsToTheShop()
    {
        using var revoked = await SignedInAsync("Ada", "Laptop/1.0");
        using var other = await SignedInAsync("Ada", "Phone/2.0");
        var page = await revoked.GetPageAsync("/account/devices");
        var token = Token().Match(page).Groups[1].Value;
        var handle = Assert.Single(Devices(page), d => !d.Html.Contains("this-device", StringComparison.Ordinal)).Handle;
        await other.SubmitOnAsync("/account/devices", "/account/devices?handler=RevokeOthers");

        // The form the revoked device still shows, posted after it was signed out.
        using var response = await revoked.PostFormAsync("/account/devices?handler=Revoke", ("handle", handle), ("__RequestVerificationToken", token));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.Single(Devices(await other.GetPageAsync("/account/devices")));
    }

    private async Task<ShopClient> SignedInAsync(string name, string userAgent)
    {
        var client = _shop.CreateShopClient();
        client.Http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        using var response = await client.SubmitAsync("/login", ("name", name));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    private static List<(string Handle, string Html)> Devices(string html)
        => [.. DeviceItem().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];

    [GeneratedRegex("<li class=\"device\" data-handle=\"([^\"]+)\">(.*?)</li>", RegexOptions.Singleline)]
    private static partial Regex DeviceItem();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*? value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
