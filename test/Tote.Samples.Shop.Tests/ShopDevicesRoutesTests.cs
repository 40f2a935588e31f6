using System.Net;
using System.Text.Json;
using Tote.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// The users-and-devices rows of the sample's fixed HTTP surface (DESIGN §10): <c>/login</c> binding
/// the user, <c>GET /api/devices</c>, <c>POST /api/devices/{handle}/revoke</c> and
/// <c>POST /api/devices/revoke-others</c>, on the shop's default driver.
/// </summary>
public sealed class ShopDevicesRoutesTests : IAsyncDisposable
{
    private readonly ShopFactory _shop = new() { Clock = TestClock.Create() };

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task ApiDevices_Get_ListsEveryDeviceOfTheUserWithTheFixedFieldsAndMarksTheCurrentOne()
    {
        using var laptop = await SignedInAsync("Ada", "Laptop/1.0");
        using var phone = await SignedInAsync("Ada", "Phone/2.0");

        var fromLaptop = await DevicesAsync(laptop);
        var fromPhone = await DevicesAsync(phone);

        Assert.Equal(2, fromLaptop.GetArrayLength());
        foreach (var device in fromLaptop.EnumerateArray())
        {
            Assert.Equal(["handle", "signedInAt", "lastSeenAt", "expiresAt", "userAgent", "current"], device.EnumerateObject().Select(p => p.Name));
            Assert.Equal(TestClock.Start, device.GetProperty("signedInAt").GetDateTimeOffset());
            Assert.Equal(TestClock.Start, device.GetProperty("lastSeenAt").GetDateTimeOffset());
            Assert.Equal(TestClock.Start.AddHours(1), device.GetProperty("expiresAt").GetDateTimeOffset()); // the idle timeout
            Assert.Matches("^[A-Za-z0-9_-]{22}$", device.GetProperty("handle").GetString());
        }

        var laptopSelf = Assert.Single(fromLaptop.EnumerateArray(), d => d.GetProperty("current").GetBoolean());
        var phoneSelf = Assert.Single(fromPhone.EnumerateArray(), d => d.GetProperty("current").GetBoolean());
        Assert.Equal("Laptop/1.0", laptopSelf.GetProperty("userAgent").GetString());
        Assert.Equal("Phone/2.0", phoneSelf.GetProperty("userAgent").GetString());
        Assert.NotEqual(laptopSelf.GetProperty("handle").GetString(), phoneSelf.GetProperty("handle").GetString());
        Assert.Equal(
            fromLaptop.EnumerateArray().Select(d => d.GetProperty("handle").GetString()).Order(),
            fromPhone.EnumerateArray().Select(d => d.GetProperty("handle").GetString()).Order());

        // The handle names the session without being it: never the cookie's value.
        Assert.DoesNotContain(laptop.SessionId!, fromLaptop.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(phone.SessionId!, fromLaptop.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_NamesDifferingOnlyInCaseAndSpaces_AreOneUserAndEachDeviceShowsItsOwnSpelling()
    {
        using var first = await SignedInAsync("Ada");
        using var second = await SignedInAsync("  ADA ");
        using var other = await SignedInAsync("Grace");

        Assert.Equal(2, (await DevicesAsync(first)).GetArrayLength());
        Assert.Equal(2, (await DevicesAsync(second)).GetArrayLength());
        Assert.Equal(1, (await DevicesAsync(other)).GetArrayLength());
        Assert.Contains("<strong id=\"user-name\">Ada</strong>", await first.GetPageAsync(), StringComparison.Ordinal);
        Assert.Contains("<strong id=\"user-name\">ADA</strong>", await second.GetPageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_AgainAsAnotherName_MovesTheDeviceToThatUser()
    {
        using var ada = await SignedInAsync("Ada");
        using var device = await SignedInAsync("Ada");

        await device.SubmitAsync("/login", ("name", "Grace"));

        Assert.Equal(1, (await DevicesAsync(ada)).GetArrayLength());
        var graces = await DevicesAsync(device);
        Assert.True(Assert.Single(graces.EnumerateArray()).GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Login_NameOver100Characters_Is400WithTheMessage()
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SubmitAsync("/login", ("name", new string('a', 101)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Name must be at most 100 characters", await response.Content.ReadAsStringAsync());
        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task Logout_TakesTheDeviceOffTheUsersList()
    {
        using var stays = await SignedInAsync("Ada");
        using var leaves = await SignedInAsync("Ada");

        using var response = await leaves.SubmitAsync("/logout");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var devices = await DevicesAsync(stays);
        Assert.True(Assert.Single(devices.EnumerateArray()).GetProperty("current").GetBoolean());
    }

    [Theory]
    [InlineData("GET", "/api/devices")]
    [InlineData("POST", "/api/devices/AAAAAAAAAAAAAAAAAAAAAA/revoke")]
    [InlineData("POST", "/api/devices/revoke-others")]
    public async Task ApiDevices_WithoutSession_Is401(string method, string path)
    {
        using var client = _shop.CreateShopClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(client.SessionId);
    }

    [Theory]
    [InlineData("GET", "/api/devices")]
    [InlineData("POST", "/api/devices/AAAAAAAAAAAAAAAAAAAAAA/revoke")]
    [InlineData("POST", "/api/devices/revoke-others")]
    public async Task ApiDevices_WithASessionNotSignedIn_Is401AndKeepsTheCart(string method, string path)
    {
        using var client = _shop.CreateShopClient();
        await client.SubmitAsync("/cart/add", ("productId", "apple"));

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("🛒 1 items", await client.GetPageAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_AnotherDeviceOfTheUser_Is204AndThatDevicesNextRequestHasNoSessionAndClearsItsCookie()
    {
        using var keeper = await SignedInAsync("Ada");
        using var revoked = await SignedInAsync("Ada");
        await revoked.SubmitAsync("/cart/add", ("productId", "apple"));
        var revokedId = revoked.SessionId!;
        var other = OtherHandle(await DevicesAsync(keeper));

        using var response = await Post(keeper, $"/api/devices/{other}/revoke");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.False(File.Exists(Path.Combine(_shop.SessionsPath, revokedId + ".session")));
        Assert.Equal(1, (await DevicesAsync(keeper)).GetArrayLength());

        // The revoked device's next request: no session, no user, an empty cart, and its cookie expired.
        using var next = await revoked.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/"));
        var html = await next.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.True(Assert.Single(SetCookie.All(next), c => c.Name == "tote-session").Expired);
        Assert.Contains("🛒 0 items", html, StringComparison.Ordinal);
        Assert.Contains("id=\"sign-in\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"user-name\"", html, StringComparison.Ordinal);
        Assert.Null(revoked.SessionId);
        using var api = await revoked.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Revoke_TheRevokedCookieSentAgain_StillReadsNoSession()
    {
        using var keeper = await SignedInAsync("Ada");
        using var revoked = await SignedInAsync("Ada");
        var stolen = revoked.SessionId!;
        await Post(keeper, $"/api/devices/{OtherHandle(await DevicesAsync(keeper))}/revoke");

        using var replay = new HttpRequestMessage(HttpMethod.Get, "/api/devices");
        replay.Headers.Add("Cookie", "tote-session=" + stolen);
        using var anyone = _shop.CreateShopClient();
        using var response = await anyone.Http.SendAsync(replay);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Revoke_AHandleOfAnotherUser_Is404AndThatDeviceStaysSignedIn()
    {
        using var ada = await SignedInAsync("Ada");
        using var grace = await SignedInAsync("Grace");
        var gracesHandle = Assert.Single((await DevicesAsync(grace)).EnumerateArray()).GetProperty("handle").GetString();

        using var response = await Post(ada, $"/api/devices/{gracesHandle}/revoke");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, (await DevicesAsync(grace)).GetArrayLength());
        Assert.Contains("<strong id=\"user-name\">Grace</strong>", await grace.GetPageAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-handle")]
    public async Task Revoke_AnUnknownHandle_Is404AndNothingIsSignedOut(string handle)
    {
        using var first = await SignedInAsync("Ada");
        using var second = await SignedInAsync("Ada");

        using var response = await Post(first, $"/api/devices/{handle}/revoke");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(2, (await DevicesAsync(second)).GetArrayLength());
    }

    [Fact]
    public async Task Revoke_AHandleAlreadyRevoked_Is404()
    {
        using var keeper = await SignedInAsync("Ada");
        using var revoked = await SignedInAsync("Ada");
        var other = OtherHandle(await DevicesAsync(keeper));
        using var first = await Post(keeper, $"/api/devices/{other}/revoke");

        using var second = await Post(keeper, $"/api/devices/{other}/revoke");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
    }

    [Fact]
    public async Task Revoke_TheCurrentDevicesOwnHandle_Is204AndSignsItOutWithItsCookieCleared()
    {
        using var other = await SignedInAsync("Ada");
        using var client = await SignedInAsync("Ada");
        var own = Assert.Single((await DevicesAsync(client)).EnumerateArray(), d => d.GetProperty("current").GetBoolean()).GetProperty("handle").GetString();

        using var response = await Post(client, $"/api/devices/{own}/revoke");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(Assert.Single(SetCookie.All(response), c => c.Name == "tote-session").Expired);
        using var after = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices"));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.True(Assert.Single((await DevicesAsync(other)).EnumerateArray()).GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task RevokeOthers_AnswersHowManyWereSignedOutAndKeepsTheCurrentDevice()
    {
        using var keeper = await SignedInAsync("Ada");
        await keeper.SubmitAsync("/cart/add", ("productId", "apple"));
        using var second = await SignedInAsync("Ada");
        using var third = await SignedInAsync(" ada");
        using var grace = await SignedInAsync("Grace");

        using var response = await Post(keeper, "/api/devices/revoke-others");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"revoked":2}""", await response.Content.ReadAsStringAsync());
        Assert.True(Assert.Single((await DevicesAsync(keeper)).EnumerateArray()).GetProperty("current").GetBoolean());
        Assert.Contains("🛒 1 items", await keeper.GetPageAsync(), StringComparison.Ordinal);
        foreach (var gone in new[] { second, third })
        {
            using var next = await gone.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices"));
            Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
            Assert.True(Assert.Single(SetCookie.All(next), c => c.Name == "tote-session").Expired);
        }

        Assert.Equal(1, (await DevicesAsync(grace)).GetArrayLength()); // another user is untouched
    }

    [Fact]
    public async Task RevokeOthers_OnTheOnlyDevice_AnswersZeroAndStaysSignedIn()
    {
        using var client = await SignedInAsync("Ada");

        using var response = await Post(client, "/api/devices/revoke-others");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"revoked":0}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await DevicesAsync(client)).GetArrayLength());
    }

    [Fact]
    public async Task ApiDevices_ExpiredDevice_IsNotListed()
    {
        var clock = TestClock.Create();
        await using var shop = new ShopFactory { Clock = clock };
        using var idle = shop.CreateShopClient();
        await idle.SubmitAsync("/login", ("name", "Ada"));
        clock.Advance(TimeSpan.FromMinutes(40));
        using var active = shop.CreateShopClient();
        await active.SubmitAsync("/login", ("name", "Ada"));
        Assert.Equal(2, (await DevicesAsync(active)).GetArrayLength());

        clock.Advance(TimeSpan.FromMinutes(30)); // the first device idle for 70 minutes, over the 1-hour timeout

        var device = Assert.Single((await DevicesAsync(active)).EnumerateArray());
        Assert.True(device.GetProperty("current").GetBoolean());
        Assert.Equal(TestClock.Start.AddMinutes(40), device.GetProperty("signedInAt").GetDateTimeOffset());
    }

    private async Task<ShopClient> SignedInAsync(string name, string userAgent = "ShopTests/1.0")
    {
        var client = _shop.CreateShopClient();
        client.Http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        using var response = await client.SubmitAsync("/login", ("name", name));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    private static async Task<JsonElement> DevicesAsync(ShopClient client)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "a user's devices must not be cached");
        var devices = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Array, devices.ValueKind);
        return devices;
    }

    private static string OtherHandle(JsonElement devices)
        => Assert.Single(devices.EnumerateArray(), d => !d.GetProperty("current").GetBoolean()).GetProperty("handle").GetString()!;

    // No antiforgery token, as a script calling the JSON API sends none (see DeviceEndpoints).
    private static Task<HttpResponseMessage> Post(ShopClient client, string path)
        => client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path));
}
