using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>
/// A stored value that does not fit the type it is read as (a number where a list is expected,
/// say, after a deploy that changed the type): by default it reads as missing and goes at the next
/// save; with <c>Tote:UnreadableValues</c> = <c>Throw</c> the read throws.
/// </summary>
public sealed class SessionUnreadableValuesTests
{
    // cart = 5 (a number where the app reads a List<string>), name = "ada".
    private const string CartIsANumber = """[["Map",1,2,3,4],"cart",{"data":5,"expires":-1},"name",{"data":6,"expires":-1},5,"ada"]""";

    private readonly Gates _gates = new();

    [Fact]
    public async Task TypedRead_OfAValueThatDoesNotFit_ReadsAsMissing_WarnsNamingKeyAndType_AndIsCounted()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var unreadable = host.Metric<long>("tote.values.unreadable");
        client.SessionId = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);

        using var response = await client.GetAsync("/cart");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, unreadable.GetMeasurementSnapshot().EvaluateAsCounter());
        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 61);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("key 'cart'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("List<string>", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(client.SessionId!, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryTypedRead_ByNameByKeyAndByValueTypeKey_ReadsAsMissing()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        client.SessionId = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);

        Assert.Equal("(null)", await client.GetStringAsync("/get/cart")); // GetAsync<string>("cart")
        Assert.Equal("(null)", await client.GetStringAsync("/typed/cart")); // a SessionKey<List<string>>
        Assert.Equal("(null)", await client.GetStringAsync("/int/name")); // a SessionKey<int>, read as int?
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task UnreadableValue_IsKeptByARequestThatOnlyReads_AndDroppedAtTheNextSave()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var id = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);
        client.SessionId = id;

        await client.GetStringAsync("/cart");
        var afterRead = (await host.Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data;
        var keysInTheSameRequest = await client.GetStringAsync("/cart-then-keys");
        await client.PostAsync("/cart-then-set/name/bob");

        Assert.Equal(CartIsANumber, afterRead); // a read never rewrites the data
        Assert.Equal("cart,name", keysInTheSameRequest); // untyped calls still see the stored value
        Assert.Equal("name", await client.GetStringAsync("/keys"));
        Assert.Equal("bob", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task UpdateAsync_OnAValueThatDoesNotFit_GetsMissing()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        client.SessionId = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);

        using var response = await client.PostAsync("/cart/append/apple");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("apple", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("apple", await client.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task Throw_MakesTypedReadsAndUpdatesThrowNamingTheKey()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.UnreadableValues = UnreadableValueHandling.Throw);
        using var client = host.CreateClient();
        var id = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);
        client.SessionId = id;

        Assert.Equal("threw for cart", await client.GetStringAsync("/typed/cart"));
        Assert.Equal("threw for cart", await client.PostAsync("/try-append/cart/apple").BodyAsync());
        Assert.Equal(CartIsANumber, (await host.Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task Throw_IsBoundFromConfiguration()
    {
        await using var host = await StartAsync(o => o.Configuration["Tote:UnreadableValues"] = "Throw");
        using var client = host.CreateClient();
        client.SessionId = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);

        Assert.Equal("threw for cart", await client.GetStringAsync("/typed/cart"));
    }

    [Fact]
    public async Task Drop_KeepsAValidValueAConcurrentRequestStoredSinceTheRead()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var id = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);
        client.SessionId = id;

        // The gated request finds cart unreadable; meanwhile another stores a valid cart; then the
        // gated one saves an unrelated key, merging onto the newer record.
        using var gated = await _gates.WhileInFlightAsync(client, "a", "/gated/a/read-cart-then-set/name/bob", id,
            async () => (await client.SendWithIdAsync(HttpMethod.Post, "/cart/fresh", id)).Dispose());

        Assert.Equal(HttpStatusCode.OK, gated.StatusCode);
        Assert.Equal("fresh", await client.GetStringAsync("/cart"));
        Assert.Equal("bob", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Drop_AfterAConflict_StillDropsTheValueThatStillDoesNotFit()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var id = await SessionLoadBoundsTests.PlantAsync(host, CartIsANumber);
        client.SessionId = id;

        using var gated = await _gates.WhileInFlightAsync(client, "a", "/gated/a/read-cart-then-set/name/bob", id,
            async () => (await client.SendWithIdAsync(HttpMethod.Post, "/set/other/1", id)).Dispose());

        Assert.Equal(HttpStatusCode.OK, gated.StatusCode);
        Assert.Equal("name,other", await client.GetStringAsync("/keys"));
    }

    private Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(
        app =>
        {
            SessionApi.Map(app);
            app.MapGet("/typed/{key}", async (Session session, string key) =>
            {
                try
                {
                    var value = await session.GetAsync(new SessionKey<List<string>>(key));
                    return value is null ? "(null)" : string.Join(",", value);
                }
                catch (SessionSerializationException ex)
                {
                    return $"threw for {ex.Key}";
                }
            });
            app.MapGet("/int/{key}", async (Session session, string key) => (await session.GetAsync(new SessionKey<int>(key)))?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(null)");
            app.MapPost("/try-append/{key}/{item}", async (Session session, string key, string item) =>
            {
                try
                {
                    return string.Join(",", await session.UpdateAsync(new SessionKey<List<string>>(key), c => [.. c ?? [], item]));
                }
                catch (SessionSerializationException ex)
                {
                    return $"threw for {ex.Key}";
                }
            });
            app.MapGet("/cart-then-keys", async (Session session) =>
            {
                await session.GetAsync(SessionApi.Cart);
                return string.Join(",", await session.KeysAsync());
            });
            app.MapPost("/cart-then-set/{key}/{value}", async (Session session, string key, string value) =>
            {
                await session.GetAsync(SessionApi.Cart);
                session.Set(key, value);
                return "ok";
            });
            app.MapPost("/gated/{gate}/read-cart-then-set/{key}/{value}", async (Session session, string gate, string key, string value) =>
            {
                await session.GetAsync(SessionApi.Cart);
                await _gates[gate].ArriveAsync();
                session.Set(key, value);
                return "ok";
            });
        },
        configure);
}
