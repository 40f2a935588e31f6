namespace Tote.Drivers.Memory;

/// <content>The per-user index (<see cref="ISessionStoreUserIndex"/>): a dictionary per user, under the store's one lock.</content>
internal sealed partial class MemorySessionStore
{
    private readonly Dictionary<string, Dictionary<string, UserSessionIndexEntry>> _users = new(StringComparer.Ordinal);

    // Which user lists a session, so that removing the session (delete, expiry, eviction) removes its entry at once.
    private readonly Dictionary<string, string> _userOfSession = new(StringComparer.Ordinal);

    public ValueTask SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_userOfSession.TryGetValue(entry.SessionId, out var previous) && previous != userId)
            {
                RemoveUserEntry(previous, entry.SessionId);
            }

            if (!_users.TryGetValue(userId, out var sessions))
            {
                _users[userId] = sessions = new(StringComparer.Ordinal);
            }

            sessions[entry.SessionId] = entry;
            _userOfSession[entry.SessionId] = userId;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (RemoveUserEntry(userId, sessionId))
            {
                _userOfSession.Remove(sessionId);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out var sessions))
            {
                return ValueTask.FromResult<IReadOnlyList<UserSessionIndexEntry>>([]);
            }

            var now = _time.GetUtcNow();
            var live = new List<UserSessionIndexEntry>(sessions.Count);
            List<string>? stale = null;
            foreach (var (id, entry) in sessions)
            {
                if (_sessions.TryGetValue(id, out var session) && session.ExpiresAt > now)
                {
                    live.Add(new UserSessionIndexEntry
                    {
                        SessionId = id,
                        SignedInAt = entry.SignedInAt,
                        LastSeenAt = entry.LastSeenAt,
                        ExpiresAt = session.ExpiresAt,
                        UserAgent = entry.UserAgent,
                        IpAddress = entry.IpAddress,
                    });
                }
                else if (IsPastGrace(entry, now))
                {
                    (stale ??= []).Add(id);
                }
            }

            foreach (var id in stale ?? [])
            {
                ForgetUserSession(id);
            }

            return ValueTask.FromResult<IReadOnlyList<UserSessionIndexEntry>>(live);
        }
    }

    /// <summary>The number of index entries across all users; for tests that check the index does not grow.</summary>
    internal int UserSessionEntryCount
    {
        get
        {
            lock (_gate)
            {
                return _userOfSession.Count;
            }
        }
    }

    // Caller holds the lock.
    private void ForgetUserSession(string sessionId)
    {
        if (_userOfSession.Remove(sessionId, out var userId))
        {
            RemoveUserEntry(userId, sessionId);
        }
    }

    // Caller holds the lock.
    private bool RemoveUserEntry(string userId, string sessionId)
    {
        if (!_users.TryGetValue(userId, out var sessions) || !sessions.Remove(sessionId))
        {
            return false;
        }

        if (sessions.Count == 0)
        {
            _users.Remove(userId);
        }

        return true;
    }

    /// <summary>Removes entries whose session is gone and was not about to be stored (an entry of a sign-in that failed before its save).</summary>
    private void SweepUserIndex()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var orphans = _userOfSession
                .Where(e => !_sessions.ContainsKey(e.Key) && _users.TryGetValue(e.Value, out var sessions) && sessions.TryGetValue(e.Key, out var entry) && IsPastGrace(entry, now))
                .Select(e => e.Key)
                .ToList();
            foreach (var id in orphans)
            {
                ForgetUserSession(id);
            }
        }
    }

    private static bool IsPastGrace(UserSessionIndexEntry entry, DateTimeOffset now) => entry.LastSeenAt < now - UserSessionIndexEntry.PendingEntryGrace;
}
