using StackExchange.Redis;
using Tote.Drivers;

namespace Tote.Redis;

/// <content>
/// The per-user index (<see cref="ISessionStoreUserIndex"/>): one hash per user
/// (<see cref="RedisSessionKeys.User"/>), field = session ID, value = the entry
/// (<see cref="RedisUserIndexEntries"/>). On a Cluster the hash and the sessions it lists live in
/// different slots, usually on different primaries, so nothing here is atomic across them: the
/// core's write order (entry before the session's first save, session deleted before its entry)
/// makes a crash between two steps leave at worst an entry without a session, which listing hides
/// and then removes.
/// </content>
internal sealed partial class RedisSessionStore
{
    private static readonly long RetentionMilliseconds = (long)RedisUserIndexScripts.Retention.TotalMilliseconds;

    /// <summary>One round trip: the <see cref="RedisUserIndexScripts.Set"/> script on the user's hash.</summary>
    public async ValueTask SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        await Database.ScriptEvaluateAsync(
            RedisUserIndexScripts.Set,
            [_keys.User(userId)],
            [Milliseconds(_time.GetUtcNow()), entry.SessionId, RedisUserIndexEntries.Encode(entry), Milliseconds(entry.ExpiresAt), RetentionMilliseconds])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One round trip: <c>HDEL</c>. Redis removes the hash with its last field.</summary>
    public async ValueTask RemoveUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        await Database.HashDeleteAsync(_keys.User(userId), sessionId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Two round trips, three when something is to be cleaned, whatever the number of entries:
    /// <c>HGETALL</c> of the user's hash; then, in one pipelined batch (sent to every primary
    /// that holds one of the sessions), <c>PTTL</c> of each session's value and <c>MGET</c> of its
    /// metadata, read as the load script reads them; then, only when needed, one
    /// <see cref="RedisUserIndexScripts.Clean"/> script that removes the entries of dead sessions
    /// past <see cref="UserSessionIndexEntry.PendingEntryGrace"/> and heals entries whose
    /// session slid past the expiry they were written with.
    /// </summary>
    public async ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        var database = Database;
        var key = _keys.User(userId);
        var fields = await database.HashGetAllAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return [];
        }

        // Sent together, answered together: one round trip however many primaries hold the sessions.
        var batch = database.CreateBatch();
        var checks = new (Task<RedisResult> Ttl, Task<RedisValue[]> Metadata)[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            var id = (string)fields[i].Name!;
            checks[i] = (batch.ExecuteAsync("PTTL", _keys.Value(id)), batch.StringGetAsync([_keys.Metadata(id)]));
        }

        batch.Execute();
        await Task.WhenAll(checks.SelectMany(c => new Task[] { c.Ttl, c.Metadata })).WaitAsync(cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var nowMs = Milliseconds(now);
        var live = new List<UserSessionIndexEntry>(fields.Length);
        List<RedisValue>? changes = null;
        var latestHealed = long.MinValue;
        for (var i = 0; i < fields.Length; i++)
        {
            var (id, stored) = ((string)fields[i].Name!, fields[i].Value);
            var entry = RedisUserIndexEntries.TryDecode(id, stored);
            var expires = CurrentExpiry((long)(await checks[i].Ttl.ConfigureAwait(false)), (await checks[i].Metadata.ConfigureAwait(false))[0], nowMs);
            if (entry is null)
            {
                // Not an entry Tote wrote: nothing to show, so nothing to keep.
                (changes ??= []).AddRange([id, stored, RedisValue.EmptyString]);
            }
            else if (expires is { } current)
            {
                var listed = WithExpiry(entry, current);
                live.Add(listed);
                if (current > Milliseconds(entry.ExpiresAt))
                {
                    // The session slid while its entry's rewrite failed: the entry follows now, so
                    // the hash's TTL and a sign-in's pruning (by the entry's own expiry) spare it.
                    (changes ??= []).AddRange([id, stored, RedisUserIndexEntries.Encode(listed)]);
                    latestHealed = Math.Max(latestHealed, current);
                }
            }
            else if (entry.LastSeenAt < now - UserSessionIndexEntry.PendingEntryGrace)
            {
                (changes ??= []).AddRange([id, stored, RedisValue.EmptyString]);
            }
        }

        if (changes is not null)
        {
            var target = latestHealed == long.MinValue ? 0 : Math.Clamp(latestHealed - nowMs + RetentionMilliseconds, 1, RedisSessionMetadata.MaxKeyTtl);
            await database.ScriptEvaluateAsync(RedisUserIndexScripts.Clean, [key], [target, .. changes])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return live;
    }

    /// <summary>
    /// The session's expiry in epoch milliseconds as the load script would answer it without a
    /// slide (<see cref="RedisScripts.Load"/>), or <see langword="null"/> when it would find none.
    /// </summary>
    /// <param name="ttl">The value key's <c>PTTL</c>: -2 when it is missing, -1 without a TTL.</param>
    /// <param name="metadata">The metadata string, or none.</param>
    /// <param name="now">Now, in epoch milliseconds.</param>
    private long? CurrentExpiry(long ttl, RedisValue metadata, long now)
    {
        if (ttl == -2)
        {
            return null;
        }

        if (RedisSessionMetadata.TryParse(metadata, out var created, out var expires))
        {
            // Damaged times: the next load removes the session.
            return RedisSessionMetadata.HoldsDates(created, expires) && expires > now ? expires : null;
        }

        // Written by another app (Astro): live while its key is, adopted with the idle timeout when it has no TTL.
        return Math.Min(now + (ttl > 0 ? ttl : (long)_idleTimeout.TotalMilliseconds), RedisSessionMetadata.MaxTime);
    }

    private static UserSessionIndexEntry WithExpiry(UserSessionIndexEntry entry, long expires) => new()
    {
        SessionId = entry.SessionId,
        SignedInAt = entry.SignedInAt,
        LastSeenAt = entry.LastSeenAt,
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires),
        UserAgent = entry.UserAgent,
        IpAddress = entry.IpAddress,
    };
}
