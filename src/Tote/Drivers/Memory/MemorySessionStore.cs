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
internal sealed class MemorySessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator, IDisposable
{
    public const string DriverName = "memory";

    // Strict decoding: bytes that are not valid UTF-8 are a malformed record, which reads as "not found".
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly MemorySessionStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ITimer? _sweeper;
    private long _bytes;
    private long _lastVersion;

    public MemorySessionStore(MemorySessionStoreOptions options, TimeProvider time, ILogger? logger = null)
    {
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        if (options.SweepInterval > TimeSpan.Zero && options.SweepInterval != Timeout.InfiniteTimeSpan)
        {
            _sweeper = time.CreateTimer(static s => ((MemorySessionStore)s!).Sweep(), this, options.SweepInterval, options.SweepInterval);
        }
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
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = GetLive(id);
            if (entry is null)
            {
                return ValueTask.FromResult<SessionRecord?>(null);
            }

            if (entry.IsDamaged)
            {
                Remove(id, entry);
                return ValueTask.FromResult<SessionRecord?>(null);
            }

            // The record itself: records are immutable, and a refresh swaps in a new one, so a load
            // copies and allocates nothing (the text is the very string the core saved).
            return ValueTask.FromResult<SessionRecord?>(entry.Record);
        }
    }

    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
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

        lock (_gate)
        {
            var current = GetLive(id);
            if (!Matches(current, expectedVersion))
            {
                return ValueTask.FromResult<SessionVersion?>(null);
            }

            if (current is not null)
            {
                Remove(id, current);
            }

            MakeRoom(bytes);
            var version = new SessionVersion((++_lastVersion).ToString(CultureInfo.InvariantCulture));
            var entry = new Entry(
                new SessionRecord { Data = record.Data, CreatedAt = record.CreatedAt, ExpiresAt = record.ExpiresAt, Version = version, IsWrittenByTote = record.IsWrittenByTote },
                bytes);
            _sessions[id] = entry;
            _bytes += bytes;
            return ValueTask.FromResult<SessionVersion?>(version);
        }
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
            entry.Record = new SessionRecord { Data = record.Data, CreatedAt = record.CreatedAt, ExpiresAt = expiresAt, Version = record.Version, IsWrittenByTote = record.IsWrittenByTote };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sweep());
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

    public void Dispose() => _sweeper?.Dispose();

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
    private void Remove(string id, Entry entry)
    {
        _sessions.Remove(id);
        _bytes -= entry.Bytes;
    }

    // Caller holds the lock. Evicts in batches of a tenth, so that a flood of new sessions costs
    // one sort per batch rather than one scan per session.
    private void MakeRoom(long incomingBytes)
    {
        if (Fits(incomingBytes))
        {
            return;
        }

        Sweep();
        if (Fits(incomingBytes))
        {
            return;
        }

        var evicted = 0;
        var batch = Math.Max(1, _sessions.Count / 10);
        foreach (var (id, entry) in _sessions.OrderBy(s => s.Value.ExpiresAt).ToList())
        {
            if (evicted >= batch && Fits(incomingBytes))
            {
                break;
            }

            Remove(id, entry);
            evicted++;
        }

        Log.MemoryStoreEvicted(_logger, evicted);
    }

    private bool Fits(long incomingBytes)
        => _sessions.Count < _options.MaxSessions && _bytes + incomingBytes <= _options.MaxBytes;

    private sealed class Entry(SessionRecord record, long bytes)
    {
        /// <summary>What a load returns; replaced, never changed, when the expiry moves.</summary>
        public SessionRecord Record { get; set; } = record;

        public long Bytes { get; } = bytes;

        public DateTimeOffset ExpiresAt => Record.ExpiresAt;

        public SessionVersion Version => Record.Version;

        public bool IsDamaged { get; set; }
    }
}
