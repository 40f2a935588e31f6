namespace Tote.Drivers;

/// <summary>
/// An optional driver capability: removing expired sessions in bulk. Drivers whose storage
/// does not expire records by itself (memory, files, SQL tables) implement it and sweep on a timer.
/// </summary>
public interface ISessionStoreSweeper
{
    /// <summary>Removes every session whose expiry has passed.</summary>
    /// <param name="cancellationToken">Cancels the sweep; what was removed stays removed.</param>
    /// <returns>The number of sessions removed.</returns>
    ValueTask<int> SweepAsync(CancellationToken cancellationToken = default);
}
