using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Sessions;

namespace Tote.Users;

/// <summary>
/// The per-user index as the core uses it, shared by <see cref="UserSessions"/> and the sessions'
/// <c>UserBinding</c>: handles, entries checked against the store, revocation. One per app, on
/// <see cref="SessionRuntime.Users"/>.
/// </summary>
internal sealed class UserDirectory
{
    /// <summary>Longest user agent an entry keeps; longer ones are cut.</summary>
    public const int MaxUserAgentLength = 256;

    /// <summary>Longest user ID: it becomes part of a store key in the drivers that keep the index.</summary>
    public const int MaxUserIdLength = 256;

    private readonly SessionRuntime _runtime;
    private readonly HandleKeyRecord? _keyRecord;
    private readonly Lock _loadGate = new();
    private volatile SessionHandles? _handles;
    private Task<SessionHandles>? _loading;

    public UserDirectory(SessionRuntime runtime, ToteUsersOptions options, IDataProtectionProvider? protection)
    {
        _runtime = runtime;
        Options = options;
        if (options.HandleKey is { } configured)
        {
            _handles = SessionHandles.FromConfiguredKey(configured);
        }
        else if (runtime.Store.IsInProcess)
        {
            // The in-process store's sessions die with the process, and so may their handles.
            _handles = SessionHandles.FromKey(RandomNumberGenerator.GetBytes(32));
        }
        else
        {
            _keyRecord = new HandleKeyRecord(runtime.Store, protection, runtime.Time);
        }
    }

    public ToteUsersOptions Options { get; }

    /// <summary>
    /// The handles, once their key is loaded (at once with <see cref="ToteUsersOptions.HandleKey"/> or
    /// the memory driver; else at startup, or by <see cref="LoadHandlesAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The key is not loaded yet, or cannot be read.</exception>
    public SessionHandles Handles => _handles ?? throw NotLoaded();

    /// <summary>The handles when their key is loaded; <see langword="null"/> before (for log lines, which must not fail).</summary>
    public SessionHandles? LoadedHandles => _handles;

    /// <summary>
    /// The handles, loading their key from the store the first time (<see cref="HandleKeyRecord"/>).
    /// One load at a time; a load that failed because the store did is tried again by the next
    /// caller, one that found the key unreadable is not (that needs a configuration change and a restart).
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">The stored key cannot be read.</exception>
    public ValueTask<SessionHandles> LoadHandlesAsync(CancellationToken cancellationToken)
    {
        if (_handles is { } handles)
        {
            return new ValueTask<SessionHandles>(handles);
        }

        Task<SessionHandles> loading;
        lock (_loadGate)
        {
            if (_loading is null || (_loading.IsFaulted && _loading.Exception.InnerException is SessionStoreException) || _loading.IsCanceled)
            {
                // Not bound to this caller's token: other callers wait on the same load (the store timeout bounds it).
                _loading = LoadKeyAsync();
            }

            loading = _loading;
        }

        return new ValueTask<SessionHandles>(loading.WaitAsync(cancellationToken));
    }

    private async Task<SessionHandles> LoadKeyAsync()
    {
        var handles = SessionHandles.FromKey(await _keyRecord!.LoadOrCreateAsync(CancellationToken.None).ConfigureAwait(false));
        _handles = handles;
        return handles;
    }

    private InvalidOperationException NotLoaded()
    {
        Task<SessionHandles>? loading;
        lock (_loadGate)
        {
            loading = _loading;
        }

        if (loading is { IsFaulted: true, Exception.InnerException: InvalidOperationException unreadable })
        {
            return new InvalidOperationException(unreadable.Message, unreadable);
        }

        return new InvalidOperationException(
            $"Session.Handle needs the key of session handles, which Tote loads from the '{_runtime.Store.Driver}' session store and has not loaded yet (the store has not answered since the app started). Await an asynchronous user call first, such as session.GetUserIdAsync(), which waits for the key; or set Tote:Users:HandleKey, which needs no store.");
    }

    public bool HasIndex => _runtime.Store.HasUserIndex;

    public static void ValidateUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > MaxUserIdLength)
        {
            throw new ArgumentException($"A user ID must be at most {MaxUserIdLength} characters; this one has {userId.Length}. Bind the session to a short, stable key of the user (a database ID), not to a name or a token.", nameof(userId));
        }
    }

    /// <summary>Throws unless the driver keeps the index: without it there is nothing to list or revoke by user.</summary>
    public void RequireIndex()
    {
        if (!HasIndex)
        {
            throw new InvalidOperationException(
                $"The '{_runtime.Store.Driver}' session driver keeps no per-user index (it does not implement ISessionStoreUserIndex), so UserSessions cannot list or revoke a user's sessions. Use a driver that keeps one (memory today), or do without UserSessions; Session.SignInAsync still binds sessions to users.");
        }
    }

    /// <summary>
    /// The user's live sessions. The driver checks its entries against its sessions (see
    /// <see cref="ISessionStoreUserIndex.ListUserSessionsAsync"/>), so this costs one store call
    /// whatever the number of sessions.
    /// </summary>
    public async ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListLiveAsync(string userId, CancellationToken cancellationToken)
    {
        RequireIndex();
        await LoadHandlesAsync(cancellationToken).ConfigureAwait(false);
        return await _runtime.Store.ListUserSessionsAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a session of the user: its data first, then its entry, so a crash in between leaves
    /// at worst a stale entry. A request of that device in flight cannot bring it back: the save
    /// loop never recreates a deleted session, and a refresh never revives one.
    /// </summary>
    public async ValueTask RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        await _runtime.Store.DeleteAsync(sessionId, cancellationToken).ConfigureAwait(false);
        await _runtime.Store.RemoveUserSessionAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
        _runtime.Store.Telemetry.Destroyed();
        Log.SessionRevoked(_runtime.Logger, Handles.Of(sessionId)); // loaded: every caller listed the user's sessions first

        // DESIGN §12: ToteEvents.OnRevoked is raised here, with the handle and user ID (never the session ID).
    }

    /// <summary>Writes a bound session's entry: before its first save under a new ID, and after each expiry slide.</summary>
    public ValueTask WriteEntryAsync(string sessionId, UserBinding.Bound bound, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var entry = new UserSessionIndexEntry
        {
            SessionId = sessionId,
            SignedInAt = bound.SignedInAt,
            LastSeenAt = _runtime.Expiry.Now,
            ExpiresAt = expiresAt,
            UserAgent = bound.UserAgent,
            IpAddress = bound.IpAddress,
        };
        return Completion(_runtime.Store.SetUserSessionAsync(bound.UserId, entry, cancellationToken));
    }

    public ValueTask RemoveEntryAsync(string userId, string sessionId, CancellationToken cancellationToken)
        => Completion(_runtime.Store.RemoveUserSessionAsync(userId, sessionId, cancellationToken));

    /// <summary>
    /// After a sign-in: revokes the user's least recently seen sessions beyond
    /// <see cref="ToteUsersOptions.MaxSessionsPerUser"/>, never <paramref name="currentId"/>.
    /// </summary>
    /// <remarks>
    /// Concurrent sign-ins each enforce the limit on what they list. They rank sessions in one
    /// order (last seen, then signed in, then ID) and revoke only those beyond the limit in it, so
    /// the newest <c>MaxSessionsPerUser</c> sessions are never revoked, whoever lists first: two
    /// sign-ins can no longer sign each other out. Sessions a concurrent sign-in saved after this
    /// listing are left to that sign-in's own enforcement.
    /// </remarks>
    public async ValueTask EnforceLimitAsync(string userId, string currentId, CancellationToken cancellationToken)
    {
        if (Options.MaxSessionsPerUser is not { } max || !HasIndex)
        {
            return;
        }

        var live = await ListLiveAsync(userId, cancellationToken).ConfigureAwait(false);
        if (live.Count <= max)
        {
            return;
        }

        var beyond = live
            .OrderByDescending(s => s.LastSeenAt)
            .ThenByDescending(s => s.SignedInAt)
            .ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
            .Skip(max)
            .Where(s => s.SessionId != currentId);
        foreach (var entry in beyond)
        {
            await RevokeAsync(userId, entry.SessionId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask Completion(ValueTask<bool> pending) => await pending.ConfigureAwait(false);
}
