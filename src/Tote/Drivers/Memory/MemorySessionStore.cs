using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Diagnostics;

namespace Tote.Drivers.Memory;

/// <summary>
/// The <c>memory</c> driver: sessions in a dictionary guarded by one lock, which is also how
/// compare-and-swap is done. Bounded by session count and bytes, swept on a timer.
/// </summary>
/// <remarks>
/// Admission is a segmented LRU: a new session enters <em>probation</em>; one that is loaded,
/// saved or refreshed again moves to <em>protected</em>. When the store is at its bound it evicts
/// the oldest probationary session first and the least recently used protected one only when
/// probation is empty, so a flood of one-request sessions (a bot posting without a cookie)
/// evicts only its own kind and returning visitors keep theirs. Both segments are linked
/// lists, so admission and eviction cost O(1) per call.
/// </remarks>
internal sealed partial class MemorySessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator, IInProcessSessionStore, ISessionStoreUserIndex
{
    public const string DriverName = "memory";

    // Strict decoding: bytes that are not valid UTF-8 are a malformed record, which reads as "not found".
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly MemorySessionStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Segment _probation = new();
    private readonly Segment _protected = new();
    private readonly SessionEvictions _evictions;
    private long _bytes;
    private long _lastVersion;
    private int _savesUntilSweepWhenFull;

    public MemorySessionStore(MemorySessionStoreOptions options, TimeProvider time, ILogger? logger = null, ToteTelemetry? telemetry = null)
    {
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _evictions = new SessionEvictions(
            DriverName,
            string.Create(CultureInfo.InvariantCulture, $"Tote:Memory:MaxSessions {options.MaxSessions}, Tote:Memory:MaxBytes {options.MaxBytes}"),
            time,
            _logger,
            telemetry);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Load(id, cancellationToken)?.Record);

    public ValueTask<StoreLoad?> LoadWithProvenanceAsync(string id, CancellationToken cancellationToken)
        => ValueTask.FromResult(Load(id, cancellationToken) is { } entry ? new StoreLoad(entry.Record, Slid: false, entry.WrittenByCore) : (StoreLoad?)null);

    private Entry? Load(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = GetLive(id);
            if (entry is null)
            {
                return null;
            }

            if (entry.IsDamaged)
            {
                Remove(id, entry);
                return null;
            }

            Touch(entry);

            // The record itself: records are immutable, and a refresh swaps in a new one, so a load
            // copies and allocates nothing (the text is the very string the core saved).
            return entry;
        }
    }

    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Save(id, record, expectedVersion, writtenByCore: false, cancellationToken));

    public ValueTask<SessionVersion?> SaveWrittenByCoreAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken)
        => ValueTask.FromResult(Save(id, record, expectedVersion, writtenByCore: true, cancellationToken));

    private SessionVersion? Save(string id, SessionRecord record, SessionVersion expectedVersion, bool writtenByCore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        // Counted as UTF-8, as every other store would hold it; strict, so text that could not be
        // stored anywhere else (a lone surrogate) fails here too.
        long bytes = StrictUtf8.GetByteCount(record.Data);
        if (bytes > _options.MaxBytes)
        {
            throw new InvalidOperationException(
                $"A session of {bytes} bytes cannot fit in the memory store, which holds at most {_options.MaxBytes} bytes (MemorySessionStoreOptions.MaxBytes).");
        }

        SessionVersion version;
        (int Probation, int Protected) evicted;
        lock (_gate)
        {
            var current = GetLive(id);
            if (!Matches(current, expectedVersion))
            {
                return null;
            }

            if (current is not null)
            {
                Remove(id, current, replaced: true);
            }

            evicted = MakeRoom(bytes);
            version = new SessionVersion((++_lastVersion).ToString(CultureInfo.InvariantCulture));
            var entry = new Entry(
                id,
                new SessionRecord { Data = record.Data, CreatedAt = record.CreatedAt, ExpiresAt = record.ExpiresAt, Version = version },
                bytes)
            {
                WrittenByCore = writtenByCore,
            };
            _sessions[id] = entry;
            _bytes += bytes;

            // A save of a session that was stored already is its visitor coming back.
            (current is null ? _probation : _protected).AddLast(entry);
        }

        _evictions.Evicted(evicted.Probation, evicted.Protected);
        return version;
    }

    public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_sessions.TryGetValue(id, out var entry))
            {
                Remove(id, entry);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = GetLive(id);
            if (entry is null)
            {
                return ValueTask.FromResult(false);
            }

            var record = entry.Record;
            entry.Record = new SessionRecord { Data = record.Data, CreatedAt = record.CreatedAt, ExpiresAt = expiresAt, Version = record.Version };
            Touch(entry);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>How often the hosted service sweeps this store (<see cref="MemorySessionStoreOptions.SweepInterval"/>).</summary>
    public TimeSpan SweepInterval => _options.SweepInterval;

    public ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var removed = Sweep();
        SweepUserIndex();
        return ValueTask.FromResult(removed);
    }

    public async IAsyncEnumerable<string> GetSessionIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] ids;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            ids = [.. _sessions.Where(s => s.Value.ExpiresAt > now).Select(s => s.Key)];
        }

        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Test hook: marks a stored record damaged, as a bug would leave it (records in memory are
    /// immutable strings, so nothing else can damage one); it then reads as not found.
    /// </summary>
    internal void Damage(string id)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(id, out var entry))
            {
                entry.IsDamaged = true;
            }
        }
    }

    private static bool Matches(Entry? current, SessionVersion expected)
        => expected.IsMissing ? current is null : current is not null && current.Version == expected;

    private int Sweep()
    {
        lock (_gate)
        {
            _savesUntilSweepWhenFull = Math.Max(1, _sessions.Count / 10);
            var now = _time.GetUtcNow();
            var expired = _sessions.Where(s => s.Value.ExpiresAt <= now).ToList();
            foreach (var (id, entry) in expired)
            {
                Remove(id, entry);
            }

            return expired.Count;
        }
    }

    // Caller holds the lock. An expired entry is removed on sight: it must never be returned or refreshed.
    private Entry? GetLive(string id)
    {
        if (!_sessions.TryGetValue(id, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt <= _time.GetUtcNow())
        {
            Remove(id, entry);
            return null;
        }

        return entry;
    }

    // Caller holds the lock.
    private void Remove(string id, Entry entry, bool replaced = false)
    {
        _sessions.Remove(id);
        _bytes -= entry.Bytes;
        entry.Segment?.Remove(entry);
        if (!replaced)
        {
            ForgetUserSession(id); // the session is gone: so is its place in its user's list
        }
    }

    // Caller holds the lock. A use after the one that created the session promotes it; a use of
    // a protected session makes it the most recently used.
    private void Touch(Entry entry)
    {
        entry.Segment?.Remove(entry);
        _protected.AddLast(entry);
    }

    // Caller holds the lock. Expired sessions should go before live ones, but a sweep scans every
    // session: while full, it sweeps once per (session count / 10) saves, so a flood of new
    // sessions pays O(1) amortized instead of a scan per save. Otherwise it evicts probation's
    // oldest, then protected's least recently used, one at a time. The incoming session is not
    // in a segment yet, so it is never its own victim.
    private (int Probation, int Protected) MakeRoom(long incomingBytes)
    {
        if (Fits(incomingBytes))
        {
            return default;
        }

        if (--_savesUntilSweepWhenFull <= 0)
        {
            Sweep();
        }

        var probation = 0;
        var @protected = 0;
        while (!Fits(incomingBytes))
        {
            var victim = _probation.First ?? _protected.First;
            if (victim is null)
            {
                break;
            }

            if (victim.Segment == _probation)
            {
                probation++;
            }
            else
            {
                @protected++;
            }

            Remove(victim.Id, victim);
        }

        return (probation, @protected);
    }

    private bool Fits(long incomingBytes)
        => _sessions.Count < _options.MaxSessions && _bytes + incomingBytes <= _options.MaxBytes;
}
