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
    /// moves its stored expiry to <see cref="SlidingExpiration.ExpiryAt"/> when
    /// <see cref="SlidingExpiration.IsDue"/> (it moves by at least
    /// <see cref="SlidingExpiration.MinimumSlide"/>, so a burst of reads costs one write).
    /// Data and version never change.
    /// </summary>
    /// <param name="id">The session ID.</param>
    /// <param name="expiration">The slide rule: idle timeout, absolute lifetime and minimum slide, from the core.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The record and whether this call moved its expiry, or <see langword="null"/> when no live,
    /// well-formed record exists.
    /// </returns>
    ValueTask<SlidingLoadResult?> LoadAndSlideAsync(string id, SlidingExpiration expiration, CancellationToken cancellationToken = default);
}
