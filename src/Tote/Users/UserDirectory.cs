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
    private readonly HandleKeySource _handleKey;

    public UserDirectory(SessionRuntime runtime, ToteUsersOptions options, IDataProtectionProvider? protection)
    {
        _runtime = runtime;
        Options = options;
        _handleKey = new HandleKeySource(options, runtime, protection);
    }

    public ToteUsersOptions Options { get; }

    /// <summary>The handles; their key is loaded at startup, or by <see cref="LoadHandlesAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The key is not loaded yet, or cannot be read.</exception>
    public SessionHandles Handles => _handleKey.Current;

    /// <summary>The handles when their key is loaded; <see langword="null"/> before (for log lines, which must not fail).</summary>
    public SessionHandles? LoadedHandles => _handleKey.Loaded;

    /// <summary>The handles, loading their key the first time (see <see cref="HandleKeySource.LoadAsync"/>); every async user call awaits it.</summary>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">The stored key cannot be read.</exception>
    public ValueTask<SessionHandles> LoadHandlesAsync(CancellationToken cancellationToken) => _handleKey.LoadAsync(cancellationToken);

    /// <summary>The key of handles, as the app's start sees it (see <see cref="HandleKeySource"/>).</summary>
    public HandleKeySource HandleKey => _handleKey;

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
                $"The '{_runtime.Store.Driver}' session driver keeps no per-user index (it does not implement ISessionStoreUserIndex), so UserSessions cannot list or revoke a user's sessions. Use a driver that keeps one (fs, memory, redis, sqlite, postgres), or do without UserSessions; Session.SignInAsync still binds sessions to users.");
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
        if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            Log.SessionRevoked(_runtime.Logger, Handles.Of(sessionId)); // loaded: every caller listed the user's sessions first
        }

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
