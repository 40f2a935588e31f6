using Tote.Drivers;

namespace Tote.Tests.Shared;

/// <summary>
/// A decorator over a real driver that counts the calls reaching it, so a test can say "this
/// request made no store call" without a metric listener (which switches the store client onto
/// its traced path) or a mock. It exposes only <see cref="ISessionStore"/>: the core treats it as
/// a plain driver, so wrap one whose optional capabilities (sliding loads, sweeping) the test does
/// not rely on. Register it with <c>UseStore</c>; it disposes the driver it wraps.
/// </summary>
internal sealed class CountingSessionStore(ISessionStore inner) : ISessionStore, IAsyncDisposable
{
    private int _loads;
    private int _saves;
    private int _deletes;
    private int _refreshes;

    public int Loads => Volatile.Read(ref _loads);

    public int Saves => Volatile.Read(ref _saves);

    public int Deletes => Volatile.Read(ref _deletes);

    public int Refreshes => Volatile.Read(ref _refreshes);

    /// <summary>Every call so far, of any kind.</summary>
    public int Calls => Loads + Saves + Deletes + Refreshes;

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _loads);
        return inner.LoadAsync(id, cancellationToken);
    }

    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _saves);
        return inner.SaveAsync(id, record, expectedVersion, cancellationToken);
    }

    public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        return inner.DeleteAsync(id, cancellationToken);
    }

    public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _refreshes);
        return inner.RefreshAsync(id, expiresAt, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        return ValueTask.CompletedTask;
    }
}
