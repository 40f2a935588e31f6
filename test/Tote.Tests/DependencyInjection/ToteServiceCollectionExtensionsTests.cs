using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

    [Fact]
    public async Task AddTote_OnABareServiceCollectionWithoutConfiguration_UsesTheCodeOnlyOptions()
    {
        var services = new ServiceCollection();
        services.AddTote(o => o.IdleTimeout = TimeSpan.FromMinutes(20)).UseMemory(m => m.MaxSessions = 5);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ToteOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(20), options.IdleTimeout);
        Assert.Equal("tote-session", options.Cookie.Name);
        Assert.Equal(5, provider.GetRequiredService<IOptions<MemorySessionStoreOptions>>().Value.MaxSessions);
        Assert.IsType<MemorySessionStore>(provider.GetRequiredService<ISessionStore>());
        Assert.Equal(TimeSpan.FromMinutes(20), provider.GetRequiredService<IOptionsMonitor<ToteOptions>>().CurrentValue.IdleTimeout);
    }

    [Fact]
    public async Task AddTote_OnAServiceCollectionWithConfiguration_StillBindsTheToteSection()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tote:IdleTimeout"] = "00:10:00",
            ["Tote:Memory:MaxSessions"] = "7",
        }).Build());
        services.AddTote().UseMemory();
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromMinutes(10), provider.GetRequiredService<IOptions<ToteOptions>>().Value.IdleTimeout);
        Assert.Equal(7, provider.GetRequiredService<IOptions<MemorySessionStoreOptions>>().Value.MaxSessions);
    }
}
