using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Testing;
using Tote.Tests.Drivers;

namespace Tote.Tests.DependencyInjection;

public sealed class ToteServiceCollectionExtensionsTests
{
    [Fact]
    public async Task UseMemory_ChoosesTheMemoryDriver()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseMemory());

        Assert.IsType<MemorySessionStore>(host.Store);
    }

    [Fact]
    public async Task UseStore_ChoosesTheCustomDriver()
    {
        var store = new ScriptedStore();
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("scripted", _ => store));
        using var client = host.CreateClient();

        await client.PostAsync("/set/name/ada");

        Assert.Same(store, host.Store);
        Assert.Contains(store.Calls, c => c.StartsWith("save ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseTote_WithoutAddTote_ThrowsSayingHowToFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.AddTote = false));

        Assert.Contains("AddTote()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionParameter_WithoutUseTote_FailsSayingHowToFix()
    {
        Exception? captured = null;
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapGet("/probe", (HttpContext context) =>
            {
                captured = Record.Exception(() => context.GetSession());
                return "ok";
            }),
            o => o.UseTote = false);
        using var client = host.CreateClient();

        await client.GetAsync("/probe");

        Assert.Contains("app.UseTote()", Assert.IsType<InvalidOperationException>(captured).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSession_WithoutAddTote_SaysToCallAddTote()
    {
        Exception? captured = null;
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapGet("/probe", (HttpContext context) =>
            {
                captured = Record.Exception(() => context.GetSession());
                return "ok";
            }),
            o =>
            {
                o.AddTote = false;
                o.UseTote = false;
            });
        using var client = host.CreateClient();

        await client.GetAsync("/probe");

        Assert.Contains("AddTote()", Assert.IsType<InvalidOperationException>(captured).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSession_WithoutHttpContext_SaysThereIsNoRequest()
    {
        HttpContext? none = null;

        var error = Assert.Throws<InvalidOperationException>(() => none.GetSession());

        Assert.Contains("no HTTP request", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSession_InMiddleware_ReturnsTheRequestsSession()
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                context.GetSession().Set("seen-by", "middleware");
                await next(context);
            });
            SessionApi.Map(app);
        });
        using var client = host.CreateClient();

        await client.GetAsync("/untouched");

        Assert.Equal("middleware", await client.GetStringAsync("/get/seen-by"));
    }

    [Fact]
    public async Task SessionParameter_IsTheSameInstanceAsGetSession()
    {
        await using var host = await ToteTestHost.StartAsync(app => app.MapGet("/same", (HttpContext context, Session session) => ReferenceEquals(context.GetSession(), session).ToString()));
        using var client = host.CreateClient();

        Assert.Equal("True", await client.GetStringAsync("/same"));
    }

    [Fact]
    public async Task ConfiguredDriverName_IsUsedInStoreErrors()
    {
        var store = new ScriptedStore();
        store.FailingOperations.Add("save");
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseStore("my-driver", _ => store));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = Assert.IsType<SessionStoreException>(Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 9).Exception);
        Assert.Equal("my-driver", error.Driver);
    }
}
