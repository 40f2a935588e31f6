using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Tests.Drivers;

/// <summary>
/// The circuit breaker as callers of the store client meet it, over a scripted store on a fake
/// clock: failures in a row make calls fail at once with the driver's error, and one call tests
/// the store again after the break.
/// </summary>
public sealed class StoreCircuitBreakerTests : IDisposable
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = TestClock.Create();
    private readonly ScriptedStore _store;
    private readonly SessionStoreClient _client;
    private readonly TestMeterFactory _meters = new();
    private readonly FakeLogger _logger = new();

    public StoreCircuitBreakerTests()
    {
        _store = new ScriptedStore(_clock);
        _store.Failure = new IOException("Connection refused (127.0.0.1:6379)");
        _client = new SessionStoreClient(_store, "scripted", TimeSpan.FromSeconds(5), _clock, new ToteTelemetry(_meters, "scripted"), _logger);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailuresInARow_MakeLaterCallsFailAtOnceWithoutReachingTheStore()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _store.ClearCalls();

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Empty(_store.Calls);
        Assert.Equal("scripted", error.Driver);
        Assert.Equal("load", error.Operation);
        Assert.False(error.IsTimeout);
        Assert.Equal(StoreCircuitBreaker.BreakDuration, error.RetryAfter);
    }

    [Fact]
    public async Task FailingFast_CarriesTheLastDriverErrorInMessageAndInnerException()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, Ct));

        Assert.Same(_store.Failure, error.InnerException);
        Assert.Contains("Connection refused (127.0.0.1:6379)", error.Message, StringComparison.Ordinal);
        Assert.Contains("'scripted'", error.Message, StringComparison.Ordinal);
        Assert.Equal("save", error.Operation);
    }

    [Fact]
    public async Task EveryStoreFailure_NamesTheDriversErrorInItsMessage()
    {
        _store.FailingOperations.Add("load");

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Contains("IOException: Connection refused (127.0.0.1:6379)", error.Message, StringComparison.Ordinal);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public async Task DriverErrorNamingASessionId_IsMaskedInTheMessage()
    {
        var id = TestIds.New();
        _store.Failure = new IOException($"Access to the path '/app/.tote/sessions/{id}.json' is denied.");
        _store.FailingOperations.Add("load");

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(id, slide: null, Ct));

        Assert.DoesNotContain(id, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/app/.tote/sessions/[id].json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FewerFailuresThanTheThreshold_LeaveTheStoreCalled()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold - 1);
        _store.FailingOperations.Clear();

        Assert.Null(await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        Assert.Equal(StoreCircuitBreaker.FailureThreshold, _store.Calls.Count);
    }

    [Fact]
    public async Task ASuccessBetweenFailures_StartsTheCountAgain()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold - 1);
        await _client.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, Ct);
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold - 1);
        _store.ClearCalls();

        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Single(_store.Calls);
    }

    [Fact]
    public async Task FailuresSpreadWiderThanTheWindow_DoNotOpenTheCircuit()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold - 1);
        _clock.Advance(StoreCircuitBreaker.SamplingWindow + TimeSpan.FromSeconds(1));
        await FailLoadsAsync(1);
        _store.ClearCalls();

        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Single(_store.Calls);
    }

    [Fact]
    public async Task BeforeTheBreakEnds_CallsKeepFailingAtOnce_WithTheRemainingWait()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _store.FailingOperations.Clear();
        _clock.Advance(TimeSpan.FromSeconds(3.5));
        _store.ClearCalls();

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Empty(_store.Calls);
        Assert.Equal(TimeSpan.FromSeconds(1.5), error.RetryAfter);
        Assert.Contains("again within 2 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheBreak_OneCallTestsTheStore_WhileOthersStillFailAtOnce()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _store.FailingOperations.Clear();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.BeforeSave = _ => gate.Task;
        _clock.Advance(StoreCircuitBreaker.BreakDuration);
        _store.ClearCalls();

        var probe = _client.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, Ct).AsTask();
        var other = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        gate.SetResult();
        await probe;

        Assert.Single(_store.Calls, c => c.StartsWith("save ", StringComparison.Ordinal));
        Assert.DoesNotContain(_store.Calls, c => c.StartsWith("load ", StringComparison.Ordinal));
        Assert.NotNull(other.RetryAfter);
    }

    [Fact]
    public async Task ASuccessfulTest_ClosesTheCircuit_AndLogsThatTheStoreIsBack()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _store.FailingOperations.Clear();
        _clock.Advance(StoreCircuitBreaker.BreakDuration);

        await _client.LoadAsync(TestIds.New(), slide: null, Ct);
        _store.ClearCalls();
        await _client.LoadAsync(TestIds.New(), slide: null, Ct);
        await _client.LoadAsync(TestIds.New(), slide: null, Ct);

        Assert.Equal(2, _store.Calls.Count);
        var closed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 71);
        Assert.Equal(LogLevel.Information, closed.Level);
        Assert.Contains("'scripted'", closed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedTest_FailsCallsAtOnceForAnotherBreak()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _clock.Advance(StoreCircuitBreaker.BreakDuration);

        var probe = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        _store.ClearCalls();
        _clock.Advance(StoreCircuitBreaker.BreakDuration - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        var callsDuringBreak = _store.Calls.Count;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.IsType<IOException>(probe.InnerException);
        Assert.Equal(StoreCircuitBreaker.BreakDuration, probe.RetryAfter);
        Assert.Equal(0, callsDuringBreak);
        Assert.Single(_store.Calls);
    }

    [Fact]
    public async Task Opening_LogsOneWarningWithTheDriversError_AndIsCounted()
    {
        using var opened = new MetricCollector<long>(_meters, ToteTelemetry.Name, "tote.store.circuit.opened");
        using var rejected = new MetricCollector<long>(_meters, ToteTelemetry.Name, "tote.store.rejected");
        var id = TestIds.New();
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold, id);

        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(id, slide: null, Ct));
        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(id, slide: null, Ct));

        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(70, warning.Id.Id);
        Assert.Contains("Connection refused (127.0.0.1:6379)", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(id, warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, opened.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, rejected.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task Timeouts_CountAsFailures_AndTheFastFailureSaysItWasATimeout()
    {
        _store.HangingOperations.Add("load");
        for (var i = 0; i < StoreCircuitBreaker.FailureThreshold; i++)
        {
            var pending = _client.LoadAsync(TestIds.New(), slide: null, Ct).AsTask();
            _clock.Advance(TimeSpan.FromSeconds(5));
            Assert.True((await Assert.ThrowsAsync<SessionStoreException>(() => pending)).IsTimeout);
        }

        _store.ClearCalls();
        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(TestIds.New(), slide: null, Ct));

        Assert.Empty(_store.Calls);
        Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
        Assert.True(Assert.IsType<SessionStoreException>(error.InnerException).IsTimeout);
    }

    [Fact]
    public async Task CallerCancellations_AreNotCountedAsFailures()
    {
        _store.HangingOperations.Add("load");
        for (var i = 0; i < StoreCircuitBreaker.FailureThreshold + 1; i++)
        {
            using var cancel = new CancellationTokenSource();
            var pending = _client.LoadAsync(TestIds.New(), slide: null, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        }

        _store.HangingOperations.Clear();
        _store.ClearCalls();

        Assert.Null(await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        Assert.Single(_store.Calls);
    }

    [Fact]
    public async Task ATestTheCallerCancels_LetsTheNextCallTestTheStore()
    {
        await FailLoadsAsync(StoreCircuitBreaker.FailureThreshold);
        _store.FailingOperations.Clear();
        _store.HangingOperations.Add("load");
        _clock.Advance(StoreCircuitBreaker.BreakDuration);
        using var cancel = new CancellationTokenSource();
        var probe = _client.LoadAsync(TestIds.New(), slide: null, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
        _store.HangingOperations.Clear();
        _store.ClearCalls();

        Assert.Null(await _client.LoadAsync(TestIds.New(), slide: null, Ct));
        Assert.Single(_store.Calls);
    }

    public void Dispose()
    {
        _meters.Dispose();
    }

    private async Task FailLoadsAsync(int count, string? id = null)
    {
        _store.FailingOperations.Add("load");
        for (var i = 0; i < count; i++)
        {
            await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.LoadAsync(id ?? TestIds.New(), slide: null, Ct));
        }
    }

    private SessionRecord Record() => new() { Data = """[["Map"]]""", CreatedAt = _clock.GetUtcNow(), ExpiresAt = _clock.GetUtcNow().AddHours(1) };
}
