using Tote.Diagnostics;
using Tote.Sessions;
using Tote.Users;

namespace Tote;

/// <content>Users and devices: binding the session to a user, and its handle (DESIGN §10).</content>
public sealed partial class Session
{
    /// <summary>
    /// This session's handle: names it ("this device") without being it, for comparing with
    /// <see cref="UserSession.Handle"/> and passing to <see cref="UserSessions.RevokeAsync"/>. Safe to
    /// render and log, useless as a cookie; changes when the ID changes. Before the session is
    /// first read, the handle of the ID the client sent, so that
    /// <c>RevokeAllAsync(userId, session.Handle)</c> spares this device without loading it first
    /// (an ID that names no live session has a handle that matches no entry); <see langword="null"/>
    /// when there is no session.
    /// </summary>
    /// <remarks>
    /// Handles are computed under a key that Tote keeps in the session store, made at the first
    /// sign-in and loaded when the app starts (unless <see cref="ToteUsersOptions.HandleKey"/> is set,
    /// or the driver is <c>memory</c>: then no store is involved). If the store did not answer at
    /// startup, or held no key yet, the first asynchronous user call (<see cref="GetUserIdAsync"/>,
    /// <see cref="SignInAsync"/>, any <see cref="UserSessions"/> method) loads or makes it; until then
    /// this property throws rather than answer <see langword="null"/>, which
    /// <c>RevokeAllAsync(userId, session.Handle)</c> would take as "spare no device".
    /// </remarks>
    /// <exception cref="InvalidOperationException">
    /// The key of handles is not loaded yet (the store has not answered since the app started), or
    /// cannot be read (this instance lacks the Data Protection key it was protected with); the
    /// message says how to fix it.
    /// </exception>
    public string? Handle => (_loaded.State == SessionState.Unresolved ? _cookie.Candidate : Id) is { } id ? _runtime.Users.Handles.Of(id) : null;

    /// <summary>
    /// Signs the session in as <paramref name="userId"/>: <see cref="RegenerateAsync"/> (a new ID,
    /// the data kept, the old ID deleted) plus binding the session to the user, who then sees it
    /// in <see cref="UserSessions.ListAsync"/>. Records the <c>User-Agent</c> (and the IP address
    /// when <see cref="ToteUsersOptions.RecordIpAddress"/> is on); beyond
    /// <see cref="ToteUsersOptions.MaxSessionsPerUser"/>, revokes the user's least recently seen
    /// sessions. Commits at once. Signing in as another user moves the session to that user.
    /// </summary>
    /// <param name="userId">A short, stable key of the user (at most 256 characters), such as a database ID.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>A task that completes when the session is stored, bound, under its new ID.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    /// <exception cref="InvalidOperationException">The response has started, so the new cookie cannot be sent.</exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">The key of handles cannot be read (see <see cref="Handle"/>).</exception>
    public async ValueTask SignInAsync(string userId, CancellationToken cancellationToken = default)
    {
        UserDirectory.ValidateUserId(userId);
        EnsureCanSendCookie();

        // First, so that a session is never signed in on an instance that cannot name its handle.
        var handles = await _runtime.Users.LoadHandlesAsync(cancellationToken).ConfigureAwait(false);
        // No key TTL, not even ToteOptions.DefaultKeyTtl: the binding lives exactly as long as the session.
        SetCore(UserBinding.Key, _user.NewBinding(userId, _context), expires: null);
        await RegenerateAsync(cancellationToken).ConfigureAwait(false);
        if (_loaded.State != SessionState.Existing)
        {
            return; // the session ended under this request; RegenerateAsync dropped the changes
        }

        if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            Log.SignedIn(_runtime.Logger, handles.Of(_loaded.Id!)); // the handle is a keyed hash: computed only for a log that is on
        }

        // DESIGN §12: ToteEvents.OnSignedIn is raised here, after the save, with the handle and user ID.
        await _runtime.Users.EnforceLimitAsync(userId, _loaded.Id!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user this session is signed in as (<see cref="SignInAsync"/>); <see langword="null"/> when none.</summary>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The user ID, or <see langword="null"/>.</returns>
    /// <remarks>Also waits for the key of handles, so that <see cref="Handle"/> can be read after it.</remarks>
    /// <exception cref="SessionStoreException">The store failed while loading the session or the key of handles.</exception>
    /// <exception cref="InvalidOperationException">The key of handles cannot be read (see <see cref="Handle"/>).</exception>
    public async ValueTask<string?> GetUserIdAsync(CancellationToken cancellationToken = default)
    {
        await _runtime.Users.LoadHandlesAsync(cancellationToken).ConfigureAwait(false);
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return UserBinding.Read(Find(UserBinding.Key))?.UserId;
    }
}
