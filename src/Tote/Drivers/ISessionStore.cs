namespace Tote.Drivers;

/// <summary>
/// The storage contract every Tote driver implements: load, compare-and-swap save, delete and
/// expiry refresh of one session record by ID. Kept as small as possible so a driver is easy to
/// write and easy to verify with the conformance suite in <c>Tote.Testing</c>.
/// </summary>
/// <remarks>
/// <para>Rules every member follows:</para>
/// <list type="bullet">
/// <item>A missing, expired or malformed record is "not found", never an exception.</item>
/// <item>An exception means the store failed (unreachable, timed out, full); the session core
/// wraps it in <see cref="SessionStoreException"/> naming the driver.</item>
/// <item>A record whose <see cref="SessionRecord.ExpiresAt"/> has passed, by the driver's
/// <see cref="TimeProvider"/>, is expired: it is never returned, never refreshed, and a save
/// that expects <see cref="SessionVersion.Missing"/> may replace it.</item>
/// <item>Members are thread-safe and may be called concurrently for the same ID.</item>
/// <item>Cancelling <c>cancellationToken</c> throws <see cref="OperationCanceledException"/>;
/// the store is left either unchanged or fully changed, never half-written.</item>
/// </list>
/// </remarks>
public interface ISessionStore
{
    /// <summary>Loads a live session.</summary>
    /// <param name="id">The session ID (a lowercase UUID v4; the core never passes anything else).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The record with its current <see cref="SessionRecord.Version"/>, or <see langword="null"/>
    /// when no live, well-formed record exists under <paramref name="id"/>.
    /// </returns>
    ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="record"/> under <paramref name="id"/> if, and only if, the stored
    /// version is still <paramref name="expectedVersion"/> (compare-and-swap).
    /// </summary>
    /// <param name="id">The session ID.</param>
    /// <param name="record">The record to store; its <see cref="SessionRecord.Version"/> is ignored.</param>
    /// <param name="expectedVersion">
    /// The version the caller loaded, or <see cref="SessionVersion.Missing"/> to create a session
    /// that must not exist yet (an expired record counts as not existing).
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The new version when the record was stored; <see langword="null"/> when the stored version
    /// differs (another writer got there first, or the session was deleted or expired). A
    /// conflict is an answer, not a failure: the caller reloads and retries.
    /// </returns>
    ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session. Deleting a missing session does nothing.</summary>
    /// <param name="id">The session ID.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the session is gone.</returns>
    ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the expiry of a live session to <paramref name="expiresAt"/> without changing its
    /// data or its version, so that a read-only request keeps a session alive without
    /// conflicting with concurrent saves.
    /// </summary>
    /// <param name="id">The session ID.</param>
    /// <param name="expiresAt">The new expiry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see langword="true"/> when a live session was refreshed; <see langword="false"/> when
    /// none exists (a refresh never recreates a session).
    /// </returns>
    ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
