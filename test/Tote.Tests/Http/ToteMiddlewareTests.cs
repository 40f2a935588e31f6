using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tote.Drivers;
using Tote.Testing;
using Tote.Tests.Drivers;

namespace Tote.Tests.Http;

/// <summary>What a visitor and an operator see when the store is down: a 503 that says when to retry, and the driver's error in the log.</summary>
public sealed class ToteMiddlewareTests
{
    private const string DriverError = "Connection refused (127.0.0.1:6379)";

    private readonly ScriptedStore _store = new() { Failure = new IOException(DriverError) };

    [Fact]
    public async Task StoreFailure_Answers503WithRetryAfter_AndLogsTheDriversError()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        _store.FailingOperations.Add("load");

        using var response = await client.GetAsync("/get/name");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var log = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 18);
        Assert.Contains(DriverError, log.Exception!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(client.SessionId!, log.Exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveFailure_Answers503WithRetryAfter()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        _store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task StoreKeepsFailing_LaterRequestsFailAtOnce_AndRetryAfterCountsDownToTheNextTry()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        _store.FailingOperations.Add("load");
        for (var i = 0; i < StoreCircuitBreaker.FailureThreshold; i++)
        {
            (await client.GetAsync("/get/name")).Dispose();
        }

        _store.ClearCalls();
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        using var fast = await client.GetAsync("/get/name");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, fast.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), fast.Headers.RetryAfter?.Delta);
        Assert.Empty(_store.Calls);
        var opened = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 70);
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Contains(DriverError, opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreComesBack_TheNextRequestAfterTheBreakSucceeds()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        _store.FailingOperations.Add("load");
        for (var i = 0; i < StoreCircuitBreaker.FailureThreshold; i++)
        {
            (await client.GetAsync("/get/name")).Dispose();
        }

        _store.FailingOperations.Clear();
        host.Clock.Advance(StoreCircuitBreaker.BreakDuration);

        Assert.Equal("ada", await client.GetStringAsync("/get/name"));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 71 && r.Level == LogLevel.Information);
    }

    [Fact]
    public async Task FailureStatusOtherThan503_SendsNoRetryAfter()
    {
        await using var host = await StartAsync(o => o.Tote = t => t.StoreFailureStatusCode = 500);
        using var client = host.CreateClient();
        _store.FailingOperations.Add("save");

        using var response = await client.PostAsync("/set/name/ada");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task StatusCodePagesWithProblemDetails_GiveThe503AProblemBody_KeepingRetryAfter()
    {
        // The example in docs/sessions.md, "Customizing the failure response".
        await using var host = await StartAsync(o =>
        {
            o.Services = services => services.AddProblemDetails();
            o.BeforeTote = app => app.UseStatusCodePages();
        });
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada");
        _store.FailingOperations.Add("load");

        using var response = await client.GetAsync("/get/name");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null) => ToteTestHost.StartAsync(
        SessionApi.Map,
        o =>
        {
            o.Driver = b => b.UseStore("scripted", _ => _store);
            configure?.Invoke(o);
        });
}
