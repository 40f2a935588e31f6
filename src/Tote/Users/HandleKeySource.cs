using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Tote.Users;

/// <summary>
/// Where the key of session handles comes from, and whether it is loaded: the configured
/// <see cref="ToteUsersOptions.HandleKey"/>; else random bits per process over the in-process
/// <c>memory</c> driver, whose sessions (and so their handles) die with the process; else the
/// store's record (<see cref="HandleKeyRecord"/>), loaded once.
/// </summary>
internal sealed class HandleKeySource
{
    private readonly HandleKeyRecord? _record;
    private readonly string _driver;
    private readonly Lock _gate = new();
    private volatile SessionHandles? _handles;

    // The load in progress or done: null result when the store held no key and none was made.
    private Task<SessionHandles?>? _loading;

    public HandleKeySource(ToteUsersOptions options, SessionRuntime runtime, IDataProtectionProvider? protection)
    {
        _driver = runtime.Store.Driver;
        if (options.HandleKey is { } configured)
        {
            _handles = SessionHandles.FromConfiguredKey(configured);
        }
        else if (runtime.Store.IsInProcess)
        {
            _handles = SessionHandles.FromKey(RandomNumberGenerator.GetBytes(32));
        }
        else
        {
            _record = new HandleKeyRecord(runtime.Store, protection, runtime.Time);
        }
    }

    /// <summary>Whether the key lives in the store (neither configured nor per process).</summary>
    public bool IsStored => _record is not null;

    /// <summary>The handles when their key is loaded, else <see langword="null"/>.</summary>
    public SessionHandles? Loaded => _handles;

    /// <summary>The handles; throws when their key is not loaded yet or cannot be read.</summary>
    /// <exception cref="InvalidOperationException">The key is not loaded yet, or cannot be read; the message says what to do.</exception>
    public SessionHandles Current => _handles ?? throw NotLoaded();

    /// <summary>
    /// The handles, loading their key from the store the first time, or making it when the store
    /// holds none. One load at a time, not bound to any caller's token (the store timeout bounds
    /// it); a load that failed because the store did is tried again by the next caller, one that
    /// found the key unreadable is not (that takes a configuration change and a restart).
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">The stored key cannot be read.</exception>
    public ValueTask<SessionHandles> LoadAsync(CancellationToken cancellationToken)
        => _handles is { } handles ? new ValueTask<SessionHandles>(handles) : LoadSlowAsync(cancellationToken);

    /// <summary>
    /// At startup: loads the key when the store holds one, making none, so that an app that never
    /// signs anyone in writes nothing; one store call, which doubles as the check that the store answers.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">The stored key cannot be read.</exception>
    public Task PreloadAsync(CancellationToken cancellationToken) => Start(create: false).WaitAsync(cancellationToken);

    private async ValueTask<SessionHandles> LoadSlowAsync(CancellationToken cancellationToken)
    {
        // Twice at most: a startup load that found no key ends with null, and the next load makes one.
        while (true)
        {
            if (await Start(create: true).WaitAsync(cancellationToken).ConfigureAwait(false) is { } handles)
            {
                return handles;
            }
        }
    }

    private Task<SessionHandles?> Start(bool create)
    {
        lock (_gate)
        {
            if (_loading is null
                || _loading.IsCanceled
                || _loading is { IsFaulted: true, Exception.InnerException: SessionStoreException }
                || (create && _loading is { IsCompletedSuccessfully: true, Result: null }))
            {
                _loading = LoadFromStoreAsync(create);
            }

            return _loading;
        }
    }

    private async Task<SessionHandles?> LoadFromStoreAsync(bool create)
    {
        if (await _record!.LoadAsync(create, CancellationToken.None).ConfigureAwait(false) is not { } key)
        {
            return null;
        }

        var handles = SessionHandles.FromKey(key);
        _handles = handles;
        return handles;
    }

    private InvalidOperationException NotLoaded()
    {
        Task<SessionHandles?>? loading;
        lock (_gate)
        {
            loading = _loading;
        }

        if (loading is { IsFaulted: true, Exception.InnerException: InvalidOperationException unreadable })
        {
            return new InvalidOperationException(unreadable.Message, unreadable);
        }

        return new InvalidOperationException(
            $"Session.Handle needs the key of session handles, which Tote keeps in the '{_driver}' session store and has not loaded yet: the store did not answer when the app started, or held no key yet (one is made at the first sign-in). Await an asynchronous user call first, such as session.GetUserIdAsync(), which waits for the key; or set Tote:Users:HandleKey, which needs no store.");
    }
}
