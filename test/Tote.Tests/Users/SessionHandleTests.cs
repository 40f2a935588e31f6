using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Users;

public sealed class SessionHandleTests
{
    [Fact]
    public async Task Handle_IsStableForTheSession_ShortAndUrlSafe_AndNotTheId()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var handle = await UsersApi.SignInAsync(client, "ada");

        Assert.Equal(handle, await client.GetStringAsync("/handle"));
        Assert.Equal(handle, await client.GetStringAsync("/handle"));
        Assert.Equal(22, handle.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", handle);
        Assert.DoesNotContain(handle, client.SessionId!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_ChangesWhenTheIdChanges()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var first = await UsersApi.SignInAsync(client, "ada");

        var second = await UsersApi.SignInAsync(client, "ada");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Handle_WithoutASession_IsNull()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();

        Assert.Equal("(none)", await client.GetStringAsync("/handle"));
    }

    [Fact]
    public async Task Handle_SentAsTheCookie_IsNotAcceptedAsASession()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();
        var handle = await UsersApi.SignInAsync(client, "ada");

        using var response = await client.SendWithIdAsync(HttpMethod.Get, "/me", handle);

        Assert.Equal("(none)", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Handles_UnderOneKey_AgreeAcrossInstances_AndDifferUnderAnother()
    {
        var id = global::Tote.Cookies.SessionIds.New();
        var key = new string('k', 32);

        Assert.Equal(SessionHandles.FromConfiguredKey(key).Of(id), SessionHandles.FromConfiguredKey(key).Of(id));
        Assert.NotEqual(SessionHandles.FromConfiguredKey(key).Of(id), SessionHandles.FromConfiguredKey(new string('j', 32)).Of(id));
        Assert.NotEqual(SessionHandles.FromConfiguredKey(key).Of(id), SessionHandles.FromConfiguredKey(key).Of(global::Tote.Cookies.SessionIds.New()));
    }

    [Fact]
    public async Task Handle_SentAsTheSessionHeader_IsNotAcceptedAsASession()
    {
        await using var host = await UsersApi.StartAsync(o => o.Tote = t => t.HeaderName = "X-Session");
        using var client = host.CreateClient();
        var handle = await UsersApi.SignInAsync(client, "ada");
        using var api = host.CreateClient();

        using var response = await api.SendWithIdAsync(HttpMethod.Get, "/me", handle, "X-Session");

        Assert.Equal("(none)", await response.Content.ReadAsStringAsync());
        Assert.Equal("ada", await client.GetStringAsync("/me"));
    }

    [Fact]
    public async Task Handles_WithTheMemoryDriver_ComeFromAKeyOfTheProcess_NotAStoredRecord()
    {
        await using var host = await UsersApi.StartAsync();
        using var client = host.CreateClient();

        await UsersApi.SignInAsync(client, "ada");

        Assert.Null(await host.Store.LoadAsync(HandleKeyRecord.Id, TestContext.Current.CancellationToken));
        Assert.Equal(1, ((global::Tote.Drivers.Memory.MemorySessionStore)host.Store).Count);
    }

    [Fact]
    public async Task HandleKey_FromConfiguration_IsUsed()
    {
        var key = new string('z', 40);
        await using var host = await UsersApi.StartAsync(o => o.Configuration["Tote:Users:HandleKey"] = key);
        using var client = host.CreateClient();

        var handle = await UsersApi.SignInAsync(client, "ada");

        Assert.Equal(SessionHandles.FromConfiguredKey(key).Of(client.SessionId!), handle);
    }

    [Theory]
    [InlineData("Tote:Users:MaxSessionsPerUser", "0", "MaxSessionsPerUser must be positive")]
    [InlineData("Tote:Users:HandleKey", "short", "HandleKey must be at least 32 characters")]
    public async Task InvalidUsersOptions_FailAtStartup_NamingTheSetting(string setting, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => UsersApi.StartAsync(o => o.Configuration[setting] = value));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserSessions_OverTheDistributedCacheDriver_ThrowsNamingTheDriver()
    {
        await using var host = await UsersApi.StartAsync(o =>
        {
            o.Configuration["Tote:Driver"] = "distributed-cache";
            o.Services = s => s.AddDistributedMemoryCache();
        });
        using var client = host.CreateClient();

        await UsersApi.SignInAsync(client, "ada");

        Assert.Equal("ada", await client.GetStringAsync("/me"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await UsersApi.DevicesAsync(host, "ada"));
        Assert.Contains("'distributed-cache'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithAnEmptyOrOverlongUserId_Throws()
    {
        await using var host = await UsersApi.StartAsync();
        var users = host.Services.GetRequiredService<UserSessions>();

        await Assert.ThrowsAsync<ArgumentException>(async () => await users.ListAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(async () => await users.ListAsync(new string('u', 257)));
    }
}
