using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Tote.Diagnostics;

namespace Tote.Drivers.DistributedCache;

/// <summary>
/// The <c>distributed-cache</c> driver: sessions in whatever <see cref="IDistributedCache"/> the
/// app registered, one <see cref="RecordEnvelope"/> per entry under <c>tote:{id}</c>, expiring
/// with the session. <see cref="IDistributedCache"/> has no conditional write, so this driver
/// checks the version before writing but cannot make check and write one step: two saves racing
/// on one session both succeed and the last writer wins. It says so at startup.
/// </summary>
internal sealed class DistributedCacheSessionStore : ISessionStore
{
    public const string DriverName = "distributed-cache";

    private const string KeyPrefix = "tote:";

    // Longer than any session lives, and far enough from the end of the calendar that a cache
    // whose clock runs ahead of the app's can still add it to its own now.
    private static readonly TimeSpan MaxEntryLifetime = TimeSpan.FromDays(100 * 365);

    private readonly IDistributedCache _cache;
    private readonly TimeProvider _time;

    public DistributedCacheSessionStore(IDistributedCache cache, TimeProvider time)
    {
        _cache = cache;
        _time = time;
    }

    public async ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = await _cache.GetAsync(KeyPrefix + id, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordEnvelope.ReadLive(bytes, _time.GetUtcNow());
    }

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var current = await LoadAsync(id, cancellationToken).ConfigureAwait(false);

        // A best-effort check: it catches stale and deleted sessions, but not a write landing between it and ours.
        if (expectedVersion.IsMissing ? current is not null : current?.Version != expectedVersion)
        {
            return null;
        }

        var version = RecordEnvelope.NewVersion();
        await WriteAsync(id, RecordEnvelope.Write(record, version), record.ExpiresAt, cancellationToken).ConfigureAwait(false);
        return version;
    }

    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _cache.RemoveAsync(KeyPrefix + id, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var current = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return false;
        }

        await WriteAsync(id, RecordEnvelope.WriteRefreshed(current, expiresAt), expiresAt, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task WriteAsync(string id, byte[] bytes, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Relative to the injected clock, which the cache's own clock need not agree with; the
        // envelope's expiry is what counts, the cache's is only its cleanup.
        var lifetime = expiresAt - _time.GetUtcNow();
        return _cache.SetAsync(
            KeyPrefix + id,
            bytes,
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime > TimeSpan.Zero ? (lifetime < MaxEntryLifetime ? lifetime : MaxEntryLifetime) : TimeSpan.FromSeconds(1) },
            cancellationToken);
    }
}
