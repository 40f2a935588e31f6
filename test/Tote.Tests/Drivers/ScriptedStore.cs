using System.Collections.Concurrent;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Testing;

namespace Tote.Tests.Drivers;

/// <summary>
/// A memory driver that records its calls and can be told to fail or hang, to test how the
/// session core behaves when the store misbehaves.
/// </summary>
internal sealed class ScriptedStore : ISessionStore
{
    private readonly ConcurrentQueue<string> _calls = new();

    public ScriptedStore(TimeProvider? time = null)
    {
        Inner = new MemorySessionStore(new MemorySessionStoreOptions(), time ?? TestClock.Create());
    }

    public MemorySessionStore Inner { get; }

    /// <summary>Calls in order, as "operation id".</summary>
    public List<string> Calls
    {
        get
        {
            var list = _calls.ToList();
            return list;
        }
    }

    /// <summary>When set, the named operations ("load", "save", …) throw this.</summary>
    public Exception? Failure { get; set; }

    public HashSet<string> FailingOperations { get; } = [];

    /// <summary>When set, the named operations wait until cancelled.</summary>
    public HashSet<string> HangingOperations { get; } = [];

    /// <summary>Completes when a hanging operation starts waiting.</summary>
    public TaskCompletionSource Hung { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs before each save reaches the inner store.</summary>
    public Func<string, Task>? BeforeSave { get; set; }

    public void ClearCalls() => _calls.Clear();

    public async ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        await EnterAsync("load", id, cancellationToken);
        return await Inner.LoadAsync(id, cancellationToken);
    }

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        await EnterAsync("save", id, cancellationToken);
        if (BeforeSave is { } before)
        {
            await before(id);
        }

        return await Inner.SaveAsync(id, record, expectedVersion, cancellationToken);
    }

    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await EnterAsync("delete", id, cancellationToken);
        await Inner.DeleteAsync(id, cancellationToken);
    }

    public async ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await EnterAsync("refresh", id, cancellationToken);
        return await Inner.RefreshAsync(id, expiresAt, cancellationToken);
    }

    private async Task EnterAsync(string operation, string id, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"{operation} {id}");
        if (FailingOperations.Contains(operation))
        {
            throw Failure ?? new IOException("The test store is down.");
        }

        if (HangingOperations.Contains(operation))
        {
            Hung.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
