using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tote.Testing;
using Tote.Tests.Drivers;

namespace Tote.Tests.HealthChecks;

public sealed class ToteHealthCheckTests
{
    private static Task<ToteTestHost> StartAsync(ScriptedStore store) => ToteTestHost.StartAsync(
        app => app.MapHealthChecks("/health"),
        o =>
        {
            o.Driver = b => b.UseStore("scripted", _ => store);
            o.Services = s => s.AddHealthChecks().AddToteStore();
        });

    [Fact]
    public async Task HealthCheck_StoreAnswers_IsHealthy()
    {
        await using var host = await StartAsync(new ScriptedStore());
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HealthCheck_StoreFails_IsUnhealthy()
    {
        var store = new ScriptedStore();
        store.FailingOperations.Add("load");
        await using var host = await StartAsync(store);
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
