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

    /// <summary>The driver's in-process writer turns, when it offers them (fs); see <see cref="ISessionWriterTurns"/>.</summary>
    public ISessionWriterTurns? WriterTurns => _store as ISessionWriterTurns;

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken)
        => CallAsync("load", id, static (store, id, ct) => store.LoadAsync(id, ct), cancellationToken);

    /// <summary>
    /// Loads, and slides the idle expiry in the same store call when the driver can
    /// (<see cref="ISessionStoreSlidingLoader"/>); otherwise a plain load.
    /// </summary>
    public ValueTask<SessionRecord?> LoadAndSlideAsync(string id, TimeSpan idleTimeout, TimeSpan absoluteTimeout, CancellationToken cancellationToken)
        => _store is ISessionStoreSlidingLoader
            ? CallAsync("load", (id, expiration: new SlidingExpiration(idleTimeout, absoluteTimeout, idleTimeout / 10)), static async (store, s, ct) =>
                await ((ISessionStoreSlidingLoader)store).LoadAndSlideAsync(s.id, s.expiration, ct).ConfigureAwait(false) is { } loaded
                    ? new SessionRecord { Data = loaded.Record.Data, CreatedAt = loaded.Record.CreatedAt, ExpiresAt = loaded.Record.ExpiresAt, Version = loaded.Record.Version, Slid = loaded.Slid }
                    : null, cancellationToken)
            : LoadAsync(id, cancellationToken);

    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expected, CancellationToken cancellationToken)
        => CallAsync("save", (id, record, expected), static (store, s, ct) => store.SaveAsync(s.id, s.record, s.expected, ct), cancellationToken);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
        => CallAsync("delete", id, static async (store, id, ct) =>
        {
            await store.DeleteAsync(id, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        => CallAsync("refresh", (id, expiresAt), static (store, s, ct) => store.RefreshAsync(s.id, s.expiresAt, ct), cancellationToken);

    private ValueTask<TResult> CallAsync<TState, TResult>(
        string operation,
        TState state,
        Func<ISessionStore, TState, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
    {
        if (_breaker.TryEnter(operation) is { } rejected)
        {
            // The caller's own cancellation still wins, as for any other call.
            return cancellationToken.IsCancellationRequested
                ? ValueTask.FromCanceled<TResult>(cancellationToken)
                : ValueTask.FromException<TResult>(rejected);
        }

        if (ToteTelemetry.ActivitySource.HasListeners() || Telemetry.MeasuresStoreDuration)
        {
            return CallTracedAsync(operation, state, call, cancellationToken);
        }

        // Nobody traces or times this call. A driver that finishes at once (the memory driver
        // always does) then needs none of the async machinery, which for these shared generic
        // instantiations costs more than the memory driver's whole call.
        cancellationToken.ThrowIfCancellationRequested();
        var timeout = RentTimeout();
        var started = _time.GetTimestamp();
        var pending = Start(call, state, timeout, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            ReturnTimeout(timeout);
            _breaker.OnSuccess();
            return new ValueTask<TResult>(result);
        }

        return AwaitAsync(operation, pending, timeout, activity: null, started, measured: false, cancellationToken);
    }

    private async ValueTask<TResult> CallTracedAsync<TState, TResult>(
        string operation,
        TState state,
        Func<ISessionStore, TState, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Checked first so that a process nobody traces does not build the span's name per call.
        using var activity = ToteTelemetry.ActivitySource.HasListeners()
            ? ToteTelemetry.ActivitySource.StartActivity("tote.store." + operation, ActivityKind.Client)
            : null;
        activity?.SetTag("tote.driver", Driver);
        var started = _time.GetTimestamp();
        var timeout = RentTimeout();
        var pending = Start(call, state, timeout, cancellationToken);
        return await AwaitAsync(operation, pending, timeout, activity, started, Telemetry.MeasuresStoreDuration, cancellationToken).ConfigureAwait(false);
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
    /// Waits for a driver call under the store timeout, counted from <paramref name="started"/>
    /// (the moment the call began), then gives the timeout back and records the duration when
    /// <paramref name="measured"/>.
    /// </summary>
    private async ValueTask<TResult> AwaitAsync<TResult>(
        string operation,
        ValueTask<TResult> pending,
        CancellationTokenSource? timeout,
        Activity? activity,
        long started,
        bool measured,
        CancellationToken cancellationToken)
    {
        // The timeout runs on the injected clock so tests can drive it, on a pooled token source
        // (re-arming a timer is far cheaper than creating one per call). It is kept apart from the
        // caller's token so that a timeout and a cancelled request are reported differently.
        CancellationTokenRegistration link = default;
        try
        {
            if (!pending.IsCompleted && timeout is not null)
            {
                // Timer and link start only for a call that has to wait: in-process drivers finish
                // synchronously, and arming a timer costs more than their whole call. The deadline
                // still counts from the start of the call, and is checked again after arming in
                // case the clock moved on meanwhile. A caller cancelled in the meantime cancels at
                // once, on registration.
                ArmTimeout(timeout, started);
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
            var failure = Failure(operation, ex, timeout, activity, cancellationToken);
            if (failure is null)
            {
                throw;
            }

            throw failure;
        }
        finally
        {
            Finish(operation, timeout, measured ? started : null, link);
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

    private void Finish(string operation, CancellationTokenSource? timeout, long? started, CancellationTokenRegistration link)
    {
        if (started is { } start)
        {
            Telemetry.StoreDuration(operation, _time.GetElapsedTime(start));
        }

        link.Dispose();
        ReturnTimeout(timeout);
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

    private CancellationTokenSource? RentTimeout()
    {
        if (_timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        // Not armed yet; an infinite delay binds the source to the injected clock for CancelAfter.
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
}
