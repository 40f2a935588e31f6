namespace Tote.Drivers.FileSystem;

/// <summary>
/// One async gate per session ID with writers waiting, created on first use and dropped when its
/// last writer leaves, so idle sessions cost nothing. Waiters are served in arrival order.
/// </summary>
internal sealed class SessionWriterTurns
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    public async ValueTask<IDisposable> TakeAsync(string id, CancellationToken cancellationToken)
    {
        Turn turn;
        lock (_gate)
        {
            if (!_turns.TryGetValue(id, out turn!))
            {
                turn = new Turn(this, id);
                _turns.Add(id, turn);
            }

            turn.Users++;
        }

        try
        {
            await turn.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(turn);
            throw;
        }

        return new Held(turn);
    }

    private void Leave(Turn turn)
    {
        lock (_gate)
        {
            if (--turn.Users == 0)
            {
                _turns.Remove(turn.Id);
                turn.Semaphore.Dispose();
            }
        }
    }

    private sealed class Turn(SessionWriterTurns owner, string id)
    {
        public SessionWriterTurns Owner { get; } = owner;

        public string Id { get; } = id;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Writers holding or waiting for the turn; guarded by the owner's lock.</summary>
        public int Users { get; set; }
    }

    /// <summary>A held turn; disposing it twice releases it once.</summary>
    private sealed class Held(Turn turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Semaphore.Release();
                turn.Owner.Leave(turn);
            }
        }
    }
}
