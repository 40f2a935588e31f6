using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>
/// devalue writes a value shared by many places once, so a session's stored text can be far
/// smaller than what reading it expands to: the expanded size is held to MaxSessionSize too,
/// when a value is set and when a record is loaded (issue 15, finding 3).
/// </summary>
public sealed class SessionExpansionTests
{
    private const int Limit = 100_000;
    private const int ItemLength = 20_000;

    private static Task<ToteTestHost> StartAsync(int maxSessionSize = Limit) => ToteTestHost.StartAsync(
        app =>
        {
            SessionApi.Map(app);

            // The sample shop's cart: the same item posted again is stored once by devalue.
            app.MapPost("/big-cart", async (Session session) =>
            {
                var cart = await session.GetAsync(SessionApi.Cart) ?? [];
                cart.Add(new string('x', ItemLength));
                return TooLargeAs413(() => session.Set(SessionApi.Cart, cart));
            });
            app.MapPost("/big-cart/update", async (Session session) =>
            {
                try
                {
                    await session.UpdateAsync(SessionApi.Cart, current => [.. current ?? [], new string('x', ItemLength)]);
                    return Results.Ok();
                }
                catch (SessionSerializationException ex)
                {
                    return Results.Text(ex.Message, statusCode: StatusCodes.Status413PayloadTooLarge);
                }
            });
            app.MapPost("/copies/{count:int}", (Session session, int count) =>
                TooLargeAs413(() => session.Set("copies", Enumerable.Repeat(new string('x', ItemLength), count).ToList())));
            app.MapPost("/delete-then-set", async (Session session) =>
            {
                await session.GetAsync<string>("other");
                session.Delete("other");
                return TooLargeAs413(() => session.Set("more", new string('y', ItemLength)));
            });
            app.MapGet("/cart/count", async (Session session) => ((await session.GetAsync(SessionApi.Cart))?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        },
        o => o.Tote = t => t.MaxSessionSize = maxSessionSize);

    private static IResult TooLargeAs413(Action set)
    {
        try
        {
            set();
            return Results.Ok();
        }
        catch (SessionSerializationException ex)
        {
            return Results.Text(ex.Message, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
    }

    [Fact]
    public async Task PostingTheSameBigItemAgain_FailsAtThePostThatWouldExpandPastTheLimit_AndKeepsTheCart()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        for (var i = 1; i <= 4; i++)
        {
            using var accepted = await client.PostAsync("/big-cart");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // Five items of 20,000 characters expand past 100,000, though devalue stores one.
        using var refused = await client.PostAsync("/big-cart");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var message = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("'cart'", message, StringComparison.Ordinal);
        Assert.Contains("MaxSessionSize", message, StringComparison.Ordinal);
        Assert.Equal("4", await client.GetStringAsync("/cart/count"));
        var stored = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.True(stored!.Data.Length < 2 * ItemLength, $"The record stores the item once: {stored.Data.Length} characters.");
    }

    [Fact]
    public async Task UpdatingWithTheSameBigItemAgain_FailsAtTheUpdateThatWouldExpandPastTheLimit_AndKeepsTheCart()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        for (var i = 1; i <= 4; i++)
        {
            using var accepted = await client.PostAsync("/big-cart/update");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var refused = await client.PostAsync("/big-cart/update");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("cart", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal("4", await client.GetStringAsync("/cart/count"));
    }

    [Fact]
    public async Task Set_OfOneValueThatExpandsPastTheLimit_ThrowsNamingTheKey()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var refused = await client.PostAsync("/copies/6");
        using var accepted = await client.PostAsync("/copies/4");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("'copies'", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Set_AfterAnotherChange_CountsWhatTheLoadedSessionExpandsTo()
    {
        // The stored text is about 20,000 characters but expands to 80,000: one more item of
        // 20,000 passes the limit, and Set says so, rather than the save after the endpoint.
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var stored = await client.PostAsync("/copies/4");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        using var refused = await client.PostAsync("/delete-then-set");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("'more'", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoredRecordOfManyReferencesToOneBigString_StartsAFreshSession_RemovesTheRecord_AndWarns()
    {
        // 20,000 characters stored, 160,000 once read: over the limit only when expanded.
        var record = $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}},[4,4,4,4,4,4,4,4],\"{new string('x', ItemLength)}\"]";

        await AssertRefusedAtLoadAsync(await StartAsync(), record);
    }

    [Fact]
    public async Task AStoredSparseArrayOfAMillionHoles_StartsAFreshSession_RemovesTheRecord_AndWarns()
    {
        // 56 characters stored; each read would write a million holes (5 MB of JSON).
        const string record = """[["Map",1,2],"cart",{"data":3,"expires":-1},[-7,999999]]""";

        await AssertRefusedAtLoadAsync(await StartAsync(maxSessionSize: 1024 * 1024), record);
    }

    [Fact]
    public async Task AStoredDoublingChain_IsRefusedInBoundedTime()
    {
        // Each entry references the next twice: 50 levels expand to 2^50 strings. A measure that
        // followed references instead of memoizing entries would never finish this test.
        var chain = string.Concat(Enumerable.Range(4, 50).Select(i => $",[{i},{i}]"));
        var record = $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}}{chain},\"x\"]";

        await AssertRefusedAtLoadAsync(await StartAsync(), record);
    }

    [Fact]
    public async Task AStoredRecordThatSharesWithinTheLimit_Loads()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var id = TestIds.New();
        await StoreForeignRecordAsync(host, id, $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}},[4,4,4],\"{new string('x', 1000)}\"]");
        client.SessionId = id;

        Assert.Equal("3", await client.GetStringAsync("/cart/count"));
        Assert.NotNull(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    private static async Task AssertRefusedAtLoadAsync(ToteTestHost host, string record)
    {
        await using var _ = host;
        using var client = host.CreateClient();
        using var corrupt = host.Metric<long>("tote.sessions.corrupt");
        var id = TestIds.New();
        await StoreForeignRecordAsync(host, id, record);
        client.SessionId = id;

        using var read = await client.GetAsync("/cart/count");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("0", await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(1, corrupt.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("expands to more than", StringComparison.Ordinal));
    }

    private static async Task StoreForeignRecordAsync(ToteTestHost host, string id, string data)
        => await host.Store.SaveAsync(id, new SessionRecord { Data = data, CreatedAt = host.Clock.GetUtcNow(), ExpiresAt = host.Clock.GetUtcNow().AddHours(1) }, SessionVersion.Missing, TestContext.Current.CancellationToken);
}
