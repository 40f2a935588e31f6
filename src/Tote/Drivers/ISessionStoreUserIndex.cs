namespace Tote.Drivers;

/// <summary>
/// An optional driver capability: the per-user index behind <see cref="Users.UserSessions"/>,
/// which lists the sessions a user is signed in to. Drivers that can keep it next to their
/// sessions implement it; over a driver without it, <see cref="Users.UserSessions"/> throws.
/// </summary>
/// <remarks>
/// <para>
/// The sessions are the truth, the index follows them: the core writes an entry before it stores a
/// new bound session, and removes it after deleting the session. A crash between the two writes
/// leaves at worst an entry whose session is missing, never a live session missing from the list,
/// so a driver needs no transaction across a session and its entry (on Redis Cluster they live in
/// different hash slots).
/// </para>
/// <para>
/// <see cref="ListUserSessionsAsync"/> is where the driver checks entries against its sessions:
/// it returns only entries of live sessions (stored and not expired), each with the session's own
/// current expiry, so the core needs no further store call per session. An entry whose session is
/// missing or expired is never returned; the driver removes it once its
/// <see cref="UserSessionIndexEntry.LastSeenAt"/> is older than
/// <see cref="UserSessionIndexEntry.PendingEntryGrace"/> (a younger one may belong to a sign-in
/// between its two writes, whose session is about to be stored). Entries of dead sessions must not
/// accumulate: a driver removes them when listing, and in its sweep or by an expiry of its own for
/// users nobody lists. It must never drop the entry of a live session, whatever the entry's
/// <see cref="UserSessionIndexEntry.ExpiresAt"/> says: that time can lag behind the session's.
/// </para>
/// <para>Members are thread-safe.</para>
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

    /// <summary>
    /// The entries of the user's live sessions, in no particular order; empty for an unknown user.
    /// Entries whose session is missing or expired are left out, and removed once older than
    /// <see cref="UserSessionIndexEntry.PendingEntryGrace"/>.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, each as written except <see cref="UserSessionIndexEntry.ExpiresAt"/>, which is the session's current expiry.</returns>
    ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default);
}
