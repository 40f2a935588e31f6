namespace Tote.Drivers;

/// <summary>
/// An optional driver capability: loading a session and sliding its idle expiry in one store
/// call, so that a request that only reads costs one round trip. Drivers that talk to a server
/// (Redis, PostgreSQL) implement it; the session core then calls it instead of
/// <see cref="ISessionStore.LoadAsync"/> followed, now and then, by <see cref="ISessionStore.RefreshAsync"/>.
/// </summary>
public interface ISessionStoreSlidingLoader
{
    /// <summary>
    /// Loads a live session, as <see cref="ISessionStore.LoadAsync"/> does, and in the same call
    /// moves its expiry to <see cref="SlidingExpiration.ExpiryAt"/> of its creation time and now
    /// when <see cref="SlidingExpiration.IsDue"/> says so (the throttle the core applies to
    /// <see cref="ISessionStore.RefreshAsync"/>, so a burst of reads costs one write). Data and
    /// version never change.
    /// </summary>
    /// <param name="id">The session ID.</param>
    /// <param name="expiration">The idle timeout, absolute lifetime and least slide, from the core's options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The record, whose <see cref="SessionRecord.ExpiresAt"/> is the expiry in force after the
    /// call, with whether this call moved it; or <see langword="null"/> when no live, well-formed
    /// record exists.
    /// </returns>
    ValueTask<SlidingLoadResult?> LoadAndSlideAsync(string id, SlidingExpiration expiration, CancellationToken cancellationToken = default);
}
