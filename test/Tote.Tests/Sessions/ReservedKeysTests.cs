using Microsoft.AspNetCore.Builder;
using Tote.Drivers;
using Tote.Testing;
using Tote.Tests.Users;

namespace Tote.Tests.Sessions;

/// <summary>Keys starting with <c>tote:</c> hold Tote's own state (the user binding): app code can neither touch nor list them.</summary>
public sealed class ReservedKeysTests
{
    private static readonly SessionKey<string> ReservedTyped = new("tote:user");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("set", "tote:user")]
    [InlineData("set-typed", "tote:user")]
    [InlineData("delete", "tote:user")]
    [InlineData("get", "tote:user")]
    [InlineData("get-object", "tote:anything")]
    [InlineData("has", "tote:user")]
    [InlineData("update", "tote:user")]
    public async Task AppCode_TouchingAReservedKey_GetsAnArgumentExceptionNamingTheKey(string operation, string key)
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");

        var answer = await client.GetStringAsync($"/reserved/{operation}/{key}");

        Assert.StartsWith($"ArgumentException: The session key '{key}' is reserved: keys starting with 'tote:'", answer, StringComparison.Ordinal);
        Assert.Contains("SignInAsync", answer, StringComparison.Ordinal);
        Assert.Equal("ada", await client.GetStringAsync("/me"));
    }

    [Fact]
    public async Task AKeyThatOnlyContainsTote_IsAnAppKey()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/set/my-tote:user/x");

        Assert.Equal("x", await client.GetStringAsync("/get/my-tote:user"));
    }

    [Fact]
    public async Task Listings_OfASignedInSession_LeaveOutTheBinding()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/cart/apple");
        await UsersApi.SignInAsync(client, "ada");

        Assert.Equal("cart", await client.GetStringAsync("/keys"));
        Assert.Equal("cart=apple", await client.GetStringAsync("/entries"));
        Assert.Equal("apple", await client.GetStringAsync("/values"));
    }

    [Fact]
    public async Task ABindingAnotherAppWroteAsNonsense_IsNoBinding_AndTheRestOfTheSessionLoads()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var id = TestIds.New();
        var now = host.Clock.GetUtcNow();
        const string astro = "[[\"Map\",1,2,3,4],\"tote:user\",{\"data\":5,\"expires\":-1},\"cart\",{\"data\":6,\"expires\":-1},42,\"apple\"]";
        await host.Store.SaveAsync(id, new SessionRecord { Data = astro, CreatedAt = now, ExpiresAt = now.AddHours(1) }, SessionVersion.Missing, Ct);
        client.SessionId = id;

        Assert.Equal("(none)", await client.GetStringAsync("/me"));
        Assert.Equal("apple", await client.GetStringAsync("/get/cart"));
        Assert.Equal("cart", await client.GetStringAsync("/keys"));
        Assert.Empty(await UsersApi.DevicesAsync(host, "42"));
    }

    private static Task<ToteTestHost> StartAsync() => UsersApi.StartAsync(more: app =>
    {
        app.MapGet("/reserved/{operation}/{key}", async (Session session, string operation, string key) =>
        {
            try
            {
                switch (operation)
                {
                    case "set": session.Set(key, "mallory"); break;
                    case "set-typed": session.Set(ReservedTyped, "mallory"); break;
                    case "delete": session.Delete(key); break;
                    case "get": await session.GetAsync<string>(key); break;
                    case "get-object": await session.GetAsync(key); break;
                    case "has": await session.HasAsync(key); break;
                    case "update": await session.UpdateAsync(ReservedTyped, _ => "mallory"); break;
                }

                return "allowed";
            }
            catch (ArgumentException ex)
            {
                return "ArgumentException: " + ex.Message;
            }
        });
        app.MapGet("/entries", async (Session session) => string.Join(",", (await session.EntriesAsync()).Select(e => $"{e.Key}={e.Value}")));
        app.MapGet("/values", async (Session session) => string.Join(",", await session.ValuesAsync()));
    });
}
