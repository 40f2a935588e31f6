namespace Tote.Drivers;

/// <summary>
/// An optional driver capability: the per-user index behind <see cref="Users.UserSessions"/>,
/// which lists the sessions a user is signed in to. Drivers that can keep it next to their
/// sessions implement it; over a driver without it, <see cref="Users.UserSessions"/> throws.
/// </summary>
/// <remarks>
/// <para>
/// The index is a hint, the sessions are the truth: the core writes an entry before it stores a
/// new bound session and removes it after deleting the session, and checks every listed entry
/// against the store, so a crash between the two writes leaves at worst a stale entry (removed
/// at the next listing), never a live session missing from the list. A driver therefore needs no
/// transaction across a session and its index entry (on Redis Cluster they may live in different
/// hash slots).
/// </para>
/// <para>
/// Members are thread-safe. A driver may drop entries whose session no longer exists (in its
/// sweep, say), but must not drop the entry of a live session, whatever the entry's
/// <see cref="UserSessionIndexEntry.ExpiresAt"/> says: that time can lag behind the session's.
/// </para>
/// </remarks>
public interface ISessionStoreUserIndex
{
    /// <summary>Adds the entry of a session to a user's list, or replaces the entry with the same <see cref="UserSessionIndexEntry.SessionId"/>.</summary>
    /// <param name="userId">The user the session is bound to.</param>
    /// <param name="entry">The session's entry.</param>
    /// <param name="cancellationToken">Cancels the call; the list is then unchanged or fully changed.</param>
    /// <returns>A task that completes when the entry is stored.</returns>
    ValueTask SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes a session from a user's list; removing a missing entry does nothing.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session's ID.</param>
    /// <param name="cancellationToken">Cancels the call; the list is then unchanged or fully changed.</param>
    /// <returns>A task that completes when the entry is gone.</returns>
    ValueTask RemoveUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The entries of a user's sessions, in no particular order; empty for an unknown user.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries as stored; the core checks each against the store.</returns>
    ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default);
}
