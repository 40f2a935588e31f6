using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Sessions;

namespace Tote;

/// <content>The save: pending deletes, then the compare-and-swap loop, or an expiry refresh for a session that was only read.</content>
public sealed partial class Session
{
    // Each conflict means another request made progress, so the loop always ends; the bound
    // only turns a misbehaving driver into an error instead of a spin.
    private const int MaxSaveAttempts = 100;

    private async ValueTask SaveCoreAsync(bool forceWrite, CancellationToken cancellationToken, bool countAsCreated = true)
    {
        // Deleted before anything new is written, so a Set after Destroy never lands on the old ID.
        foreach (var id in _changes.PendingDeletes)
        {
            await _runtime.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            await _user.DeletedAsync(id, cancellationToken).ConfigureAwait(false);
            _changes.Deleted(id);
            _runtime.Store.Telemetry.Destroyed();
            Log.SessionDestroyed(_runtime.Logger, new SessionIdHash(id));
        }

        if (!_changes.Any && !forceWrite)
        {
            if (_loaded.State == SessionState.Existing)
            {
                await RefreshIfDueAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_loaded.State == SessionState.Unresolved)
        {
            await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_loaded.State == SessionState.Absent)
        {
            return; // the session ended and nothing was staged after that
        }

        // Writers of one stored session in this process take turns through load, merge and swap
        // when the driver offers it (see ISessionWriterTurns): a writer that waited then fails
        // its swap at most once and lands on the retry, instead of racing every other waiter
        // round after round. A fresh session has a new random ID: nobody to wait for.
        using var turn = _loaded.State == SessionState.Existing && _runtime.Store.WriterTurns is { } turns
            ? await turns.TakeTurnAsync(_loaded.Id!, cancellationToken).ConfigureAwait(false)
            : null;
        for (var attempt = 1; ; attempt++)
        {
            if (await TrySwapAsync(countAsCreated, cancellationToken).ConfigureAwait(false))
            {
                Log.SessionSaved(_runtime.Logger, new SessionIdHash(_loaded.Id), attempt);
                return;
            }

            if (attempt >= MaxSaveAttempts)
            {
                throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false,
                    $"The session was still changing after {MaxSaveAttempts} save attempts; giving up rather than spinning. Check the '{_runtime.Store.Driver}' driver's compare-and-swap.", innerException: null);
            }

            _runtime.Store.Telemetry.ConflictRetried();
            Log.SaveConflict(_runtime.Logger, new SessionIdHash(_loaded.Id));
            var latest = await _loaded.LoadVerifiedAsync(_loaded.Id!, cancellationToken).ConfigureAwait(false);
            if (latest is not { } found)
            {
                // Destroyed, regenerated or expired since this request loaded it: never recreate it.
                DropChanges();
                return;
            }

            _loaded.Adopt(found);
        }
    }

    /// <summary>
    /// One round of the loop: composes the record from the latest stored state and this request's
    /// changes, and stores it if the stored version is still the one it was composed from.
    /// </summary>
    /// <returns><see langword="false"/> on a conflict: another request saved first.</returns>
    private async ValueTask<bool> TrySwapAsync(bool countAsCreated, CancellationToken cancellationToken)
    {
        var now = _runtime.Expiry.Now;
        var nowMilliseconds = now.ToUnixTimeMilliseconds();
        var limit = _runtime.Options.MaxSessionSize;
        var entries = _changes.Compose(_loaded.Entries, nowMilliseconds);
        var data = _changes.WriteRecord(_loaded.Entries, entries, nowMilliseconds, limit, out var expanded);
        if (data.Length > limit || expanded > limit)
        {
            var changed = _changes.Keys;
            throw new SessionTooLargeException(
                changed.Count == 1 ? changed[0] : null,
                Math.Max(data.Length, expanded),
                limit,
                $"The session would be {(data.Length > limit ? data.Length + " characters" : "more than " + limit + " characters once values it shares are counted every time they are used")}, over the limit of {limit} (ToteOptions.MaxSessionSize); changed keys: {string.Join(", ", changed)}. Store less in the session, or raise the limit.");
        }

        var fresh = _loaded.State == SessionState.Fresh;

        // A save slides the expiry as a read does, once the slide is due: a store then need not
        // rewrite its expiry (Redis keeps its metadata key untouched), and a Max-Age cookie is
        // re-sent only when the expiry it mirrors has moved.
        var next = _runtime.Expiry.ExpiryAt(_loaded.CreatedAt, now);
        var slides = fresh || _runtime.Expiry.IsSlideDue(_loaded.CreatedAt, _loaded.ExpiresAt, now) || next < _loaded.ExpiresAt;
        var record = new SessionRecord { Data = data, CreatedAt = _loaded.CreatedAt, ExpiresAt = slides ? next : _loaded.ExpiresAt };
        if (fresh)
        {
            // The index entry first: a crash before the save leaves a stale entry, never a live session off the user's list.
            await _user.BeforeCreateAsync(_loaded.Id!, entries, record.ExpiresAt, cancellationToken).ConfigureAwait(false);
        }

        var saved = await _runtime.Store.SaveAsync(_loaded.Id!, record, fresh ? SessionVersion.Missing : _loaded.Version, cancellationToken).ConfigureAwait(false);
        if (saved is not { } version)
        {
            if (fresh)
            {
                // 122 random bits: a collision means the store is misbehaving, not bad luck.
                throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false,
                    $"The '{_runtime.Store.Driver}' session store refused to create a new session under a fresh random ID; the driver's compare-and-swap is broken.", innerException: null);
            }

            return false;
        }

        _loaded.Saved(entries, expanded, version, record.ExpiresAt);
        _changes.Discard();
        if (slides)
        {
            _cookie.Slide(); // slide the cookie with the session
            if (!fresh)
            {
                await _user.AfterSlideAsync(_loaded.Id!, entries, record.ExpiresAt, cancellationToken).ConfigureAwait(false);
            }
        }

        _runtime.Store.Telemetry.Saved();
        if (fresh && countAsCreated)
        {
            _runtime.Store.Telemetry.Created();
            Log.SessionCreated(_runtime.Logger, new SessionIdHash(_loaded.Id));
        }

        return true;
    }

    /// <summary>
    /// Keeps a session that is only read alive without rewriting its data: the expiry moves only
    /// once the slide is due (see <see cref="SessionExpiryPolicy"/>), so a burst of reads costs one store write.
    /// </summary>
    private async ValueTask RefreshIfDueAsync(CancellationToken cancellationToken)
    {
        var now = _runtime.Expiry.Now;
        if (!_runtime.Expiry.IsSlideDue(_loaded.CreatedAt, _loaded.ExpiresAt, now))
        {
            return;
        }

        var next = _runtime.Expiry.ExpiryAt(_loaded.CreatedAt, now);
        if (!await _runtime.Store.RefreshAsync(_loaded.Id!, next, cancellationToken).ConfigureAwait(false))
        {
            EndAndClearCookie();
            return;
        }

        _loaded.Refreshed(next);
        _cookie.Slide(); // slide the cookie with the session
        await _user.AfterSlideAsync(_loaded.Id!, _loaded.Entries, next, cancellationToken).ConfigureAwait(false);
        Log.SessionRefreshed(_runtime.Logger, new SessionIdHash(_loaded.Id));
    }

    /// <summary>The session ended under this request while it saved: its changes go, and so does the cookie.</summary>
    private void DropChanges()
    {
        _runtime.Store.Telemetry.Dropped();
        Log.ChangesDropped(_runtime.Logger, new SessionIdHash(_loaded.Id));
        EndAndClearCookie();
    }
}
