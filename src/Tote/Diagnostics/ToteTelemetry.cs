using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tote.Diagnostics;

/// <summary>
/// The meter <c>Tote</c> and the activity source <c>Tote</c>, with instrument names following
/// OpenTelemetry conventions. Every instrument carries the driver name as <c>tote.driver</c>.
/// </summary>
internal sealed class ToteTelemetry
{
    public const string Name = "Tote";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _created;
    private readonly Counter<long> _loaded;
    private readonly Counter<long> _saved;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _destroyed;
    private readonly Counter<long> _regenerated;
    private readonly Counter<long> _corrupt;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _storeErrors;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _evicted;
    private readonly Counter<long> _unreadable;
    private readonly KeyValuePair<string, object?> _driverTag;
    private readonly Counter<long> _circuitOpened;
    private readonly Counter<long> _storeRejected;

    public ToteTelemetry(IMeterFactory meterFactory, string driver)
    {
        var meter = meterFactory.Create(Name);
        _driverTag = new("tote.driver", driver);
        _created = meter.CreateCounter<long>("tote.sessions.created", "{session}", "Sessions created.");
        _loaded = meter.CreateCounter<long>("tote.sessions.loaded", "{session}", "Sessions loaded from the store.");
        _saved = meter.CreateCounter<long>("tote.sessions.saved", "{session}", "Session saves that reached the store.");
        _conflicts = meter.CreateCounter<long>("tote.sessions.conflicts", "{conflict}", "Compare-and-swap conflicts that were merged and retried.");
        _destroyed = meter.CreateCounter<long>("tote.sessions.destroyed", "{session}", "Sessions destroyed.");
        _regenerated = meter.CreateCounter<long>("tote.sessions.regenerated", "{session}", "Sessions regenerated under a new ID.");
        _corrupt = meter.CreateCounter<long>("tote.sessions.corrupt", "{session}", "Stored sessions found corrupt and removed.");
        _dropped = meter.CreateCounter<long>("tote.sessions.dropped", "{save}", "Saves dropped because the session ended while a request was using it.");
        _storeErrors = meter.CreateCounter<long>("tote.store.errors", "{error}", "Store calls that failed or timed out.");
        _storeDuration = meter.CreateHistogram<double>(
            "tote.store.duration",
            "s",
            "Duration of store calls.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _evicted = meter.CreateCounter<long>("tote.sessions.evicted", "{session}", "Live sessions evicted because the store was at its bound.");
        _circuitOpened = meter.CreateCounter<long>("tote.store.circuit.opened", "{break}", "Times store calls began failing at once because the store kept failing.");
        _storeRejected = meter.CreateCounter<long>("tote.store.rejected", "{call}", "Store calls not attempted because the store kept failing; they failed at once.");
        _unreadable = meter.CreateCounter<long>("tote.values.unreadable", "{value}", "Typed reads of stored values that did not fit their type and were dropped.");
    }

    public void Created() => _created.Add(1, _driverTag);

    public void Loaded() => _loaded.Add(1, _driverTag);

    public void Saved() => _saved.Add(1, _driverTag);

    public void ConflictRetried() => _conflicts.Add(1, _driverTag);

    public void Destroyed() => _destroyed.Add(1, _driverTag);

    public void Regenerated() => _regenerated.Add(1, _driverTag);

    /// <summary>
    /// Counts a stored record refused at load; <paramref name="problem"/> goes out as
    /// <c>tote.record.problem</c>: <c>malformed</c> (not a devalue session record, or over the
    /// codec's limits) or <c>too_large</c> (longer than <c>Tote:MaxSessionSize</c>, refused unread).
    /// </summary>
    public void Corrupt(string problem) => _corrupt.Add(1, _driverTag, new("tote.record.problem", problem));

    /// <summary>Counts a stored value dropped because it did not fit the type it was read as.</summary>
    public void Unreadable() => _unreadable.Add(1, _driverTag);

    public void Dropped() => _dropped.Add(1, _driverTag);

    public void StoreError(string operation) => _storeErrors.Add(1, _driverTag, new("tote.store.operation", operation));

    /// <summary>Whether anyone listens to <c>tote.store.duration</c>; when nobody does, calls are not timed (each clock read costs).</summary>
    public bool MeasuresStoreDuration => _storeDuration.Enabled;

    public void StoreDuration(string operation, TimeSpan elapsed)
        => _storeDuration.Record(elapsed.TotalSeconds, _driverTag, new("tote.store.operation", operation));

    /// <summary>
    /// Counts live sessions a bounded store evicted; <paramref name="segment"/> (<c>probation</c> for
    /// sessions used once, <c>protected</c> for returning visitors) goes out as <c>tote.eviction.segment</c>.
    /// </summary>
    public void Evicted(long count, string segment)
        => _evicted.Add(count, _driverTag, new("tote.eviction.segment", segment));
    public void CircuitOpened() => _circuitOpened.Add(1, _driverTag);

    public void StoreRejected(string operation) => _storeRejected.Add(1, _driverTag, new("tote.store.operation", operation));
}
