using Tote.Diagnostics;
using Tote.Sessions;

namespace Tote;

/// <content>The session's life: a new ID, ending it, switching to another, saving early; and the end of the request.</content>
public sealed partial class Session
{
    /// <summary>
    /// Moves the session to a new ID, keeping its data, and re-issues the cookie; the old ID is
    /// deleted only after the data is stored under the new one. Call it at sign-in and on any
    /// privilege change, against session fixation. Commits at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>A task that completes when the session is stored under its new ID.</returns>
    /// <exception cref="InvalidOperationException">The response has started, so the new cookie cannot be sent.</exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public async ValueTask RegenerateAsync(CancellationToken cancellationToken = default)
    {
        EnsureCanSendCookie();
        RegisterForResponse(); // for the new cookie
        var loadedEarlier = _loaded.State == SessionState.Existing;
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        if (_loaded.State != SessionState.Existing)
        {
            if (_loaded.State == SessionState.Absent)
            {
                BecomeFresh();
            }

            _loaded.MoveToNewId();
            await SaveCoreAsync(forceWrite: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        var oldId = _loaded.Id!;
        if (loadedEarlier)
        {
            // Start from the latest stored state so that what concurrent requests saved since moves along too.
            var latest = await _loaded.LoadVerifiedAsync(oldId, cancellationToken).ConfigureAwait(false);
            if (latest is not { } found)
            {
                DropChanges();
                return;
            }

            _loaded.Adopt(found);
        }

        _user.Ending(oldId, _loaded.Entries); // a bound session's old entry goes with its old ID
        _loaded.MoveToNewId();
        _cookie.Issue();
        await SaveCoreAsync(forceWrite: true, cancellationToken, countAsCreated: false).ConfigureAwait(false);
        if (_loaded.State != SessionState.Existing)
        {
            return;
        }

        await _runtime.Store.DeleteAsync(oldId, cancellationToken).ConfigureAwait(false);
        await _user.DeletedAsync(oldId, cancellationToken).ConfigureAwait(false);
        _runtime.Store.Telemetry.Regenerated();
        Log.SessionRegenerated(_runtime.Logger, new SessionIdHash(oldId), new SessionIdHash(_loaded.Id));
    }

    /// <summary>
    /// Ends the session: the stored session is deleted at save and the cookie expired. Works
    /// without loading the session. A later <c>Set</c> in the same request starts a fresh
    /// session with a fresh ID.
    /// </summary>
    public void Destroy()
    {
        var target = _loaded.State == SessionState.Unresolved ? _cookie.Candidate : _loaded.Id;
        if (target is not null)
        {
            if (_loaded.State == SessionState.Existing)
            {
                _user.Ending(target, _loaded.Entries); // its entry goes after the session (unloaded: listing removes it)
            }

            _changes.DeleteAtSave(target);
            RegisterForResponse();
        }

        EndAndClearCookie();
    }

    /// <summary>
    /// Switches this request to the existing session <paramref name="id"/>, discarding unsaved
    /// changes, and re-issues the cookie for it. Never adopts an ID the store does not hold.
    /// </summary>
    /// <param name="id">The session ID to switch to.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>
    /// <see langword="true"/> when the session exists and is now this request's session;
    /// <see langword="false"/> when the ID is malformed, unknown or expired, leaving a fresh
    /// empty session (a later <c>Set</c> gets a new ID).
    /// </returns>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public async ValueTask<bool> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        Forget();
        if (id is null || !Cookies.SessionIds.IsWellFormed(id))
        {
            return false;
        }

        var loaded = await _loaded.LoadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
        if (loaded is not { } found)
        {
            return false;
        }

        _loaded.BecomeExisting(id, found);
        _cookie.Issue();
        RegisterForResponse();
        return true;
    }

    /// <summary>
    /// Saves staged changes now rather than at the end of the request (which happens anyway).
    /// Deletes destroyed sessions, merges changed keys onto the latest stored state, and
    /// refreshes the expiry of a session that was only read.
    /// </summary>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>A task that completes when the store has the changes.</returns>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public ValueTask SaveAsync(CancellationToken cancellationToken = default)
        => SaveCoreAsync(forceWrite: false, cancellationToken);

    /// <summary>Whether anything on this session was used during the request.</summary>
    internal bool IsTouched => _response?.IsHooked == true || _loaded.State != SessionState.Unresolved || _changes.Any || _changes.HasDeletes;

    /// <summary>Whether a save has something to write or delete.</summary>
    internal bool HasUnsavedChanges => _changes.Any || _changes.HasDeletes;

    /// <summary>The ID of the session as stored after the save, for the cookie; <see langword="null"/> when there is none.</summary>
    internal string? StoredId => _loaded.State == SessionState.Existing ? _loaded.Id : null;

    /// <summary>Presets the client's ID; used where there is no request (benchmarks, tests).</summary>
    internal void UseCandidate(string? id) => _cookie.Preset(id);

    /// <summary>
    /// Gives the buffers of the records this request parsed back to the shared pool, once the
    /// request is over. The session stays usable: a record is parsed again if it is read later.
    /// </summary>
    internal void ReleaseParsedRecords() => _loaded.ReleaseParsedRecords();

    /// <summary>Marks the request as failed: nothing is saved.</summary>
    internal void Abandon(bool becauseOfException = true)
    {
        _response?.Abandon();
        if (becauseOfException)
        {
            Log.SaveSkippedAfterException(_runtime.Logger);
        }
    }

    /// <summary>
    /// Finishes the session after the endpoint returned: saves whatever the response start did
    /// not (changes made after the response started, or a response that has not started yet).
    /// </summary>
    /// <param name="failed">
    /// The request ended in an unhandled exception (and <see cref="ToteOptions.SaveOnUnhandledException"/>
    /// is set): save, but drop the body the endpoint left, which an error response replaces.
    /// </param>
    internal Task CompleteAsync(bool failed = false)
        => _context is not null && IsTouched && (_response is not null || OwesResponseAnything()) ? Response.CompleteAsync(failed) : Task.CompletedTask;

    // A request that only read its session hooked nothing, and owes the response nothing unless
    // the expiry became due to slide while it ran: it then needs no response side at all.
    private bool OwesResponseAnything()
        => HasUnsavedChanges
            || _cookie.HasDecision
            || (_loaded.State == SessionState.Existing && _runtime.Expiry.IsSlideDue(_loaded.CreatedAt, _loaded.ExpiresAt, _runtime.Expiry.Now));

    /// <summary>
    /// The end-of-request save found the session over <see cref="ToteOptions.MaxSessionSize"/>:
    /// changes staged before the session was loaded (a <c>Set</c> in middleware, say) could not be
    /// measured when they were made, and no exception can reach the code that made them now. The
    /// stored session stays as it was and the request answers as it would have; never a 500.
    /// </summary>
    internal void DropOversizedChanges(SessionTooLargeException ex)
    {
        Log.OversizedChangesDropped(_runtime.Logger, new SessionIdHash(_loaded.Id), string.Join(", ", _changes.Keys), ex.Size, ex.Limit);
        _runtime.Store.Telemetry.Dropped();
        _changes.DropChanges();
    }

    private SessionResponse Response => _response ??= new SessionResponse(this, _cookie, _context!, _runtime);

    /// <summary>This request owes the response a save (and maybe a cookie): hook it in front of the response start.</summary>
    private void RegisterForResponse()
    {
        if (_context is not null)
        {
            Response.Hook();
        }
    }

    /// <summary>
    /// Forgets the session for this request: no ID, no entries, and no staged changes unless
    /// <paramref name="keepStaged"/> (they then go to the fresh session a caller starts next).
    /// Sessions to delete stay.
    /// </summary>
    private void Forget(bool keepStaged = false)
    {
        _loaded.BecomeAbsent();
        _cookie.ForgetCandidate();
        if (!keepStaged)
        {
            _changes.Discard();
        }
    }

    /// <summary>The session has ended for this client: forget it and expire the cookie, sending no new one.</summary>
    private void EndAndClearCookie(bool keepStaged = false)
    {
        Forget(keepStaged);
        _cookie.Clear();
    }
}
