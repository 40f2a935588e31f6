using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Drivers.Hosting;
using Tote.Testing;

namespace Tote.Tests.Drivers.Hosting;

/// <summary>The check of the store at startup: a warning an operator can act on, never a failed start.</summary>
public sealed class SessionStoreHostedServiceTests
{
    private const string DriverError = "Connection refused (127.0.0.1:6379)";
    private const int UnreachableAtStartup = 73;

    private readonly ScriptedStore _store = new() { Failure = new IOException(DriverError) };

    [Fact]
    public async Task UnreachableStore_LogsAWarningWithTheDriversError_AndTheAppStillStarts()
    {
        _store.FailingOperations.Add("load");
        await using var host = await StartAsync();
        await StartupProbe(host);
        using var client = host.CreateClient();

        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == UnreachableAtStartup);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(DriverError, warning.Message, StringComparison.Ordinal);
        Assert.Contains("503", warning.Message, StringComparison.Ordinal);
        Assert.IsType<SessionStoreException>(warning.Exception);
        using var response = await client.GetAsync("/untouched");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReachableStore_IsCheckedOnceWithoutAWarning()
    {
        await using var host = await StartAsync();
        await StartupProbe(host);

        Assert.Single(_store.Calls, c => c.StartsWith("load ", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Id == UnreachableAtStartup);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 74 && r.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task HangingStore_DoesNotHoldUpTheStart_AndIsReportedWhenTheStoreTimeoutPasses()
    {
        _store.HangingOperations.Add("load");
        await using var host = await StartAsync();
        var probe = StartupProbe(host);
        Assert.False(probe.IsCompleted);

        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await probe.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == UnreachableAtStartup);
        Assert.Contains("StoreTimeout", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingWhileTheCheckWaits_EndsItWithoutAWarning()
    {
        _store.HangingOperations.Add("load");
        var host = await StartAsync();
        var probe = StartupProbe(host);
        var logs = host.Logs;
        Assert.False(probe.IsCompleted);

        await host.DisposeAsync();

        Assert.True(probe.IsCompleted);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == UnreachableAtStartup);
    }

    private static Task StartupProbe(ToteTestHost host)
        => host.Services.GetServices<IHostedService>().OfType<SessionStoreHostedService>().Single().StartupProbe;

    private Task<ToteTestHost> StartAsync() => ToteTestHost.StartAsync(
        SessionApi.Map,
        o => o.Driver = b => b.UseStore("scripted", _ => _store));
}
