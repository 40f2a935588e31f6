using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tote.Testing;

namespace Tote.Tests.Http;

public sealed class ToteHttpContextExtensionsTests
{
    [Fact]
    public async Task GetSession_WithoutUseTote_SaysToCallUseTote()
    {
        var error = await ProbeGetSessionAsync(o => o.UseTote = false);

        Assert.Contains("app.UseTote()", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSession_WithoutAddTote_SaysToCallAddTote()
    {
        var error = await ProbeGetSessionAsync(o =>
        {
            o.AddTote = false;
            o.UseTote = false;
        });

        Assert.Contains("AddTote()", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSession_OnABareDefaultHttpContext_SaysToCallAddToteAndPointsUnitTestsAtSessionTester()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new DefaultHttpContext().GetSession());

        Assert.Contains("AddTote()", error.Message, StringComparison.Ordinal);
        Assert.Contains("SessionTester", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tote.Testing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSession_WithoutUseTote_AlsoPointsUnitTestsAtSessionTester()
    {
        var error = await ProbeGetSessionAsync(o => o.UseTote = false);

        Assert.Contains("SessionTester", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
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

    private static async Task<Exception?> ProbeGetSessionAsync(Action<ToteTestHostOptions> configure)
    {
        Exception? captured = null;
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapGet("/probe", (HttpContext context) =>
            {
                captured = Record.Exception(() => context.GetSession());
                return "ok";
            }),
            configure);
        using var client = host.CreateClient();
        (await client.GetAsync("/probe")).Dispose();
        return captured;
    }
}
