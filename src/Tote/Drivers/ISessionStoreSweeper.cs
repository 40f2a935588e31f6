namespace Tote.Drivers;

/// <summary>
/// An optional driver capability: removing expired sessions in bulk. Drivers whose storage
/// does not expire records by itself (memory, files, SQL tables) implement it; Tote's hosted
/// service then calls <see cref="SweepAsync"/> every <see cref="SweepInterval"/> while the app runs.
/// </summary>
public interface ISessionStoreSweeper
{
    /// <summary>
    /// How often the store wants sweeping, on the app's <see cref="TimeProvider"/>; positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for a store that is only swept on demand. Read once,
    /// when the app starts.
    /// </summary>
    TimeSpan SweepInterval { get; }

    /// <summary>Removes every session whose expiry has passed.</summary>
    /// <param name="cancellationToken">Cancels the sweep; what was removed stays removed.</param>
    /// <returns>The number of sessions removed.</returns>
    ValueTask<int> SweepAsync(CancellationToken cancellationToken = default);
}
