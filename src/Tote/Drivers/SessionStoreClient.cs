using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tote.Diagnostics;

namespace Tote.Drivers;

/// <summary>
/// How the session core calls a driver: each call gets the store timeout, a trace span, a
/// duration measurement, and turns a driver failure into a <see cref="SessionStoreException"/>
/// naming the driver. A caller's own cancellation passes through as <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class SessionStoreClient
{
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private const int MaxPooledTimeouts = 64;

    private readonly TimeSpan _timeout;
    private readonly ConcurrentQueue<CancellationTokenSource> _timeouts = new();

    public SessionStoreClient(ISessionStore store, string driver, TimeSpan timeout, TimeProvider time, ToteTelemetry telemetry)
    {
        _store = store;
        Driver = driver;
        _timeout = timeout;
        _time = time;
        Telemetry = telemetry;
    }

    public string Driver { get; }

    public ToteTelemetry Telemetry { get; }

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken)
        => CallAsync("load", id, static (store, id, ct) => store.LoadAsync(id, ct), cancellationToken);

    /// <summary>
    /// Loads, and slides the idle expiry in the same store call when the driver can
    /// (<see cref="ISessionStoreSlidingLoader"/>); otherwise a plain load.
    /// </summary>
    public ValueTask<SessionRecord?> LoadAndSlideAsync(string id, TimeSpan idleTimeout, TimeSpan absoluteTimeout, CancellationToken cancellationToken)
        => _store is ISessionStoreSlidingLoader
            ? CallAsync("load", (id, idleTimeout, absoluteTimeout), static (store, s, ct) => ((ISessionStoreSlidingLoader)store).LoadAndSlideAsync(s.id, s.idleTimeout, s.absoluteTimeout, ct), cancellationToken)
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

    private async ValueTask<TResult> CallAsync<TState, TResult>(
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
        var measured = Telemetry.MeasuresStoreDuration;
        var started = measured ? _time.GetTimestamp() : 0;

        // The timeout runs on the injected clock so tests can drive it, on a pooled token source
        // (re-arming a timer is far cheaper than creating one per call). It is kept apart from the
        // caller's token so that a timeout and a cancelled request are reported differently.
        var timeout = RentTimeout();
        CancellationTokenRegistration link = default;
        try
        {
            var pending = call(_store, state, timeout?.Token ?? cancellationToken);
            if (!pending.IsCompleted && timeout is not null)
            {
                // Timer and link start only for a call that has to wait: in-process drivers finish
                // synchronously, and arming a timer costs more than their whole call. The deadline
                // counts from the start of the call when the call is timed for the duration metric
                // anyway, else from when the driver handed back its pending task (a clock read is
                // not free, and the driver's synchronous start waits on nothing); it is checked
                // again after arming, in case the clock moved on meanwhile. A caller cancelled in
                // the meantime cancels at once, on registration.
                ArmTimeout(timeout, measured ? started : _time.GetTimestamp());
                if (cancellationToken.CanBeCanceled)
                {
                    link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
                }
            }

            return await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            Telemetry.StoreError(operation);
            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            throw new SessionStoreException(
                Driver,
                operation,
                timedOut: true,
                string.Create(CultureInfo.InvariantCulture, $"The '{Driver}' session store did not finish a {operation} within {_timeout.TotalSeconds:0.###} s (ToteOptions.StoreTimeout). Check that the store is reachable and not overloaded."),
                ex);
        }
        catch (Exception ex) when (ex is not SessionStoreException)
        {
            Telemetry.StoreError(operation);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw new SessionStoreException(
                Driver,
                operation,
                timedOut: false,
                $"The '{Driver}' session store failed during a {operation} ({ex.GetType().Name}). See the inner exception for the driver's error, and check the store's health.",
                ex);
        }
        finally
        {
            if (measured)
            {
                Telemetry.StoreDuration(operation, _time.GetElapsedTime(started));
            }

            link.Dispose();
            ReturnTimeout(timeout);
        }
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
