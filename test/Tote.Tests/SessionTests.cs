using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tote.Devalue;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Testing;
using Tote.Tests.Drivers;
using Tote.Tests.Shared;

namespace Tote.Tests;

public sealed class SessionTests
{
    private static Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(SessionApi.Map, configure);

    // The memory driver behind a call counter; counted from after the host's startup check of the store.
    private static Task<ToteTestHost> StartCountingAsync() => StartAsync(o => o.Driver = b => b.UseStore("counting", services =>
        new CountingSessionStore(new MemorySessionStore(new MemorySessionStoreOptions(), services.GetRequiredService<TimeProvider>()))));

    [Fact]
    public async Task UntouchedSession_MakesNoStoreCallAndSendsNoCookie()
    {
        await using var host = await StartCountingAsync();
        using var client = host.CreateClient();
        (await client.PostAsync("/set/name/ada")).Dispose();
        var store = (CountingSessionStore)host.Store;
        var callsBefore = store.Calls;

        // The request carries the session's cookie: only touching the session may load it.
        using var response = await client.GetAsync("/untouched");

        Assert.Empty(SetCookie.All(response));
        Assert.Equal(callsBefore, store.Calls);
    }

    [Fact]
    public async Task ReadWithoutCookie_ReturnsNullWithoutStoreCallOrCookie()
    {
        await using var host = await StartCountingAsync();
        using var client = host.CreateClient();
        var store = (CountingSessionStore)host.Store;
        var callsBefore = store.Calls;

        using var response = await client.GetAsync("/get-then-id/cart");

        Assert.Equal("(null)|(none)", await response.Content.ReadAsStringAsync());
        Assert.Empty(SetCookie.All(response));
        Assert.Equal(callsBefore, store.Calls);
    }

    [Fact]
    public async Task Set_CreatesSessionWithFreshIdAndCookie()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        var id = await client.PostAsync("/set/name/ada").BodyAsync();

        Assert.Equal(client.SessionId, id);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Set_StoresAstroRecordFormat()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/cart/a");
        await client.PostAsync("/cart/b");

        var record = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""", record!.Data);
    }

    [Fact]
    public async Task Set_ClonesTheValue_LaterChangesDoNotLeak()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/clone", async (Session session) =>
        {
            var cart = new List<string> { "a" };
            session.Set(SessionApi.Cart, cart);
            cart.Add("leaked");
            var again = await session.GetAsync(SessionApi.Cart);
            again!.Add("also-leaked");
            return string.Join(",", (await session.GetAsync(SessionApi.Cart))!);
        }));
        using var client = host.CreateClient();

        Assert.Equal("a", await client.PostAsync("/clone").BodyAsync());
    }

    [Fact]
    public async Task Set_EmptyKey_ThrowsNamingTheProblem()
    {
        var error = await CaptureAsync(session => session.Set("", "x"));

        var argument = Assert.IsType<ArgumentException>(error);
        Assert.Contains("must not be empty", argument.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_UnserializableValue_ThrowsNamingTheKeyAndStagesNothing()
    {
        var error = await CaptureAsync(session => session.Set("callback", new Func<int>(() => 1)));

        var serialization = Assert.IsType<SessionSerializationException>(error);
        Assert.Equal("callback", serialization.Key);
        Assert.Contains("'callback'", serialization.Message, StringComparison.Ordinal);
        Assert.IsType<DevalueException>(serialization.InnerException);
    }

    [Fact]
    public async Task Set_OverSizeLimit_ThrowsNamingTheKey()
    {
        var error = await CaptureAsync(session => session.Set("big", new string('x', 2000)), o => o.Tote = t => t.MaxSessionSize = 1000);

        var tooLarge = Assert.IsType<SessionTooLargeException>(error);
        Assert.Equal("big", tooLarge.Key);
        Assert.Equal(1000, tooLarge.Limit);
        Assert.InRange(tooLarge.Size, 2001, 2100);
        Assert.Contains("MaxSessionSize", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_ValueWithAMemberThatIsNotPlainData_SaysWhichMemberInCSharpTerms()
    {
        var order = new Order([new("a", null), new("b", new MemoryStream())]);

        var error = await CaptureAsync(session => session.Set("order", order));

        var serialization = Assert.IsType<SessionSerializationException>(error);
        Assert.Equal(
            "The value for session key 'order' cannot be stored: The value at Lines[1].Attachment (OrderLine.Attachment) is a System.IO.MemoryStream, which is not plain data. "
            + "Store the data it holds instead. Plain data is records, classes with public properties, collections, strings, numbers and dates.",
            serialization.Message);
    }

    [Fact]
    public async Task GetTyped_MemberOfTheWrongType_WithThrow_SaysWhichMemberInCSharpTerms()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/read", async (Session session) =>
        {
            session.Set("parcel", new Shipment("a", "many"));
            var error = await Record.ExceptionAsync(async () => await session.GetAsync<Parcel>("parcel"));
            return error?.Message ?? "(none)";
        }), o => o.Tote = t => t.UnreadableValues = UnreadableValueHandling.Throw);
        using var client = host.CreateClient();

        var message = await client.PostAsync("/read").BodyAsync();

        Assert.Equal("The value stored under session key 'parcel' cannot be read as Parcel: Cannot read a string as int. At Parcel.Quantity. Read it as the type it was stored as, or set Tote:UnreadableValues to Drop to read such values as missing.", message);
    }

    [Fact]
    public async Task Set_InvalidValue_LeavesSessionUntouched()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/bad", (Session session) =>
        {
            Assert.Throws<SessionSerializationException>(() => session.Set("callback", new Func<int>(() => 1)));
            return session.Id ?? "(none)";
        }));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/bad");

        Assert.Equal("(none)", await response.Content.ReadAsStringAsync());
        Assert.Empty(SetCookie.All(response));
    }

    [Fact]
    public async Task DeleteThenSet_InOneRequest_KeepsTheValue()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapPost("/delete-then-set", (Session session) =>
            {
                session.Delete("name");
                session.Set("name", "grace");
                return "ok";
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        await client.PostAsync("/delete-then-set");

        Assert.Equal("grace", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Delete_RemovesKey()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        await client.PostAsync("/set/role/admin");

        await client.PostAsync("/delete/name");

        Assert.Equal("(null)", await client.GetStringAsync("/get/name"));
        Assert.Equal("role", await client.GetStringAsync("/keys"));
    }

    [Fact]
    public async Task KeysValuesEntries_ListLiveDataInInsertionOrder()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapGet("/all", async (Session session) =>
            {
                var keys = await session.KeysAsync();
                var values = await session.ValuesAsync();
                var entries = await session.EntriesAsync();
                return $"{string.Join(",", keys)}|{string.Join(",", values)}|{string.Join(",", entries.Select(e => $"{e.Key}={e.Value}"))}";
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/b/2");
        await client.PostAsync("/set/a/1");
        await client.PostAsync("/set/b/3");

        Assert.Equal("b,a|3,1|b=3,a=1", await client.GetStringAsync("/all"));
    }

    [Fact]
    public async Task GetUntyped_ReturnsNaturalTypes()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapGet("/natural", async (Session session) =>
            {
                var value = await session.GetAsync("cart");
                var list = Assert.IsType<List<object?>>(value);
                return string.Join(",", list);
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/cart/a");

        Assert.Equal("a", await client.GetStringAsync("/natural"));
    }

    [Fact]
    public async Task GetTyped_WrongType_WithThrow_ThrowsNamingTheKey()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapGet("/wrong", async (Session session) =>
            {
                var error = await Assert.ThrowsAsync<SessionSerializationException>(async () => await session.GetAsync<int>("name"));
                return error.Key;
            });
        }, o => o.Tote = t => t.UnreadableValues = UnreadableValueHandling.Throw);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        Assert.Equal("name", await client.GetStringAsync("/wrong"));
    }

    [Fact]
    public async Task Destroy_WithoutLoading_DeletesStoredSessionAndExpiresCookie()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var id = client.SessionId!;
        using var loads = host.Metric<long>("tote.sessions.loaded");

        using var response = await client.PostAsync("/destroy");

        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Empty(loads.GetMeasurementSnapshot());
        var cookie = Assert.Single(SetCookie.All(response));
        Assert.True(cookie.Expired);
        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task SetAfterDestroy_StartsFreshSessionWithFreshId()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapPost("/destroy-then-set", (Session session) =>
            {
                session.Destroy();
                session.Set("name", "new");
                return session.Id;
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        await client.PostAsync("/set/role/admin");
        var oldId = client.SessionId!;

        using var response = await client.PostAsync("/destroy-then-set");

        var newId = await response.Content.ReadAsStringAsync();
        Assert.NotEqual(oldId, newId);
        Assert.Equal(newId, Assert.Single(SetCookie.All(response)).Value);
        Assert.Null(await host.Store.LoadAsync(oldId, TestContext.Current.CancellationToken));
        Assert.Equal("new", await client.GetStringAsync("/get/name"));
        Assert.Equal("(null)", await client.GetStringAsync("/get/role"));
    }

    [Fact]
    public async Task Regenerate_KeepsDataUnderNewIdAndDeletesOldId()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var oldId = client.SessionId!;

        using var response = await client.PostAsync("/regenerate");

        var newId = await response.Content.ReadAsStringAsync();
        Assert.NotEqual(oldId, newId);
        Assert.Equal(newId, Assert.Single(SetCookie.All(response)).Value);
        Assert.Null(await host.Store.LoadAsync(oldId, TestContext.Current.CancellationToken));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Regenerate_DeletesOldIdOnlyAfterNewIdIsStored()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("recording", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var oldId = client.SessionId!;
        store.ClearCalls();

        var newId = await client.PostAsync("/regenerate").BodyAsync();

        var saveNew = store.Calls.IndexOf($"save {newId}");
        var deleteOld = store.Calls.IndexOf($"delete {oldId}");
        Assert.True(saveNew >= 0 && deleteOld > saveNew, string.Join("; ", store.Calls));
    }

    [Fact]
    public async Task LoadAsync_ExistingId_SwitchesSessionAndIssuesCookie()
    {
        await using var host = await StartAsync();
        using var owner = host.CreateClient();
        await owner.PostAsync("/set/name/ada");
        using var other = host.CreateClient();

        using var response = await other.PostAsync($"/load/{owner.SessionId}");

        Assert.Equal(owner.SessionId, await response.Content.ReadAsStringAsync());
        Assert.Equal(owner.SessionId, Assert.Single(SetCookie.All(response)).Value);
        Assert.Equal("ada", await other.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task LoadAsync_UnknownWellFormedId_ReturnsFalseAndNeverAdoptsIt()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/load-then-set/{id}", async (Session session, string id) =>
        {
            var loaded = await session.LoadAsync(id);
            session.Set("name", "ada");
            return $"{loaded}|{session.Id}";
        }));
        using var client = host.CreateClient();
        var forged = TestIds.New();

        var parts = (await client.PostAsync($"/load-then-set/{forged}").BodyAsync()).Split('|');

        Assert.Equal("False", parts[0]);
        Assert.NotEqual(forged, parts[1]);
        Assert.Null(await host.Store.LoadAsync(forged, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LoadAsync_MalformedId_ReturnsFalse()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        Assert.Equal("(false)", await client.PostAsync("/load/not-an-id").BodyAsync());
    }

    [Fact]
    public async Task ForgedWellFormedCookie_IsNeverAdoptedOrReported()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var forged = TestIds.New();
        client.SessionId = forged;

        Assert.Equal("(null)|(none)", await client.GetStringAsync("/get-then-id/name"));
        client.SessionId = forged;
        var reported = await client.PostAsync("/set/name/ada").BodyAsync();

        Assert.Equal("(none)", reported);
        Assert.NotNull(client.SessionId);
        Assert.NotEqual(forged, client.SessionId);
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        Assert.Null(await host.Store.LoadAsync(forged, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Id_BeforeVerification_IsNull()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        Assert.Equal("(none)", await client.GetStringAsync("/id"));
        Assert.Equal($"ada|{client.SessionId}", await client.GetStringAsync("/get-then-id/name"));
    }

    [Fact]
    public async Task Update_ConcurrentAppends_LeaveEveryItem()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/cart/first");
        var id = client.SessionId!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            using var response = await client.SendWithIdAsync(HttpMethod.Post, $"/cart/append/{i}", id);
            return response.StatusCode;
        })));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        var cart = (await client.GetStringAsync("/cart")).Split(',');
        Assert.Equal(101, cart.Length);
        Assert.Equal("first", cart[0]);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()).Order(), cart.Skip(1).Order());
    }

    [Fact]
    public async Task Update_CommitsAtOnceAndReturnsCommittedValue()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/update", async (Session session, ISessionStore store) =>
        {
            var result = await session.UpdateAsync(SessionApi.Cart, c => [.. c ?? [], "x"]);
            var stored = await store.LoadAsync(session.Id!);
            return $"{string.Join(",", result)}|{stored?.Data}";
        }));
        using var client = host.CreateClient();

        var body = await client.PostAsync("/update").BodyAsync();

        Assert.Equal("""x|[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"x"]""", body);
    }

    private static async Task<Exception?> CaptureAsync(Action<Session> act, Action<ToteTestHostOptions>? configure = null)
    {
        Exception? captured = null;
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapPost("/act", (Session session) =>
            {
                try
                {
                    act(session);
                }
                catch (Exception ex)
                {
                    captured = ex;
                }

                return "ok";
            }),
            configure);
        using var client = host.CreateClient();
        await client.PostAsync("/act");
        return captured;
    }

    private sealed record Order(List<OrderLine> Lines);

    private sealed record OrderLine(string Sku, object? Attachment);

    private sealed record Shipment(string Sku, string Quantity);

    private sealed record Parcel(string Sku, int Quantity);
}
