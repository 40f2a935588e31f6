using Microsoft.Extensions.Logging;
using Tote.Diagnostics;

namespace Tote.Drivers;

/// <summary>
/// Reports the evictions of a bounded store (memory, fs): every eviction is counted
/// (<c>tote.sessions.evicted</c>), and a Warning says so at most once a minute with the numbers
/// since the last one, so that a flood of new sessions cannot also flood the log.
/// </summary>
internal sealed class SessionEvictions
{
    /// <summary>The <c>tote.eviction.segment</c> of sessions used once (created and never used again).</summary>
    public const string Probation = "probation";

    /// <summary>The <c>tote.eviction.segment</c> of returning visitors' sessions.</summary>
    public const string Protected = "protected";

    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly string _driver;
    private readonly string _bound;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ToteTelemetry? _telemetry;
    private readonly Lock _gate = new();
    private long _unreportedProbation;
    private long _unreportedProtected;
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;

    /// <param name="driver">The driver's name, for the log line and the counter.</param>
    /// <param name="bound">The options that bound the store, as an operator would set them.</param>
    /// <param name="time">The app's clock, which paces the warnings.</param>
    /// <param name="logger">Where the warning goes.</param>
    /// <param name="telemetry">Where evictions are counted; <see langword="null"/> outside an app (store tests).</param>
    public SessionEvictions(string driver, string bound, TimeProvider time, ILogger logger, ToteTelemetry? telemetry)
    {
        _driver = driver;
        _bound = bound;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>Records evictions; call it outside the store's own lock, since it may log.</summary>
    public void Evicted(int probation, int @protected)
    {
        if (probation == 0 && @protected == 0)
        {
            return;
        }

        if (probation > 0)
        {
            _telemetry?.Evicted(probation, Probation);
        }

        if (@protected > 0)
        {
            _telemetry?.Evicted(@protected, Protected);
        }

        long reportProbation, reportProtected;
        lock (_gate)
        {
            _unreportedProbation += probation;
            _unreportedProtected += @protected;
            var now = _time.GetUtcNow();
            if (now < _nextWarning)
            {
                return;
            }

            _nextWarning = now + WarningInterval;
            (reportProbation, reportProtected) = (_unreportedProbation, _unreportedProtected);
            (_unreportedProbation, _unreportedProtected) = (0, 0);
        }

        Log.SessionsEvicted(_logger, _driver, _bound, reportProbation, reportProtected);
    }
}
