namespace Tote.Users;

/// <summary>
/// The sessions each user is signed in to (<see cref="Session.SignInAsync"/>): list them, sign a
/// device out, or sign a user out everywhere (after a password change, say). From DI; needs a
/// driver that keeps the per-user index (<see cref="Drivers.ISessionStoreUserIndex"/>).
/// </summary>
/// <remarks>
/// A revoked session is gone at its device's next request (no session, cookie cleared), its data
/// deleted; a request of that device already running cannot bring it back.
/// </remarks>
public sealed class UserSessions
{
    private readonly UserDirectory _directory;

    internal UserSessions(SessionRuntime runtime) => _directory = runtime.Users;

    /// <summary>The user's live sessions, most recently seen first; never an expired, destroyed or revoked one.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>The sessions; empty for a user with none.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or longer than 256 characters.</exception>
    /// <exception cref="InvalidOperationException">The driver keeps no per-user index, or the key of handles cannot be read (see <see cref="Session.Handle"/>).</exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public async ValueTask<IReadOnlyList<UserSession>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        UserDirectory.ValidateUserId(userId);
        var live = await _directory.ListLiveAsync(userId, cancellationToken).ConfigureAwait(false);
        return
        [
            .. live
                .Select(s => new UserSession(_directory.Handles.Of(s.SessionId), s.SignedInAt, s.LastSeenAt, s.ExpiresAt, s.UserAgent, s.IpAddress))
                .OrderByDescending(s => s.LastSeenAt),
        ];
    }

    /// <summary>Signs one of the user's sessions out: its data is deleted and its device has no session at its next request.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="handle">The session's handle (<see cref="UserSession.Handle"/>, <see cref="Session.Handle"/>).</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns><see langword="true"/> when the handle named a live session of the user, now revoked; <see langword="false"/> otherwise.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or longer than 256 characters.</exception>
    /// <exception cref="InvalidOperationException">The driver keeps no per-user index, or the key of handles cannot be read (see <see cref="Session.Handle"/>).</exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public async ValueTask<bool> RevokeAsync(string userId, string handle, CancellationToken cancellationToken = default)
    {
        UserDirectory.ValidateUserId(userId);
        ArgumentNullException.ThrowIfNull(handle);
        foreach (var entry in await _directory.ListLiveAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(_directory.Handles.Of(entry.SessionId), handle, StringComparison.Ordinal))
            {
                await _directory.RevokeAsync(userId, entry.SessionId, cancellationToken).ConfigureAwait(false);
                return true;
            }
        }

        return false;
    }

    /// <summary>Signs the user out of every session, or of every other one when <paramref name="exceptHandle"/> names the current device.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="exceptHandle">A session to keep (usually <see cref="Session.Handle"/>), or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>How many live sessions were revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or longer than 256 characters.</exception>
    /// <exception cref="InvalidOperationException">The driver keeps no per-user index, or the key of handles cannot be read (see <see cref="Session.Handle"/>).</exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public async ValueTask<int> RevokeAllAsync(string userId, string? exceptHandle = null, CancellationToken cancellationToken = default)
    {
        UserDirectory.ValidateUserId(userId);
        var revoked = 0;
        foreach (var entry in await _directory.ListLiveAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            if (exceptHandle is not null && string.Equals(_directory.Handles.Of(entry.SessionId), exceptHandle, StringComparison.Ordinal))
            {
                continue;
            }

            await _directory.RevokeAsync(userId, entry.SessionId, cancellationToken).ConfigureAwait(false);
            revoked++;
        }

        return revoked;
    }
}
