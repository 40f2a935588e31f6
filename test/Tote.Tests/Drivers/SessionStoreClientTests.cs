using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Tests.Drivers;

public sealed class SessionStoreClientTests : IDisposable
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = TestClock.Create();
    private readonly ScriptedStore _store;
    private readonly SessionStoreClient _client;
    private readonly TestMeterFactory _meters = new();

    public SessionStoreClientTests()
    {
        _store = new ScriptedStore(_clock);
        _client = new SessionStoreClient(_store, "scripted", TimeSpan.FromSeconds(5), _clock, new ToteTelemetry(_meters, "scripted"), new FakeLogger());
    }

    [Fact]
    public async Task Call_StoreThrows_WrapsInSessionStoreExceptionNamingDriverAndOperation()
    {
        _store.FailingOperations.Add("save");
        var id = TestIds.New();

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));

        Assert.Equal("scripted", error.Driver);
        Assert.Equal("save", error.Operation);
        Assert.False(error.IsTimeout);
        Assert.IsType<IOException>(error.InnerException);
        Assert.DoesNotContain(id, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Call_StoreThrowsBeforeReturningATask_WrapsInSessionStoreException(bool measured)
    {
        // On the fixture's telemetry, whose instruments the collectors find.
        var client = new SessionStoreClient(new SynchronouslyThrowingStore(), "throwing", TimeSpan.FromSeconds(5), _clock, _client.Telemetry, new FakeLogger());
        using var duration = measured ? new MetricCollector<double>(_meters, ToteTelemetry.Name, "tote.store.duration") : null;
        using var errors = new MetricCollector<long>(_meters, ToteTelemetry.Name, "tote.store.errors");

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await client.LoadAsync(TestIds.New(), slide: null, TestContext.Current.CancellationToken));

        Assert.Equal("throwing", error.Driver);
        Assert.Equal("load", error.Operation);
        Assert.False(error.IsTimeout);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(1, errors.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task Call_StoreHangsPastTimeout_ThrowsTimeout()
    {
        _store.HangingOperations.Add("load");

        var pending = _client.LoadAsync(TestIds.New(), slide: null, TestContext.Current.CancellationToken).AsTask();
        await _store.Hung.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SessionStoreException>(() => pending);
        Assert.True(error.IsTimeout);
        Assert.Contains("StoreTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_CallerCancels_ThrowsOperationCanceledNotStoreException()
    {
        _store.HangingOperations.Add("load");
        using var cancel = new CancellationTokenSource();

        var pending = _client.LoadAsync(TestIds.New(), slide: null, cancel.Token).AsTask();
        await _store.Hung.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.IsNotType<SessionStoreException>(error);
    }

    [Fact]
    public async Task Call_RecordsDurationAndCountsErrors()
    {
        using var duration = new MetricCollector<double>(_meters, ToteTelemetry.Name, "tote.store.duration");
        using var errors = new MetricCollector<long>(_meters, ToteTelemetry.Name, "tote.store.errors");
        _store.FailingOperations.Add("delete");

        await _client.LoadAsync(TestIds.New(), slide: null, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<SessionStoreException>(async () => await _client.DeleteAsync(TestIds.New(), TestContext.Current.CancellationToken));

        Assert.Equal(["load", "delete"], duration.GetMeasurementSnapshot().Select(m => (string)m.Tags["tote.store.operation"]!));
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.Equal("scripted", m.Tags["tote.driver"]));
        Assert.Equal(1, errors.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    public void Dispose()
    {
        _meters.Dispose();
    }

    /// <summary>A driver whose calls throw at once, as a non-async implementation's would.</summary>
    private sealed class SynchronouslyThrowingStore : ISessionStore
    {
        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => throw new IOException("The disk is gone.");

        public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default) => throw new IOException("The disk is gone.");

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => throw new IOException("The disk is gone.");

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => throw new IOException("The disk is gone.");
    }

    private SessionRecord Record() => new() { Data = """[["Map"]]""", CreatedAt = _clock.GetUtcNow(), ExpiresAt = _clock.GetUtcNow().AddHours(1) };
}
