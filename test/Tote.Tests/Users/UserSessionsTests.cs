using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tote.Drivers.Memory;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Users;

public sealed class UserSessionsTests
{
    private readonly Gates _gates = new();

    [Fact]
    public async Task SignIn_MovesTheSessionToANewIdKeepingItsData_AndBindsTheUser()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/cart/apple");
        var before = client.SessionId!;

        await UsersApi.SignInAsync(client, "ada");

        Assert.NotEqual(before, client.SessionId);
        Assert.Equal("ada", await client.GetStringAsync("/me"));
        Assert.Equal("apple", await client.GetStringAsync("/get/cart"));
        Assert.Null(await host.Store.LoadAsync(before, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GetUserId_OfASessionNeverSignedIn_IsNull()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/cart/apple");

        Assert.Equal("(none)", await client.GetStringAsync("/me"));
    }

    [Fact]
    public async Task List_ShowsEveryDeviceOfTheUser_WithItsHandleUserAgentAndTimes_AndNoIpByDefault()
    {
        await using var host = await UsersApi.StartAsync();
        using var laptop = host.CreateClient();
        using var phone = host.CreateClient();
        using var other = host.CreateClient();
        var signedIn = host.Clock.GetUtcNow();
        var laptopHandle = await UsersApi.SignInAsync(laptop, "ada", "Laptop/1.0");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var phoneHandle = await UsersApi.SignInAsync(phone, "ada", "Phone/" + new string('x', 400));
        await UsersApi.SignInAsync(other, "grace");

        var devices = await UsersApi.DevicesAsync(host, "ada");

        Assert.Equal([phoneHandle, laptopHandle], devices.Select(d => d.Handle));
        var laptopRow = devices[1];
        Assert.Equal("Laptop/1.0", laptopRow.UserAgent);
        Assert.Equal(signedIn, laptopRow.SignedInAt);
        Assert.Equal(signedIn, laptopRow.LastSeenAt);
        Assert.Equal(signedIn + TimeSpan.FromHours(1), laptopRow.ExpiresAt);
        Assert.Null(laptopRow.IpAddress);
        Assert.Equal(256, devices[0].UserAgent!.Length);
    }

    [Fact]
    public async Task Revoke_SignsTheDeviceOutAtItsNextRequest_AndTakesItOffTheList()
    {
        await using var host = await UsersApi.StartAsync();
        using var laptop = host.CreateClient();
        using var phone = host.CreateClient();
        var laptopHandle = await UsersApi.SignInAsync(laptop, "ada");
        var phoneHandle = await UsersApi.SignInAsync(phone, "ada");
        var laptopId = laptop.SessionId!;

        using var revoked = await phone.PostAsync($"/revoke/ada/{laptopHandle}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Null(await host.Store.LoadAsync(laptopId, TestContext.Current.CancellationToken));
        using var next = await laptop.GetAsync("/me");
        Assert.Equal("(none)", await next.Content.ReadAsStringAsync());
        Assert.Contains(laptop.SessionCookies(next), c => c.Expired);
        Assert.Equal([phoneHandle], (await UsersApi.DevicesAsync(host, "ada")).Select(d => d.Handle));
    }

    [Fact]
    public async Task Revoke_WithAHandleThatIsNotTheUsers_RevokesNothing()
    {
        await using var host = await UsersApi.StartAsync();
        using var ada = host.CreateClient();
        using var grace = host.CreateClient();
        await UsersApi.SignInAsync(ada, "ada");
        var graceHandle = await UsersApi.SignInAsync(grace, "grace");

        using var response = await ada.PostAsync($"/revoke/ada/{graceHandle}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("grace", await grace.GetStringAsync("/me"));
    }

    [Fact]
    public async Task RevokeAll_ExceptTheCurrentDevice_SignsOutTheOthersOnly()
    {
        await using var host = await UsersApi.StartAsync();
        using var current = host.CreateClient();
        using var second = host.CreateClient();
        using var third = host.CreateClient();
        var currentHandle = await UsersApi.SignInAsync(current, "ada");
        await UsersApi.SignInAsync(second, "ada");
        await UsersApi.SignInAsync(third, "ada");

        using var response = await current.PostAsync("/revoke-others/ada");

        Assert.Equal("2", await response.Content.ReadAsStringAsync());
        Assert.Equal("ada", await current.GetStringAsync("/me"));
        Assert.Equal("(none)", await second.GetStringAsync("/me"));
        Assert.Equal("(none)", await third.GetStringAsync("/me"));
        Assert.Equal([currentHandle], (await UsersApi.DevicesAsync(host, "ada")).Select(d => d.Handle));
    }

    [Fact]
    public async Task Destroy_TakesTheSessionOffTheUsersList_AndOutOfTheIndex()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");
        await client.GetStringAsync("/me");

        (await client.PostAsync("/destroy")).Dispose();

        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        Assert.Equal(0, ((MemorySessionStore)host.Store).UserSessionEntryCount);
    }

    [Fact]
    public async Task Regenerate_OfASignedInSession_KeepsItListedUnderItsNewHandleOnly()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var before = await UsersApi.SignInAsync(client, "ada");

        (await client.PostAsync("/regenerate")).Dispose();

        var after = await client.GetStringAsync("/handle");
        Assert.NotEqual(before, after);
        Assert.Equal([after], (await UsersApi.DevicesAsync(host, "ada")).Select(d => d.Handle));
        Assert.Equal("ada", await client.GetStringAsync("/me"));
    }

    [Fact]
    public async Task List_NeverShowsAnExpiredSession_AndItsEntryIsGone()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");

        host.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        Assert.Equal(0, ((MemorySessionStore)host.Store).UserSessionEntryCount);
    }

    [Fact]
    public async Task LastSeen_MovesOnlyWhenTheExpirySlides()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var signedIn = host.Clock.GetUtcNow();
        await UsersApi.SignInAsync(client, "ada");

        host.Clock.Advance(TimeSpan.FromMinutes(1)); // under the slide step (a tenth of the idle timeout)
        await client.GetStringAsync("/me");
        Assert.Equal(signedIn, Assert.Single(await UsersApi.DevicesAsync(host, "ada")).LastSeenAt);

        host.Clock.Advance(TimeSpan.FromMinutes(10));
        await client.GetStringAsync("/me");
        var row = Assert.Single(await UsersApi.DevicesAsync(host, "ada"));
        Assert.Equal(host.Clock.GetUtcNow(), row.LastSeenAt);
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromHours(1), row.ExpiresAt);
        Assert.Equal(signedIn, row.SignedInAt);
    }

    [Fact]
    public async Task SignIn_BeyondMaxSessionsPerUser_RevokesTheLeastRecentlySeen()
    {
        await using var host = await UsersApi.StartAsync(o => o.Configuration["Tote:Users:MaxSessionsPerUser"] = "2");
        using var oldest = host.CreateClient();
        using var middle = host.CreateClient();
        using var newest = host.CreateClient();
        await UsersApi.SignInAsync(oldest, "ada");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var middleHandle = await UsersApi.SignInAsync(middle, "ada");
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        var newestHandle = await UsersApi.SignInAsync(newest, "ada");

        Assert.Equal([newestHandle, middleHandle], (await UsersApi.DevicesAsync(host, "ada")).Select(d => d.Handle));
        Assert.Equal("(none)", await oldest.GetStringAsync("/me"));
    }

    [Fact]
    public async Task Revoke_WhileARequestOfTheDeviceIsInFlight_TheRequestCannotResurrectTheSession()
    {
        await using var host = await UsersApi.StartAsync(more: _gates.Map);
        using var laptop = host.CreateClient();
        using var phone = host.CreateClient();
        var laptopHandle = await UsersApi.SignInAsync(laptop, "ada");
        await UsersApi.SignInAsync(phone, "ada");
        var laptopId = laptop.SessionId!;

        using var inFlight = await _gates.WhileInFlightAsync(laptop, "a", "/gated/a/set/cart/pear", laptopId, async () =>
            (await phone.PostAsync($"/revoke/ada/{laptopHandle}")).Dispose());

        Assert.Contains(laptop.SessionCookies(inFlight), c => c.Expired);
        Assert.Null(await host.Store.LoadAsync(laptopId, TestContext.Current.CancellationToken));
        Assert.Single(await UsersApi.DevicesAsync(host, "ada"));
        using var next = await laptop.SendWithIdAsync(HttpMethod.Get, "/me", laptopId);
        Assert.Equal("(none)", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ManyConcurrentRevocations_AndInFlightWrites_LeaveNoSessionOfTheUser()
    {
        await using var host = await UsersApi.StartAsync();
        var clients = Enumerable.Range(0, 8).Select(_ => host.CreateClient()).ToList();
        foreach (var c in clients)
        {
            await UsersApi.SignInAsync(c, "ada");
        }

        var ids = clients.Select(c => c.SessionId!).ToList();
        var writes = ids.SelectMany(id => Enumerable.Range(0, 5).Select(i => clients[0].SendWithIdAsync(HttpMethod.Post, $"/set/k{i}/v", id))).ToList();
        var revoke = host.Services.GetRequiredService<UserSessions>().RevokeAllAsync("ada", cancellationToken: TestContext.Current.CancellationToken).AsTask();
        await Task.WhenAll(writes);
        await revoke;
        foreach (var w in writes)
        {
            (await w).Dispose();
        }

        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        foreach (var id in ids)
        {
            Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        }

        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Destroy_OfASessionThisRequestNeverRead_NeverShowsAgain_AndItsEntryGoesAfterTheGrace()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");
        var store = (MemorySessionStore)host.Store;

        (await client.PostAsync("/destroy")).Dispose(); // Destroy() without a read: the core never learns the user

        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        host.Clock.Advance(UserSessionIndexEntryGrace + TimeSpan.FromSeconds(1));
        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        Assert.Equal(0, store.UserSessionEntryCount);
    }

    [Fact]
    public async Task SignIn_AsAnotherUser_MovesTheSessionFromTheFirstUsersListToTheSecond()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");

        var handle = await UsersApi.SignInAsync(client, "grace");

        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
        Assert.Equal([handle], (await UsersApi.DevicesAsync(host, "grace")).Select(d => d.Handle));
        Assert.Equal("grace", await client.GetStringAsync("/me"));
        Assert.Equal(1, ((MemorySessionStore)host.Store).UserSessionEntryCount);
    }

    [Fact]
    public async Task Regenerate_OfASignedInSession_LeavesTheOldHandleRevokingNothing()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var before = await UsersApi.SignInAsync(client, "ada");
        (await client.PostAsync("/regenerate")).Dispose();

        using var response = await client.PostAsync($"/revoke/ada/{before}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ada", await client.GetStringAsync("/me"));
    }

    [Fact]
    public async Task AReadThatDoesNotSlide_WritesNoIndexEntry_AndOneThatSlides_WritesOne()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");
        using var calls = host.Metric<double>("tote.store.duration");

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await client.GetStringAsync("/me");
        var quiet = calls.GetMeasurementSnapshot().Select(m => (string)m.Tags["tote.store.operation"]!).ToList();
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        await client.GetStringAsync("/me");
        var slid = calls.GetMeasurementSnapshot().Select(m => (string)m.Tags["tote.store.operation"]!).Skip(quiet.Count).ToList();

        Assert.Equal(["load"], quiet);
        Assert.Equal(["load", "refresh", "index.set"], slid);
    }

    [Fact]
    public async Task ConcurrentSignInsBeyondMaxSessionsPerUser_KeepTheNewest_AndTheNextSignInTrimsToTheLimit()
    {
        await using var host = await UsersApi.StartAsync(o => o.Configuration["Tote:Users:MaxSessionsPerUser"] = "2");
        var clients = Enumerable.Range(0, 6).Select(_ => host.CreateClient()).ToList();

        var handles = await Task.WhenAll(clients.Select(c => Task.Run(() => UsersApi.SignInAsync(c, "ada"))));

        var listed = await UsersApi.DevicesAsync(host, "ada");
        Assert.InRange(listed.Count, 2, 6);
        for (var i = 0; i < clients.Count; i++)
        {
            var signedIn = listed.Any(d => d.Handle == handles[i]);
            Assert.Equal(signedIn ? "ada" : "(none)", await clients[i].GetStringAsync("/me"));
        }

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        using var latest = host.CreateClient();
        var latestHandle = await UsersApi.SignInAsync(latest, "ada");
        var after = await UsersApi.DevicesAsync(host, "ada");
        Assert.Equal(2, after.Count);
        Assert.Equal(latestHandle, after[0].Handle);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task IpAddress_IsRecordedOnlyWhenAskedFor()
    {
        await using var host = await UsersApi.StartAsync(o =>
        {
            o.Configuration["Tote:Users:RecordIpAddress"] = "true";
            o.BeforeTote = app => app.Use((context, next) =>
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.7");
                return next(context);
            });
        });
        using var client = host.CreateClient();

        await UsersApi.SignInAsync(client, "ada");

        Assert.Equal("203.0.113.7", Assert.Single(await UsersApi.DevicesAsync(host, "ada")).IpAddress);
    }

    [Fact]
    public async Task Binding_OutlivesTheDefaultKeyTtl()
    {
        await using var host = await UsersApi.StartAsync(o => o.Configuration["Tote:DefaultKeyTtl"] = "00:05:00");
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");

        host.Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal("ada", await client.GetStringAsync("/me"));
        Assert.Single(await UsersApi.DevicesAsync(host, "ada"));
    }

    private static TimeSpan UserSessionIndexEntryGrace => global::Tote.Drivers.UserSessionIndexEntry.PendingEntryGrace;
}
