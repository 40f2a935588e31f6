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
