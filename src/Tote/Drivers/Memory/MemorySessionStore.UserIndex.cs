namespace Tote.Drivers.Memory;

/// <content>The per-user index (<see cref="ISessionStoreUserIndex"/>): a dictionary per user, under the store's one lock.</content>
internal sealed partial class MemorySessionStore
{
    // How long an entry may point to a session not stored yet: the core writes the entry just
    // before the session's first save, so a sweep in between must not take it.
    private static readonly TimeSpan UnsavedEntryGrace = TimeSpan.FromMinutes(1);

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
            IReadOnlyList<UserSessionIndexEntry> entries = _users.TryGetValue(userId, out var sessions) ? [.. sessions.Values] : [];
            return ValueTask.FromResult(entries);
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
            var stale = _time.GetUtcNow() - UnsavedEntryGrace;
            var orphans = _userOfSession
                .Where(e => !_sessions.ContainsKey(e.Key) && _users.TryGetValue(e.Value, out var sessions) && sessions.TryGetValue(e.Key, out var entry) && entry.LastSeenAt < stale)
                .Select(e => e.Key)
                .ToList();
            foreach (var id in orphans)
            {
                ForgetUserSession(id);
            }
        }
    }
}
