using System.Globalization;
using Microsoft.Extensions.Logging;
using Tote.Diagnostics;

namespace Tote.Drivers;

/// <summary>
/// Stops calling a store that keeps failing, as Polly's circuit breaker does: after
/// <see cref="FailureThreshold"/> failures in a row within <see cref="SamplingWindow"/> (closed),
/// calls fail at once for <see cref="BreakDuration"/> (open) with the last driver error; then
/// one call goes through (half-open) and its outcome closes or reopens the circuit.
/// </summary>
/// <remarks>
/// Without it, an unreachable store costs every request with a cookie the whole store timeout
/// before its 503, and a pile of waiting requests. Failures are driver exceptions and timeouts; a
/// caller's own cancellation says nothing about the store and is not counted. The closed state
/// with no failures costs two field reads per call, so the hot path stays as it was.
/// </remarks>
internal sealed class StoreCircuitBreaker
{
    /// <summary>Failures in a row that open the circuit. A success in between starts the count again.</summary>
    public const int FailureThreshold = 5;

    /// <summary>How long a run of failures may take to count as one: older failures are forgotten.</summary>
    public static readonly TimeSpan SamplingWindow = TimeSpan.FromSeconds(30);

    /// <summary>How long calls fail at once before one call tests the store again (Polly's default).</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private const int Closed = 0;
    private const int Open = 1;
    private const int HalfOpen = 2;

    private readonly Lock _lock = new();
    private readonly string _driver;
    private readonly TimeProvider _time;
    private readonly ToteTelemetry _telemetry;
    private readonly ILogger _logger;

    // Written under the lock; read without it on the hot path, hence volatile.
    private volatile int _state;
    private volatile int _failures;

    private long _streakStarted;
    private long _openedAt;
    private Exception? _lastError;
    private string _lastErrorText = string.Empty;

    public StoreCircuitBreaker(string driver, TimeProvider time, ToteTelemetry telemetry, ILogger logger)
    {
        _driver = driver;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>
    /// Before a store call: <see langword="null"/> when the call may go ahead (closed, or this is the
    /// half-open probe), else the exception to fail it with at once.
    /// </summary>
    public SessionStoreException? TryEnter(string operation)
    {
        if (_state == Closed)
        {
            return null;
        }

        lock (_lock)
        {
            if (_state == Closed)
            {
                return null;
            }

            var remaining = BreakDuration - _time.GetElapsedTime(_openedAt);
            if (_state == Open && remaining <= TimeSpan.Zero)
            {
                // This call is the probe; every other call keeps failing at once until it ends.
                _state = HalfOpen;
                return null;
            }

            _telemetry.StoreRejected(operation);

            // While the probe runs the wait is unknown; a second is a fair guess for a client.
            var retryAfter = remaining > TimeSpan.Zero ? remaining : TimeSpan.FromSeconds(1);
            return new SessionStoreException(
                _driver,
                operation,
                timedOut: false,
                string.Create(CultureInfo.InvariantCulture, $"The '{_driver}' session store keeps failing, so Tote did not attempt this {operation}; the store's last error was {_lastErrorText}. Tote tries the store again within {Math.Ceiling(retryAfter.TotalSeconds):0} s. Check that the store is running and reachable."),
                _lastError)
            {
                RetryAfter = retryAfter,
            };
        }
    }

    /// <summary>After a store call that succeeded.</summary>
    public void OnSuccess()
    {
        if (_state == Closed && _failures == 0)
        {
            return;
        }

        lock (_lock)
        {
            switch (_state)
            {
                case Closed:
                    _failures = 0;
                    break;
                case HalfOpen:
                    // As Polly: any success while half-open closes, whichever call it was.
                    _state = Closed;
                    _failures = 0;
                    Log.StoreCircuitClosed(_logger, _driver);
                    break;
                default:
                    // A call that began before the circuit opened proves little; the probe decides.
                    break;
            }
        }
    }

    /// <summary>
    /// After a store call that failed (a driver exception or a timeout). Returns how long calls will
    /// now fail at once, or <see langword="null"/> while the circuit stays closed.
    /// </summary>
    /// <param name="error">What callers that fail at once get as the inner exception.</param>
    /// <param name="errorText">The error as one line without session IDs, for messages and logs.</param>
    public TimeSpan? OnFailure(Exception error, string errorText)
    {
        lock (_lock)
        {
            _lastError = error;
            _lastErrorText = errorText;
            var now = _time.GetTimestamp();
            switch (_state)
            {
                case HalfOpen:
                    Reopen(now);
                    Log.StoreCircuitReopened(_logger, _driver, errorText, BreakDuration.TotalSeconds);
                    return BreakDuration;
                case Open:
                    return BreakDuration - _time.GetElapsedTime(_openedAt, now);
                default:
                    if (_failures == 0 || _time.GetElapsedTime(_streakStarted, now) > SamplingWindow)
                    {
                        _failures = 0;
                        _streakStarted = now;
                    }

                    if (++_failures < FailureThreshold)
                    {
                        return null;
                    }

                    Reopen(now);
                    Log.StoreCircuitOpened(_logger, _driver, FailureThreshold, errorText, BreakDuration.TotalSeconds);
                    return BreakDuration;
            }
        }
    }

    /// <summary>
    /// After a call the caller cancelled: not a failure, but if it was the probe, the next call
    /// must be allowed to test the store instead of the circuit staying half-open for good.
    /// </summary>
    public void OnCancelled()
    {
        if (_state != HalfOpen)
        {
            return;
        }

        lock (_lock)
        {
            if (_state == HalfOpen)
            {
                // The break has already run out, so the next call becomes the probe.
                _state = Open;
            }
        }
    }

    private void Reopen(long now)
    {
        _state = Open;
        _failures = 0;
        _openedAt = now;
        _telemetry.CircuitOpened();
    }
}
