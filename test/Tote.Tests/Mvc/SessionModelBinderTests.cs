using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tote.Testing;

namespace Tote.Tests.Mvc;

public sealed class SessionModelBinderTests
{
    private static Task<ToteTestHost> StartAsync() => ToteTestHost.StartAsync(
        app =>
        {
            app.MapControllers();
            app.MapRazorPages();
        },
        o => o.Services = services =>
        {
            services.AddControllers().AddApplicationPart(typeof(CartController).Assembly);
            services.AddRazorPages();
        });

    [Fact]
    public async Task MvcAction_SessionParameter_IsBoundNotReadFromBody()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/mvc/cart/a");
        var body = await client.PostAsync("/mvc/cart/b").BodyAsync();

        Assert.Equal("a,b", body);
        Assert.Equal("a,b", await client.GetStringAsync("/mvc/cart"));
    }

    [Fact]
    public async Task MvcAction_GetSessionFromHttpContext_SeesTheSameSession()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/mvc/cart/a");

        Assert.Equal("a", await client.GetStringAsync("/mvc/cart/via-context"));
    }

    [Fact]
    public async Task RazorPageHandler_SessionParameter_IsBound()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var posted = await client.PostAsync("/pages/cart", new FormUrlEncodedContent(new Dictionary<string, string> { ["item"] = "apple" }));
        var page = await client.GetStringAsync("/pages/cart");

        Assert.Contains("view:apple|model:1 items", page, StringComparison.Ordinal);
    }
}
