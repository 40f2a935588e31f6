using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tote.Diagnostics;

namespace Tote.Drivers;

/// <summary>
/// How the session core calls a driver: each call gets the store timeout, a trace span, a
/// duration measurement, and turns a driver failure into a <see cref="SessionStoreException"/>
/// naming the driver and its error. A caller's own cancellation passes through as
/// <see cref="OperationCanceledException"/>. While the store keeps failing, calls fail at once
/// (<see cref="StoreCircuitBreaker"/>).
/// </summary>
internal sealed class SessionStoreClient
{
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly StoreCircuitBreaker _breaker;
    private const int MaxPooledTimeouts = 64;

    private readonly TimeSpan _timeout;
    private readonly ConcurrentQueue<CancellationTokenSource> _timeouts = new();

    public SessionStoreClient(ISessionStore store, string driver, TimeSpan timeout, TimeProvider time, ToteTelemetry telemetry, ILogger logger)
    {
        _store = store;
        Driver = driver;
        _timeout = timeout;
        _time = time;
        Telemetry = telemetry;
        _breaker = new StoreCircuitBreaker(driver, time, telemetry, logger);
    }

    public string Driver { get; }

    public ToteTelemetry Telemetry { get; }

    /// <summary>Whether the driver keeps its sessions in this process only (memory): they die with it.</summary>
    public bool IsInProcess => _store is IInProcessSessionStore;

    /// <summary>The driver's in-process writer turns, when it offers them (fs); see <see cref="ISessionWriterTurns"/>.</summary>
    public ISessionWriterTurns? WriterTurns => _store as ISessionWriterTurns;

    /// <summary>
    /// Loads a session. With <paramref name="slide"/>, a driver that can
    /// (<see cref="ISessionStoreSlidingLoader"/>) also slides the idle expiry in the same call;
    /// any other driver, or a <see langword="null"/> <paramref name="slide"/>, does a plain load.
    /// </summary>
    public ValueTask<StoreLoad?> LoadAsync(string id, SlidingExpiration? slide, CancellationToken cancellationToken)
        => _store switch
        {
            ISessionStoreSlidingLoader when slide is { } expiration =>
                CallAsync("load", (id, expiration), static (store, s, ct) => AsLoad(((ISessionStoreSlidingLoader)store).LoadAndSlideAsync(s.id, s.expiration, ct)), cancellationToken),
            IInProcessSessionStore =>
                CallAsync("load", id, static (store, id, ct) => ((IInProcessSessionStore)store).LoadWithProvenanceAsync(id, ct), cancellationToken),
            _ => CallAsync("load", id, static (store, id, ct) => AsLoad(store.LoadAsync(id, ct)), cancellationToken),
        };

    /// <summary>Saves a record the session core wrote (an in-process driver remembers that; see <see cref="IInProcessSessionStore"/>).</summary>
    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expected, CancellationToken cancellationToken)
        => _store is IInProcessSessionStore
            ? CallAsync("save", (id, record, expected), static (store, s, ct) => ((IInProcessSessionStore)store).SaveWrittenByCoreAsync(s.id, s.record, s.expected, ct), cancellationToken)
            : CallAsync("save", (id, record, expected), static (store, s, ct) => store.SaveAsync(s.id, s.record, s.expected, ct), cancellationToken);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
        => CallAsync("delete", id, static async (store, id, ct) =>
        {
            await store.DeleteAsync(id, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        => CallAsync("refresh", (id, expiresAt), static (store, s, ct) => store.RefreshAsync(s.id, s.expiresAt, ct), cancellationToken);

    /// <summary>The driver's per-user index, when it keeps one (see <see cref="ISessionStoreUserIndex"/>).</summary>
    public bool HasUserIndex => _store is ISessionStoreUserIndex;

    /// <summary>A plain load (no slide, no provenance): the ticket store's reads, which keep their own expiry.</summary>
    public ValueTask<SessionRecord?> LoadPlainAsync(string id, CancellationToken cancellationToken)
        => CallAsync("load", id, static (store, id, ct) => store.LoadAsync(id, ct), cancellationToken);

    public ValueTask<bool> SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken)
        => CallAsync("index.set", (userId, entry), static async (store, s, ct) =>
        {
            await ((ISessionStoreUserIndex)store).SetUserSessionAsync(s.userId, s.entry, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public ValueTask<bool> RemoveUserSessionAsync(string userId, string id, CancellationToken cancellationToken)
        => CallAsync("index.remove", (userId, id), static async (store, s, ct) =>
        {
            await ((ISessionStoreUserIndex)store).RemoveUserSessionAsync(s.userId, s.id, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken)
        => CallAsync("index.list", userId, static (store, userId, ct) => ((ISessionStoreUserIndex)store).ListUserSessionsAsync(userId, ct), cancellationToken);

    /// <summary>
    /// Every store call: through the circuit breaker, in a span when traced, under the store
    /// timeout counted from the call's start, timed when <c>tote.store.duration</c> is listened to,
    /// with a driver failure turned into a <see cref="SessionStoreException"/>. One path: the call
    /// is started here and finished in <see cref="Finish"/>, at once when the driver already
    /// answered, else after <see cref="AwaitAsync"/>.
    /// </summary>
    private ValueTask<TResult> CallAsync<TState, TResult>(
        string operation,
        TState state,
        Func<ISessionStore, TState, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (_breaker.TryEnter(operation) is { } rejected)
        {
            return ValueTask.FromException<TResult>(rejected);
        }

        // Checked first so that a process nobody traces does not build the span's name per call.
        var activity = ToteTelemetry.ActivitySource.HasListeners()
            ? ToteTelemetry.ActivitySource.StartActivity("tote.store." + operation, ActivityKind.Client)
            : null;
        activity?.SetTag("tote.driver", Driver);
        var inFlight = new Call(operation, activity, _time.GetTimestamp(), RentTimeout());
        var pending = Start(call, state, inFlight.Timeout, cancellationToken);

        // In-process drivers answer synchronously: finishing here spares them an async state
        // machine, which costs more than the memory driver's whole call.
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            Finish(inFlight, default);
            _breaker.OnSuccess();
            return new ValueTask<TResult>(result);
        }

        return AwaitAsync(inFlight, pending, cancellationToken);
    }

    /// <summary>Waits for a driver call that did not answer at once, under the store timeout.</summary>
    private async ValueTask<TResult> AwaitAsync<TResult>(Call call, ValueTask<TResult> pending, CancellationToken cancellationToken)
    {
        // The timeout runs on the injected clock so tests can drive it, and is kept apart from the
        // caller's token so that a timeout and a cancelled request are reported differently. Timer
        // and link are armed only for a call that has to wait: arming a timer costs more than an
        // in-process driver's whole call.
        CancellationTokenRegistration link = default;
        try
        {
            if (!pending.IsCompleted && call.Timeout is { } timeout)
            {
                ArmTimeout(timeout, call.Started);
                if (cancellationToken.CanBeCanceled)
                {
                    link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
                }
            }

            var result = await pending.ConfigureAwait(false);
            _breaker.OnSuccess();
            return result;
        }
        catch (Exception ex)
        {
            var failure = Failure(call.Operation, ex, call.Timeout, call.Activity, cancellationToken);
            if (failure is null)
            {
                throw;
            }

            throw failure;
        }
        finally
        {
            Finish(call, link);
        }
    }

    /// <summary>Ends a call, however it ended: records its duration, ends its span, gives back its timeout.</summary>
    private void Finish(Call call, CancellationTokenRegistration link)
    {
        if (Telemetry.MeasuresStoreDuration)
        {
            Telemetry.StoreDuration(call.Operation, _time.GetElapsedTime(call.Started));
        }

        call.Activity?.Dispose();
        link.Dispose();
        ReturnTimeout(call.Timeout);
    }

    /// <summary>
    /// Starts the driver call. A driver that throws instead of returning a faulted task is
    /// treated as if it had returned one, so that both reach the same error handling.
    /// </summary>
    private ValueTask<TResult> Start<TState, TResult>(
        Func<ISessionStore, TState, CancellationToken, ValueTask<TResult>> call, TState state, CancellationTokenSource? timeout, CancellationToken cancellationToken)
    {
        try
        {
            return call(_store, state, timeout?.Token ?? cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
    }

    /// <summary>
    /// What a driver's exception becomes: <see langword="null"/> when it passes through as it is
    /// (the caller's own cancellation, or a <see cref="SessionStoreException"/> already), else a
    /// <see cref="SessionStoreException"/> naming the driver, operation and the driver's error,
    /// counted as a store error. Every failure but the caller's cancellation counts towards
    /// breaking the circuit.
    /// </summary>
    private SessionStoreException? Failure(string operation, Exception ex, CancellationTokenSource? timeout, Activity? activity, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            _breaker.OnCancelled();
            return null;
        }

        Telemetry.StoreError(operation);
        if (ex is SessionStoreException driverFailure)
        {
            driverFailure.RetryAfter = _breaker.OnFailure(driverFailure, DriverErrorText.Describe(driverFailure));
            return null;
        }

        SessionStoreException failure;
        string errorText;
        if (ex is OperationCanceledException && timeout?.IsCancellationRequested == true)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            errorText = string.Create(CultureInfo.InvariantCulture, $"a timeout: no answer within {_timeout.TotalSeconds:0.###} s (ToteOptions.StoreTimeout)");
            failure = new SessionStoreException(
                Driver,
                operation,
                timedOut: true,
                string.Create(CultureInfo.InvariantCulture, $"The '{Driver}' session store did not finish a {operation} within {_timeout.TotalSeconds:0.###} s (ToteOptions.StoreTimeout). Check that the store is reachable and not overloaded."),
                ex);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            errorText = DriverErrorText.Describe(ex);
            failure = new SessionStoreException(
                Driver,
                operation,
                timedOut: false,
                $"The '{Driver}' session store failed during a {operation}: {errorText}. Check that the store is running, reachable and healthy; the inner exception is the driver's error.",
                ex);
        }

        failure.RetryAfter = _breaker.OnFailure(failure.IsTimeout ? failure : ex, errorText);
        return failure;
    }

    private void ArmTimeout(CancellationTokenSource timeout, long started)
    {
        var remaining = _timeout - _time.GetElapsedTime(started);
        if (remaining > TimeSpan.Zero)
        {
            timeout.CancelAfter(remaining);
        }

        if (_time.GetElapsedTime(started) >= _timeout)
        {
            timeout.Cancel();
        }
    }

    // Mapped in place when the driver finished synchronously (in-process drivers always do), so a
    // load costs no extra async layer over the driver's call.
    private static ValueTask<StoreLoad?> AsLoad(ValueTask<SessionRecord?> pending)
        => pending.IsCompletedSuccessfully
            ? new(pending.Result is { } record ? new StoreLoad(record, Slid: false) : null)
            : AwaitLoadAsync(pending);

    private static ValueTask<StoreLoad?> AsLoad(ValueTask<SlidingLoadResult?> pending)
        => pending.IsCompletedSuccessfully
            ? new(pending.Result is { } found ? new StoreLoad(found.Record, found.Slid) : null)
            : AwaitSlidingLoadAsync(pending);

    private static async ValueTask<StoreLoad?> AwaitLoadAsync(ValueTask<SessionRecord?> pending)
        => await pending.ConfigureAwait(false) is { } record ? new StoreLoad(record, Slid: false) : null;

    private static async ValueTask<StoreLoad?> AwaitSlidingLoadAsync(ValueTask<SlidingLoadResult?> pending)
        => await pending.ConfigureAwait(false) is { } found ? new StoreLoad(found.Record, found.Slid) : null;

    private CancellationTokenSource? RentTimeout()
    {
        if (_timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        // Pooled because a token source per call is most of what a store call allocates on an
        // in-process driver. Not armed yet; an infinite delay binds it to the injected clock.
        return _timeouts.TryDequeue(out var source) ? source : new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
    }

    private void ReturnTimeout(CancellationTokenSource? source)
    {
        if (source is null)
        {
            return;
        }

        // A source that fired (timeout or caller cancellation) cannot be reused.
        if (_timeouts.Count < MaxPooledTimeouts && source.TryReset())
        {
            _timeouts.Enqueue(source);
        }
        else
        {
            source.Dispose();
        }
    }

    /// <summary>One store call in progress: what <see cref="Finish"/> needs to end it.</summary>
    private readonly record struct Call(string Operation, Activity? Activity, long Started, CancellationTokenSource? Timeout);
}
