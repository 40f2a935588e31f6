using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
using Tote.Testing;
using Tote.Tests.Drivers;

namespace Tote.Tests;

public sealed class SessionPersistenceTests
{
    private readonly Gates _gates = new();

    private Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(
        app =>
        {
            SessionApi.Map(app);
            _gates.Map(app);
        },
        configure);

    [Fact]
    public async Task ConcurrentRequests_ChangingDifferentKeys_BothLand()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var conflicts = host.Metric<long>("tote.sessions.conflicts");
        await client.PostAsync("/set/seed/1");
        var id = client.SessionId!;

        var a = client.SendWithIdAsync(HttpMethod.Post, "/gated/a/set/x/1", id);
        var b = client.SendWithIdAsync(HttpMethod.Post, "/gated/b/set/y/2", id);
        await Task.WhenAll(_gates["a"].Arrived, _gates["b"].Arrived);
        _gates["a"].Release();
        (await a).Dispose();
        _gates["b"].Release();
        (await b).Dispose();

        Assert.Equal("seed,x,y", await client.GetStringAsync("/keys"));
        Assert.Equal("1", await client.GetStringAsync("/get/x"));
        Assert.Equal("2", await client.GetStringAsync("/get/y"));
        Assert.Equal(1, conflicts.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task ConcurrentRequests_ChangingTheSameKey_LaterSaveWinsForThatKeyOnly()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/x/0");
        var id = client.SessionId!;

        var a = client.SendWithIdAsync(HttpMethod.Post, "/gated/a/set/x/first", id);
        var b = client.SendWithIdAsync(HttpMethod.Post, "/gated/b/set/x/second", id);
        var c = client.SendWithIdAsync(HttpMethod.Post, "/gated/c/set/y/other", id);
        await Task.WhenAll(_gates["a"].Arrived, _gates["b"].Arrived, _gates["c"].Arrived);
        _gates["a"].Release();
        (await a).Dispose();
        _gates["c"].Release();
        (await c).Dispose();
        _gates["b"].Release();
        (await b).Dispose();

        Assert.Equal("second", await client.GetStringAsync("/get/x"));
        Assert.Equal("other", await client.GetStringAsync("/get/y"));
    }

    [Fact]
    public async Task InFlightRequest_AfterDestroy_DoesNotResurrectSession()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var dropped = host.Metric<long>("tote.sessions.dropped");
        await client.PostAsync("/set/name/ada");
        var id = client.SessionId!;

        using var response = await _gates.WhileInFlightAsync(client, "a", "/gated/a/set/cart/late", id, async () => (await client.PostAsync("/destroy")).Dispose());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.True(Assert.Single(SetCookie.All(response)).Expired);
        Assert.Equal(1, dropped.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 8 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task InFlightRequest_AfterRegenerate_DoesNotResurrectOldId()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var oldId = client.SessionId!;

        (await _gates.WhileInFlightAsync(client, "a", "/gated/a/set/cart/late", oldId, async () => (await client.PostAsync("/regenerate")).Dispose())).Dispose();

        Assert.Null(await host.Store.LoadAsync(oldId, TestContext.Current.CancellationToken));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        Assert.Equal("(null)", await client.GetStringAsync("/get/cart"));
    }

    [Fact]
    public async Task InFlightUpdate_AfterDestroy_CommitsToAFreshSessionNotTheOldId()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/cart/first");
        var oldId = client.SessionId!;

        using var response = await _gates.WhileInFlightAsync(client, "a", "/gated/a/append/late", oldId, async () => (await client.PostAsync("/destroy")).Dispose());

        var parts = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('|');
        Assert.NotEqual(oldId, parts[0]);
        Assert.Equal("late", parts[1]);
        Assert.Equal(parts[0], Assert.Single(SetCookie.All(response)).Value);
        Assert.Null(await host.Store.LoadAsync(oldId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task InFlightRequest_AfterExpiry_DoesNotResurrectSession()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var id = client.SessionId!;

        (await _gates.WhileInFlightAsync(client, "a", "/gated/a/set/cart/late", id, () => { host.Clock.Advance(TimeSpan.FromHours(2)); return Task.CompletedTask; })).Dispose();

        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SaveFailure_BeforeResponseStarts_Answers503InsteadOfSuccess()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(SetCookie.All(response));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 9 && r.Level == LogLevel.Error);
    }

    [Fact]
    public async Task SaveFailure_OverKestrel_Answers503WithNoBody()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o =>
        {
            o.UseKestrel = true;
            o.Driver = b => b.UseStore("scripted", _ => store);
        });
        using var client = host.CreateClient();
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Empty(SetCookie.All(response));
    }

    [Fact]
    public async Task Session_OverKestrel_RoundTrips()
    {
        await using var host = await StartAsync(o => o.UseKestrel = true);
        using var client = host.CreateClient();

        await client.PostAsync("/cart/a");
        await client.PostAsync("/cart/b");

        Assert.Equal("a,b", await client.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task SaveFailure_StatusCodeIsConfigurable()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o =>
        {
            o.Driver = b => b.UseStore("scripted", _ => store);
            o.Tote = t => t.StoreFailureStatusCode = 500;
        });
        using var client = host.CreateClient();
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task SaveFailure_OnEndpointWithoutBody_Answers503()
    {
        var store = new ScriptedStore();
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapPost("/quiet", (Session session) =>
            {
                session.Set("name", "ada");
                return Results.NoContent();
            }),
            o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/quiet");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task LoadFailure_Answers503WithStoreExceptionNamingDriver()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        store.FailingOperations.Add("load");

        using var response = await client.GetAsync("/get/name");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var log = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 18);
        var error = Assert.IsType<SessionStoreException>(log.Exception);
        Assert.Equal("scripted", error.Driver);
        Assert.Equal("load", error.Operation);
        Assert.Contains("'scripted'", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task StoreTimeout_Answers503AndIsReportedAsTimeout()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        store.HangingOperations.Add("load");

        var pending = client.GetAsync("/get/name");
        await store.Hung.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        host.Clock.Advance(TimeSpan.FromSeconds(6));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = Assert.IsType<SessionStoreException>(Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 18).Exception);
        Assert.True(error.IsTimeout);
    }

    [Fact]
    public async Task SaveFailure_AfterResponseStarted_IsLoggedAtErrorAndCounted()
    {
        var store = new ScriptedStore();
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                SessionApi.Map(app);
                app.MapPost("/stream", async (HttpContext context, Session session) =>
                {
                    await session.GetAsync<string>("name");
                    await context.Response.WriteAsync("streamed");
                    await context.Response.Body.FlushAsync();
                    session.Set("name", "late");
                });
            },
            o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        using var errors = host.Metric<long>("tote.store.errors");
        await client.PostAsync("/set/name/ada");
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/stream");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("streamed", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 10 && r.Level == LogLevel.Error);
        Assert.Equal(1, errors.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task ChangesAfterResponseStarted_OnExistingSession_AreSaved()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapPost("/stream", async (HttpContext context, Session session) =>
            {
                await session.GetAsync<string>("name");
                await context.Response.WriteAsync("streamed");
                await context.Response.Body.FlushAsync();
                session.Set("name", "late");
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        (await client.PostAsync("/stream")).Dispose();

        Assert.Equal("late", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task SetCreatingSession_AfterResponseStarted_ThrowsInvalidOperation()
    {
        Exception? captured = null;
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/late", async (HttpContext context, Session session) =>
        {
            await context.Response.WriteAsync("started");
            await context.Response.Body.FlushAsync();
            captured = Record.Exception(() => session.Set("name", "ada"));
        }));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/late");

        var error = Assert.IsType<InvalidOperationException>(captured);
        Assert.Contains("after the response has started", error.Message, StringComparison.Ordinal);
        Assert.Empty(SetCookie.All(response));
    }

    [Fact]
    public async Task SetOnUnknownId_AfterResponseStarted_IsDroppedNeverStoredUnderThatId()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/late", async (HttpContext context, Session session) =>
        {
            await context.Response.WriteAsync("started");
            await context.Response.Body.FlushAsync();
            session.Set("name", "ada");
        }));
        using var client = host.CreateClient();
        var forged = TestIds.New();
        client.SessionId = forged;

        (await client.PostAsync("/late")).Dispose();

        Assert.Null(await host.Store.LoadAsync(forged, TestContext.Current.CancellationToken));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 15);
    }

    [Fact]
    public async Task DestroyAfterResponseStarted_StillDeletesStoredSessionAndLogsTheCookie()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapPost("/late-destroy", async (HttpContext context, Session session) =>
            {
                await context.Response.WriteAsync("started");
                await context.Response.Body.FlushAsync();
                session.Destroy();
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        var id = client.SessionId!;

        (await client.PostAsync("/late-destroy")).Dispose();

        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 14);
    }

    [Fact]
    public async Task UnhandledException_DoesNotSave()
    {
        await using var host = await StartWithThrowingEndpointAsync(saveOnException: false);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        using var response = await client.PostAsync("/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("error page", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task UnhandledException_SavesWhenConfigured()
    {
        await using var host = await StartWithThrowingEndpointAsync(saveOnException: true);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        using var response = await client.PostAsync("/throw");

        Assert.Equal("error page", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("changed", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task ReadOnlyRequests_NeverRewriteData()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        store.ClearCalls();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ada", await client.GetStringAsync("/get/name"));
            host.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.All(store.Calls, call => Assert.StartsWith("load ", call, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadOnlyRequests_RefreshExpiryAtMostOncePerTenthOfIdleTimeout()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        store.ClearCalls();

        for (var i = 0; i < 8; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(2));
            await client.GetStringAsync("/get/name");
        }

        Assert.Equal(2, store.Calls.Count(c => c.StartsWith("refresh ", StringComparison.Ordinal)));
        Assert.DoesNotContain(store.Calls, c => c.StartsWith("save ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    public async Task Requests_WithCookieMaxAge_ResendCookieOnlyWhenExpirySlides(string kind)
    {
        await using var host = await StartAsync(o => o.Tote = t => t.Cookie.MaxAge = TimeSpan.FromDays(7));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        Task<HttpResponseMessage> Request(string name) => kind == "read" ? client.GetAsync("/get/name") : client.PostAsync($"/set/name/{name}");

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        using var notDue = await Request("grace");
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        using var due = await Request("hopper");

        Assert.Empty(SetCookie.All(notDue));
        Assert.Equal(TimeSpan.FromDays(7), Assert.Single(SetCookie.All(due)).Attributes.MaxAge);
        Assert.Equal(kind == "read" ? "ada" : "hopper", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task Saves_MoveTheStoredExpiryAtMostOncePerTenthOfIdleTimeout()
    {
        var store = new ScriptedStore();
        await using var host = await StartAsync(o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/n/0");
        var first = (await store.Inner.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken))!.ExpiresAt;

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await client.PostAsync("/set/n/1");
        var notDue = (await store.Inner.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken))!;
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await client.PostAsync("/set/n/2");
        var due = (await store.Inner.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken))!;

        Assert.Contains("\"1\"", notDue.Data, StringComparison.Ordinal);
        Assert.Equal(first, notDue.ExpiresAt);
        Assert.Contains("\"2\"", due.Data, StringComparison.Ordinal);
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromHours(1), due.ExpiresAt);
    }

    [Fact]
    public async Task SaveFailure_AfterReadThenChange_Answers503InsteadOfSuccess()
    {
        var store = new ScriptedStore();
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                SessionApi.Map(app);
                app.MapPost("/rename", async (Session session) =>
                {
                    var old = await session.GetAsync<string>("name");
                    session.Set("name", "grace");
                    return "was " + old;
                });
            },
            o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/rename");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("was ada", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        store.FailingOperations.Clear();
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task IdleTimeout_ExpiresUnusedSession()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        host.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        host.Clock.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal("(null)", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task IdleTimeout_SlidesWithReads()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        for (var i = 0; i < 5; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(45));
            Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        }
    }

    [Fact]
    public async Task AbsoluteTimeout_EndsActiveSession()
    {
        await using var host = await StartAsync(o => o.Tote = t =>
        {
            t.IdleTimeout = TimeSpan.FromMinutes(30);
            t.AbsoluteTimeout = TimeSpan.FromHours(2);
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        for (var i = 0; i < 5; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(20));
            await client.PostAsync($"/set/n/{i}");
        }

        host.Clock.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("(null)", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task KeyTtl_ExpiredKeyReadsMissingAndIsDroppedAtNextWrite()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set-ttl/flash/hello/60");
        await client.PostAsync("/set/name/ada");

        host.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("hello", await client.GetStringAsync("/get/flash"));
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("(null)", await client.GetStringAsync("/get/flash"));
        Assert.Equal("name", await client.GetStringAsync("/keys"));

        await client.PostAsync("/set/other/x");
        var record = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("flash", record!.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyTtl_StoredAsEpochMillisecondsLikeAstro()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/set-ttl/flash/hi/60");

        var expires = TestClock.Start.AddSeconds(60).ToUnixTimeMilliseconds();
        var record = await host.Store.LoadAsync(client.SessionId!, TestContext.Current.CancellationToken);
        Assert.Equal($$"""[["Map",1,2],"flash",{"data":3,"expires":4},"hi",{{expires}}]""", record!.Data);
    }

    [Fact]
    public async Task DefaultKeyTtl_AppliesToKeysSetWithoutTtl()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.DefaultKeyTtl = TimeSpan.FromMinutes(5));
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        host.Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal("(null)", await client.GetStringAsync("/get/name"));
    }

    [Fact]
    public async Task SessionKeptPastItsRequest_StillReadsWhatItLoaded()
    {
        // The request's parsed record goes back to a pool when it ends; a session held on to
        // (against the advice, like an HttpContext) parses again instead of reading stale buffers.
        Session? kept = null;
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            SessionApi.Map(app);
            app.MapGet("/keep", async (Session session) =>
            {
                kept = session;
                return await session.GetAsync<string>("name") ?? "(null)";
            });
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        Assert.Equal("ada", await client.GetStringAsync("/keep"));

        // Other requests parse records of the same size meanwhile, reusing the pooled buffers.
        await client.PostAsync("/set/name/bob");
        Assert.Equal("bob", await client.GetStringAsync("/get/name"));

        Assert.Equal("ada", await kept!.GetAsync<string>("name", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RecordNotWrittenByTote_IsCheckedThroughout_EvenInTheMemoryStore()
    {
        // Well-formed down to the key's value, which points at an entry that does not exist: only
        // the full check at load finds it. Records the core wrote itself skip that check.
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var corrupt = host.Metric<long>("tote.sessions.corrupt");
        var id = TestIds.New();
        const string dangling = """[["Map",1,2],"name",{"data":3,"expires":-1},[99]]""";
        await StoreForeignRecordAsync(host, id, dangling);
        client.SessionId = id;

        Assert.Equal("(null)", await client.GetStringAsync("/get/name"));
        Assert.Equal(1, corrupt.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CorruptRecord_StartsFreshSessionRemovesRecordAndWarns()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var corrupt = host.Metric<long>("tote.sessions.corrupt");
        var id = TestIds.New();
        await StoreForeignRecordAsync(host, id, "{not devalue");
        client.SessionId = id;

        using var read = await client.GetAsync("/get/name");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("(null)", await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        client.SessionId = id;
        await client.PostAsync("/set/name/ada");

        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.NotEqual(id, client.SessionId);
        Assert.Equal(1, corrupt.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 7 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task SaveAsync_PersistsBeforeTheRequestEnds()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/save-now", async (Session session, ISessionStore store) =>
        {
            session.Set("name", "ada");
            await session.SaveAsync();
            return (await store.LoadAsync(session.Id!))?.Data;
        }));
        using var client = host.CreateClient();

        Assert.Equal("""[["Map",1,2],"name",{"data":3,"expires":-1},"ada"]""", await client.PostAsync("/save-now").BodyAsync());
    }

    [Fact]
    public async Task EveryResponse_CarriesAtMostOneSessionCookie()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapPost("/churn", async (Session session) =>
        {
            session.Set("a", 1);
            await session.RegenerateAsync();
            session.Destroy();
            session.Set("b", 2);
            await session.RegenerateAsync();
            return "ok";
        }));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/churn");

        Assert.Single(SetCookie.All(response));
    }

    private static Task<ToteTestHost> StartWithThrowingEndpointAsync(bool saveOnException) => ToteTestHost.StartAsync(
        app =>
        {
            SessionApi.Map(app);
            app.MapPost("/throw", async (HttpContext context, Session session) =>
            {
                session.Set("name", "changed");
                context.Response.BodyWriter.Write("partial"u8); // written, not flushed: still held
                await Task.Yield();
                throw new InvalidOperationException("The endpoint failed.");
            });
        },
        o =>
        {
            o.Tote = t => t.SaveOnUnhandledException = saveOnException;
            o.BeforeTote = app => app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (InvalidOperationException) when (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("error page");
                }
            });
        });

    // A record put straight into the store, as another app or a damaged store would leave it.
    private static async Task StoreForeignRecordAsync(ToteTestHost host, string id, string data)
        => await host.Store.SaveAsync(id, new SessionRecord { Data = data, CreatedAt = host.Clock.GetUtcNow(), ExpiresAt = host.Clock.GetUtcNow().AddHours(1) }, SessionVersion.Missing, TestContext.Current.CancellationToken);
}
