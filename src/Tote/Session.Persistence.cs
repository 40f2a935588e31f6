using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tote.Http;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Serialization;

namespace Tote;

/// <content>Loading, the compare-and-swap save loop, expiry refresh and the cookie.</content>
public sealed partial class Session
{
    // Each conflict means another request made progress, so the loop always ends; the bound
    // only turns a misbehaving driver into an error instead of a spin.
    private const int MaxSaveAttempts = 100;

    // How far in the future a stored creation time may lie: app servers sharing a store disagree
    // on the time by a little (the tolerance JWT validation allows by default), never by more.
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    // Record texts this process wrote, by reference: an in-process store hands the same string
    // back, which then needs no full check on load (docs/architecture.md, provenance).
    private static readonly ConditionalWeakTable<string, object> WrittenHere = new();

    private bool _registered;
    private SaveBeforeStartBodyFeature? _body;
    private bool _responseHandled;
    private bool _abandoned;

    /// <summary>The store failure that stopped the save before the response started, if any.</summary>
    internal SessionStoreException? SaveFailure { get; private set; }

    // The records this request parsed; their buffers go back to the pool when the request ends.
    // Most requests parse one, which needs no list.
    private Devalue.DevalueDocument? _parsedRecord;
    private List<Devalue.DevalueDocument>? _moreParsedRecords;

    /// <summary>
    /// Gives the buffers of the records this request parsed back to the shared pool, once the
    /// request is over. The session stays usable: a record is parsed again if it is read later.
    /// </summary>
    internal void ReleaseParsedRecords()
    {
        _parsedRecord?.Release();
        _parsedRecord = null;
        if (_moreParsedRecords is { } more)
        {
            foreach (var document in more)
            {
                document.Release();
            }

            more.Clear();
        }
    }

    private void KeepParsedRecord(Devalue.DevalueDocument document)
    {
        if (_parsedRecord is null)
        {
            _parsedRecord = document;
        }
        else
        {
            (_moreParsedRecords ??= []).Add(document);
        }
    }

    /// <summary>Whether anything on this session was used during the request.</summary>
    internal bool IsTouched => _registered || _state != SessionState.Unresolved || HasChanges || _pendingDeletes is { Count: > 0 };

    private void ReadCandidate()
    {
        if (_candidateRead)
        {
            return;
        }

        _candidateRead = true;
        if (_context is null)
        {
            return;
        }

        _candidateId = _runtime.Transport.Read(_context.Request, out _viaHeader, out var rejected);
        if (rejected)
        {
            Log.RejectedSessionId(_runtime.Logger);
            _clearCookie = true;
        }
    }

    /// <summary>Presets the client's ID; used where there is no request (benchmarks, tests).</summary>
    internal void UseCandidate(string? id)
    {
        _candidateRead = true;
        _candidateId = id is not null && Cookies.SessionIds.IsWellFormed(id) ? id : null;
    }

    private async ValueTask EnsureResolvedAsync(CancellationToken cancellationToken)
    {
        if (_state != SessionState.Unresolved)
        {
            return;
        }

        ReadCandidate();
        if (_candidateId is not { } candidate)
        {
            _state = SessionState.Absent;
            if (_clearCookie)
            {
                RegisterForResponse(); // the rejected cookie goes
            }

            return;
        }

        var loaded = await LoadVerifiedAsync(candidate, cancellationToken).ConfigureAwait(false);
        if (_state != SessionState.Unresolved)
        {
            return; // the state changed while loading (a Destroy or Load raced the read); it wins
        }

        if (loaded is null)
        {
            Log.UnknownSessionId(_runtime.Logger, new SessionIdHash(candidate));
            var staged = _changes;
            ResetToAbsent();
            _clearCookie = true;
            RegisterForResponse();
            if (staged is not null && staged.Values.Any(c => !c.IsRemoval))
            {
                if (_context?.Response.HasStarted == true)
                {
                    // No cookie can carry a new ID any more; the writes have nowhere to go.
                    _runtime.Store.Telemetry.Dropped();
                    Log.CreationAfterResponseDropped(_runtime.Logger);
                    return;
                }

                // Writes staged before the read go to a fresh session, never to the unknown ID.
                BecomeFresh();
                _changes = staged;
            }

            return;
        }

        _id = candidate;
        _state = SessionState.Existing;
        Adopt(loaded.Value.Record, loaded.Value.Entries);

        // A read owes the response nothing unless the expiry is due to slide: the save hooks and
        // the held body are set up by the first change instead (Stage, Destroy), which keeps a
        // read-only request as cheap as one that never touched its session. A store that slid
        // the expiry during the load owes the client a cookie that slides too, when it has Max-Age.
        if (loaded.Value.Slid && _runtime.Options.Cookie.MaxAge is not null)
        {
            _issueCookie = true;
            RegisterForResponse();
        }
        else if (IsRefreshDue(loaded.Value.LoadedAt))
        {
            RegisterForResponse();
        }
    }

    /// <summary>
    /// Loads a live, well-formed session. A corrupt record, one over the codec's limits, or one
    /// longer than <see cref="ToteOptions.MaxSessionSize"/> is removed, logged and counted, and
    /// reads as not found, so the visitor starts fresh instead of seeing an error.
    /// </summary>
    private async ValueTask<(SessionRecord Record, OrderedDictionary<string, SessionEntry> Entries, DateTimeOffset LoadedAt, bool Slid)?> LoadVerifiedAsync(string id, CancellationToken cancellationToken)
    {
        var load = await _runtime.Store.LoadAsync(id, Sliding, cancellationToken).ConfigureAwait(false);
        var record = load?.Record;
        var now = _runtime.Time.GetUtcNow();
        if (record is null
            || record.ExpiresAt <= now
            || Later(record.CreatedAt, _runtime.Options.AbsoluteTimeout) <= now)
        {
            return null;
        }

        if (record.CreatedAt > record.ExpiresAt || record.CreatedAt > Later(now, MaxClockSkew))
        {
            // No writer stores such times: the record is damaged or planted, and adopting it could
            // stretch the session's absolute lifetime to the end of the calendar.
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), "It was created after it expires, or in the future.");
            await RemoveRefusedRecordAsync(id, "malformed", cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (record.Data.Length > _runtime.Options.MaxSessionSize)
        {
            // Refused before parsing: parsing costs several times the text in memory, and no save
            // could store the session again, so keeping it would fail every request until expiry.
            Log.OversizedRecord(_runtime.Logger, new SessionIdHash(id), record.Data.Length, _runtime.Options.MaxSessionSize);
            await RemoveRefusedRecordAsync(id, "too_large", cancellationToken).ConfigureAwait(false);
            return null;
        }

        OrderedDictionary<string, SessionEntry> entries;
        Devalue.DevalueDocument document;
        try
        {
            entries = SessionRecordFormat.Read(record.Data, checkAll: !WrittenHere.TryGetValue(record.Data, out _), out document);
            KeepParsedRecord(document);
        }
        catch (FormatException ex)
        {
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), ex.Message);
            await RemoveRefusedRecordAsync(id, "malformed", cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (ExpansionProblem(record, document) is { } expansion)
        {
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), expansion);
            await RemoveRefusedRecordAsync(id, "too_large", cancellationToken).ConfigureAwait(false);
            return null;
        }

        _runtime.Store.Telemetry.Loaded();
        Log.SessionLoaded(_runtime.Logger, new SessionIdHash(id));
        return (record, entries, now, load!.Value.Slid);
    }

    private async ValueTask RemoveRefusedRecordAsync(string id, string problem, CancellationToken cancellationToken)
    {
        _runtime.Store.Telemetry.Corrupt(problem);
        await _runtime.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SaveCoreAsync(bool forceWrite, CancellationToken cancellationToken, bool countAsCreated = true)
    {
        if (_pendingDeletes is { Count: > 0 } deletes)
        {
            // Deleted before anything new is written, so a Set after Destroy never lands on the old ID.
            foreach (var id in deletes.ToArray())
            {
                await _runtime.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                deletes.Remove(id);
                _runtime.Store.Telemetry.Destroyed();
                Log.SessionDestroyed(_runtime.Logger, new SessionIdHash(id));
            }
        }

        if (!HasChanges && !forceWrite)
        {
            if (_state == SessionState.Existing)
            {
                await RefreshIfDueAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_state == SessionState.Unresolved)
        {
            await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_state == SessionState.Absent)
        {
            return; // the session ended and nothing was staged after that
        }

        // Writers of one stored session in this process take turns through load, merge and swap
        // when the driver offers it (see ISessionWriterTurns): a writer that waited then fails
        // its swap at most once and lands on the retry, instead of racing every other waiter
        // round after round. A fresh session has a new random ID: nobody to wait for.
        using var turn = _state == SessionState.Existing && _runtime.Store.WriterTurns is { } turns
            ? await turns.TakeTurnAsync(_id!, cancellationToken).ConfigureAwait(false)
            : null;
        for (var attempt = 1; ; attempt++)
        {
            var now = _runtime.Time.GetUtcNow();
            var entries = Compose(now.ToUnixTimeMilliseconds());
            var data = ComposeRecord(entries, now.ToUnixTimeMilliseconds(), out var expanded);
            if (data.Length > _runtime.Options.MaxSessionSize || expanded > _runtime.Options.MaxSessionSize)
            {
                var changed = _changes?.Keys.ToArray() ?? [];
                var size = Math.Max(data.Length, expanded);
                throw new SessionTooLargeException(
                    changed.Length == 1 ? changed[0] : null,
                    size,
                    _runtime.Options.MaxSessionSize,
                    $"The session would be {(data.Length > _runtime.Options.MaxSessionSize ? data.Length + " characters" : "more than " + _runtime.Options.MaxSessionSize + " characters once values it shares are counted every time they are used")}, over the limit of {_runtime.Options.MaxSessionSize} (ToteOptions.MaxSessionSize); changed keys: {string.Join(", ", changed)}. Store less in the session, or raise the limit.");
            }

            var fresh = _state == SessionState.Fresh;
            // A save slides the expiry as a read does, once a tenth of the idle timeout has passed:
            // a store then need not rewrite its expiry (Redis keeps its metadata key untouched),
            // and a Max-Age cookie is re-sent only when the expiry it mirrors has moved.
            var slides = fresh || IsRefreshDue(now) || ExpiryAt(now) < _expiresAt;
            var record = new SessionRecord { Data = data, CreatedAt = _createdAt, ExpiresAt = slides ? ExpiryAt(now) : _expiresAt };
            WrittenHere.AddOrUpdate(data, record);
            var saved = await _runtime.Store.SaveAsync(_id!, record, fresh ? SessionVersion.Missing : _version, cancellationToken).ConfigureAwait(false);
            if (saved is { } version)
            {
                _base = entries;
                _baseLength = (int)expanded;
                _measured = default;
                _writtenAhead = null;
                _version = version;
                _expiresAt = record.ExpiresAt;
                _changes = null;
                _unreadable = null;
                _state = SessionState.Existing;
                _issueCookie |= slides && _runtime.Options.Cookie.MaxAge is not null; // slide the cookie with the session
                _runtime.Store.Telemetry.Saved();
                if (fresh && countAsCreated)
                {
                    _runtime.Store.Telemetry.Created();
                    Log.SessionCreated(_runtime.Logger, new SessionIdHash(_id));
                }

                Log.SessionSaved(_runtime.Logger, new SessionIdHash(_id), attempt);
                return;
            }

            if (fresh)
            {
                // 122 random bits: a collision means the store is misbehaving, not bad luck.
                throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false,
                    $"The '{_runtime.Store.Driver}' session store refused to create a new session under a fresh random ID; the driver's compare-and-swap is broken.", innerException: null);
            }

            if (attempt >= MaxSaveAttempts)
            {
                throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false,
                    $"The session was still changing after {MaxSaveAttempts} save attempts; giving up rather than spinning. Check the '{_runtime.Store.Driver}' driver's compare-and-swap.", innerException: null);
            }

            _runtime.Store.Telemetry.ConflictRetried();
            Log.SaveConflict(_runtime.Logger, new SessionIdHash(_id));
            var latest = await LoadVerifiedAsync(_id!, cancellationToken).ConfigureAwait(false);
            if (latest is null)
            {
                // Destroyed, regenerated or expired since this request loaded it: never recreate it.
                DropChanges();
                return;
            }

            Adopt(latest.Value.Record, latest.Value.Entries);
        }
    }

    /// <summary>The latest stored entries with this request's changes applied and expired keys dropped.</summary>
    private OrderedDictionary<string, SessionEntry> Compose(double now)
    {
        var entries = new OrderedDictionary<string, SessionEntry>(_base.Count + (_changes?.Count ?? 0), StringComparer.Ordinal);
        foreach (var (key, entry) in _base)
        {
            if (!entry.IsExpired(now))
            {
                entries.Add(key, entry);
            }
        }

        if (_unreadable is not null)
        {
            // Only a value that still does not fit goes: one a concurrent request stored since
            // this request read the key is newer and readable, and is kept.
            foreach (var (key, unreadable) in _unreadable)
            {
                if (_changes?.ContainsKey(key) != true && entries.TryGetValue(key, out var stored) && unreadable.Covers(stored))
                {
                    entries.Remove(key);
                }
            }
        }

        if (_changes is not null)
        {
            foreach (var (key, change) in _changes)
            {
                change.ApplyTo(entries, key, now);
            }
        }

        return entries;
    }

    /// <summary>
    /// Keeps a session that is only read alive without rewriting its data: the expiry moves only
    /// once a tenth of the idle timeout has passed, so a burst of reads costs one store write.
    /// </summary>
    private async ValueTask RefreshIfDueAsync(CancellationToken cancellationToken)
    {
        var now = _runtime.Time.GetUtcNow();
        if (!IsRefreshDue(now))
        {
            return;
        }

        var next = ExpiryAt(now);
        if (!await _runtime.Store.RefreshAsync(_id!, next, cancellationToken).ConfigureAwait(false))
        {
            ResetToAbsent();
            _issueCookie = false;
            _clearCookie = true;
            return;
        }

        _expiresAt = next;
        _issueCookie |= _runtime.Options.Cookie.MaxAge is not null; // slide the cookie with the session
        Log.SessionRefreshed(_runtime.Logger, new SessionIdHash(_id));
    }

    private bool IsRefreshDue(DateTimeOffset now) => ExpiryAt(now) - _expiresAt >= Sliding.MinimumSlide;

    // Interim until SessionExpiryPolicy (docs/architecture.md) owns the slide rule and hands it out.
    private SlidingExpiration Sliding => new(_runtime.Options.IdleTimeout, _runtime.Options.AbsoluteTimeout, _runtime.Options.IdleTimeout / 10);

    private void RegisterForResponse()
    {
        if (_registered || _context is null || _context.Response.HasStarted)
        {
            return;
        }

        _registered = true;

        // Hold the response body until the session is saved, so that a failed save can still
        // become an error status; the response-start hook is the fallback for a body obtained
        // before the session was first used.
        if (_context.Features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            _body = new SaveBeforeStartBodyFeature(body, SaveBeforeResponseAsync);
            _context.Features.Set<IHttpResponseBodyFeature>(_body);
        }

        _context.Response.OnStarting(static async state => await ((Session)state).SaveBeforeResponseAsync().ConfigureAwait(false), this);
    }

    /// <summary>
    /// Saves before the response starts, once. On a store failure the response becomes
    /// <see cref="ToteOptions.StoreFailureStatusCode"/> and this returns <see langword="false"/>.
    /// </summary>
    private async ValueTask<bool> SaveBeforeResponseAsync()
    {
        if (_responseHandled || _abandoned)
        {
            return SaveFailure is null;
        }

        _responseHandled = true;
        try
        {
            await SaveCoreAsync(forceWrite: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            SaveFailure = ex;
            Log.SaveFailedBeforeResponse(_runtime.Logger, ex, _runtime.Options.StoreFailureStatusCode);
            WriteFailure(_context!, _runtime.Options.StoreFailureStatusCode, ex);
            return false;
        }
        catch (SessionTooLargeException ex)
        {
            DropOversizedChanges(ex);
        }

        ApplyCookie();
        return true;
    }

    /// <summary>
    /// The end-of-request save found the session over <see cref="ToteOptions.MaxSessionSize"/>:
    /// changes staged before the session was loaded (a <c>Set</c> in middleware, say) could not be
    /// measured when they were made, and no exception can reach the code that made them now. The
    /// stored session stays as it was and the request answers as it would have; never a 500.
    /// </summary>
    private void DropOversizedChanges(SessionTooLargeException ex)
    {
        Log.OversizedChangesDropped(_runtime.Logger, new SessionIdHash(_id), string.Join(", ", _changes?.Keys.AsEnumerable() ?? []), ex.Size, ex.Limit);
        _runtime.Store.Telemetry.Dropped();
        _changes = null;
        _writtenAhead = null;
    }

    /// <summary>Marks the request as failed: nothing is saved.</summary>
    internal void Abandon(bool becauseOfException = true)
    {
        _abandoned = true;
        _body?.DiscardHeld();
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
    internal async Task CompleteAsync(bool failed = false)
    {
        if (!IsTouched || _abandoned || _context is null)
        {
            return;
        }

        if (failed)
        {
            _body?.DiscardHeld();
        }

        if (!_context.Response.HasStarted)
        {
            // Saves, then releases a body the endpoint wrote without flushing.
            _ = _body is null
                ? await SaveBeforeResponseAsync().ConfigureAwait(false)
                : await _body.SaveOnceAsync().ConfigureAwait(false);
            return;
        }

        if (!HasChanges && _pendingDeletes is not { Count: > 0 })
        {
            return;
        }

        try
        {
            await SaveCoreAsync(forceWrite: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            Log.SaveFailedAfterResponse(_runtime.Logger, ex);
            return;
        }
        catch (SessionTooLargeException ex)
        {
            DropOversizedChanges(ex);
            return;
        }

        if (_issueCookie || _clearCookie)
        {
            Log.CookieNotUpdated(_runtime.Logger, new SessionIdHash(_id));
        }
    }

    /// <summary>
    /// Turns the response into the store-failure status, without a body (which the app may add with
    /// <c>UseStatusCodePages</c>, as ProblemDetails or a page). A 503 says when to retry
    /// (RFC 9110 §10.2.3): when the store will be tried again if Tote has stopped calling it for a
    /// while, else one second, the soonest a retry is worth making.
    /// </summary>
    internal static void WriteFailure(HttpContext context, int statusCode, SessionStoreException failure)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
        }

        context.Response.StatusCode = statusCode;
        if (statusCode == StatusCodes.Status503ServiceUnavailable)
        {
            var seconds = Math.Max(1, Math.Ceiling((failure.RetryAfter ?? TimeSpan.Zero).TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    // Exactly one cookie decision per response, made after the save so it reflects the final state.
    private void ApplyCookie()
    {
        var issue = _issueCookie && _state == SessionState.Existing;
        if (issue)
        {
            _runtime.Transport.Issue(_context!, _id!, _viaHeader);
        }
        else if (_clearCookie)
        {
            _runtime.Transport.Clear(_context!, _viaHeader);
        }

        _issueCookie = false;
        _clearCookie = false;
    }
}
