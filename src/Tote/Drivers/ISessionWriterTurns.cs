namespace Tote.Drivers;

/// <summary>
/// An internal driver capability: in-process writers of one session take turns around their
/// whole load, merge and compare-and-swap, rather than only around the swap.
/// </summary>
/// <remarks>
/// Without turns, N requests that change one session at once race in rounds: each round one
/// swap lands and every other writer, holding the version that just went stale, fails, reloads
/// and races again, so the last writer needs about N attempts and a burst larger than the
/// core's attempt limit answers 503. A driver whose swap is slow enough for such rounds to
/// form (fs: a file lock, a read and a rename) offers turns; a writer that holds its turn fails
/// its swap at most once (when a writer before it changed the session), reloads, and lands.
/// Other processes are still kept apart by the driver's own compare-and-swap.
/// </remarks>
internal interface ISessionWriterTurns
{
    /// <summary>Waits until no other writer in this process holds <paramref name="id"/>'s turn, then holds it until disposed.</summary>
    /// <param name="id">The session ID.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held turn; disposing it lets the next writer go.</returns>
    ValueTask<IDisposable> TakeTurnAsync(string id, CancellationToken cancellationToken);
}
