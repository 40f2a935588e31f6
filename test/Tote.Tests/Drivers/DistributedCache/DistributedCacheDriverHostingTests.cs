using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tote.Drivers.DistributedCache;
using Tote.Testing;

namespace Tote.Tests.Drivers.DistributedCache;

public sealed class DistributedCacheDriverHostingTests
{
    [Fact]
    public async Task ChosenByConfiguration_UsesTheRegisteredCacheAndWarnsAtStartup()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o =>
        {
            o.Configuration["Tote:Driver"] = "distributed-cache";
            o.Services = s => s.AddDistributedMemoryCache();
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");

        Assert.IsType<DistributedCacheSessionStore>(host.Store);
        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 31);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("last writer wins", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseDistributedCache_WithoutACache_FailsAtStartupSayingHowToFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseDistributedCache()));

        Assert.Contains("AddDistributedMemoryCache", error.Message, StringComparison.Ordinal);
    }
}
