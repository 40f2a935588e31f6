using Tote.Cookies;
using Tote.Devalue;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Serialization;

namespace Tote.Sessions;

/// <summary>
/// The session as this request knows it from the store: its state, its verified ID, its entries,
/// version and times, and its size counted against <see cref="ToteOptions.MaxSessionSize"/>. It
/// alone loads records, and refuses the ones that must never be adopted (corrupt, oversized,
/// expanding past the limit, or with impossible times), deleting them so the visitor starts fresh.
/// </summary>
internal sealed class LoadedSession
{
    private static readonly OrderedDictionary<string, SessionEntry> Empty = new(StringComparer.Ordinal);

    private readonly SessionRuntime _runtime;

    // The size of the session counted against the limit: expanded once measured.
    private int _length;

    // Text this process wrote is within the limit, but what it expands to is measured only when a Set needs it.
    private DevalueDocument? _unmeasured;

    // The records this request parsed; their buffers go back to the pool when the request ends.
    // Most requests parse one, which needs no list.
    private DevalueDocument? _parsed;
    private List<DevalueDocument>? _moreParsed;

    public LoadedSession(SessionRuntime runtime) => _runtime = runtime;

    public SessionState State { get; private set; } = SessionState.Unresolved;

    /// <summary>The ID of an existing or fresh session; <see langword="null"/> otherwise.</summary>
    public string? Id { get; private set; }

    /// <summary>The entries as last loaded or saved (expired keys included; readers skip them).</summary>
    public OrderedDictionary<string, SessionEntry> Entries { get; private set; } = Empty;

    public SessionVersion Version { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Whether a session exists for this request, or may once the client's ID is checked.</summary>
    public bool IsNone(string? candidate) => State == SessionState.Absent || (State == SessionState.Unresolved && candidate is null);

    /// <summary>
    /// Loads a live, well-formed session. A corrupt record, one over the codec's limits, or one
    /// longer than <see cref="ToteOptions.MaxSessionSize"/> is removed, logged and counted, and
    /// reads as not found, so the visitor starts fresh instead of seeing an error.
    /// </summary>
    public async ValueTask<VerifiedRecord?> LoadVerifiedAsync(string id, CancellationToken cancellationToken)
    {
        var expiry = _runtime.Expiry;
        var loaded = await _runtime.Store.LoadAsync(id, expiry.Sliding, cancellationToken).ConfigureAwait(false);
        var now = expiry.Now;
        if (loaded is not { Record: var record } || !expiry.IsLive(record, now))
        {
            return null;
        }

        if (SessionExpiryPolicy.HasImpossibleTimes(record, now))
        {
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), "It was created after it expires, or in the future.");
            await RemoveRefusedRecordAsync(id, "malformed", cancellationToken).ConfigureAwait(false);
            return null;
        }

        var limit = _runtime.Options.MaxSessionSize;
        if (record.Data.Length > limit)
        {
            // Refused before parsing: parsing costs several times the text in memory, and no save
            // could store the session again, so keeping it would fail every request until expiry.
            Log.OversizedRecord(_runtime.Logger, new SessionIdHash(id), record.Data.Length, limit);
            await RemoveRefusedRecordAsync(id, "too_large", cancellationToken).ConfigureAwait(false);
            return null;
        }

        var written = loaded.Value.WrittenByCore;
        OrderedDictionary<string, SessionEntry> entries;
        DevalueDocument document;
        try
        {
            entries = SessionRecordFormat.Read(record.Data, checkAll: !written, out document);
            KeepParsed(document);
        }
        catch (FormatException ex)
        {
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), ex.Message);
            await RemoveRefusedRecordAsync(id, "malformed", cancellationToken).ConfigureAwait(false);
            return null;
        }

        // A record past the limit once its shared values are counted at every reference is
        // treated as hostile, as a corrupt one is: 300 references to one 1 MB string would send
        // 300 MB per read. Text this process wrote was held to the limit when written.
        var expanded = written ? 0 : document.MeasureExpandedLength(limit);
        if (expanded > limit)
        {
            Log.CorruptRecord(_runtime.Logger, new SessionIdHash(id), $"It expands to more than {limit} characters once the values it shares are counted every time they are used (ToteOptions.MaxSessionSize), from {record.Data.Length} characters as stored.");
            await RemoveRefusedRecordAsync(id, "too_large", cancellationToken).ConfigureAwait(false);
            return null;
        }

        _runtime.Store.Telemetry.Loaded();
        Log.SessionLoaded(_runtime.Logger, new SessionIdHash(id));
        return new VerifiedRecord(record, entries, (int)expanded, written ? document : null, loaded.Value.Slid, now);
    }

    /// <summary>Makes a verified record the session of this request, under <paramref name="id"/>.</summary>
    public void BecomeExisting(string id, VerifiedRecord loaded)
    {
        Id = id;
        State = SessionState.Existing;
        Adopt(loaded);
    }

    /// <summary>Takes the latest stored state of the same session (after a conflict, or before moving it to a new ID).</summary>
    public void Adopt(VerifiedRecord loaded)
    {
        Entries = loaded.Entries;
        _length = Math.Max(loaded.Record.Data.Length, loaded.ExpandedLength);
        _unmeasured = loaded.Unmeasured;
        Version = loaded.Record.Version;
        CreatedAt = loaded.Record.CreatedAt;
        ExpiresAt = loaded.Record.ExpiresAt;
    }

    /// <summary>Starts a new, empty session under a fresh random ID, not stored yet.</summary>
    public void BecomeFresh()
    {
        Id = SessionIds.New();
        State = SessionState.Fresh;
        Entries = Empty;
        _length = 0;
        _unmeasured = null;
        Version = SessionVersion.Missing;
        CreatedAt = _runtime.Expiry.Now;
    }

    /// <summary>Keeps the entries but moves them to a fresh random ID, to be stored as a new session.</summary>
    public void MoveToNewId()
    {
        Id = SessionIds.New();
        State = SessionState.Fresh; // the new ID must not exist yet: the save expects "missing"
    }

    /// <summary>Records that there is no session, without forgetting anything (nothing was loaded).</summary>
    public void MarkAbsent() => State = SessionState.Absent;

    /// <summary>Forgets the session: no ID, no entries.</summary>
    public void BecomeAbsent()
    {
        State = SessionState.Absent;
        Id = null;
        Entries = Empty;
        _length = 0;
        _unmeasured = null;
        Version = SessionVersion.Missing;
    }

    /// <summary>The stored session is now <paramref name="entries"/>, at <paramref name="version"/>.</summary>
    public void Saved(OrderedDictionary<string, SessionEntry> entries, long expandedLength, SessionVersion version, DateTimeOffset expiresAt)
    {
        Entries = entries;
        _length = (int)expandedLength;
        _unmeasured = null;
        Version = version;
        ExpiresAt = expiresAt;
        State = SessionState.Existing;
    }

    public void Refreshed(DateTimeOffset expiresAt) => ExpiresAt = expiresAt;

    /// <summary>The size of the stored session as counted so far: its text's length until it is measured.</summary>
    public int CountedLength => _length;

    /// <summary>The size of the stored session counted against the limit, measuring it first if it is not yet.</summary>
    public int MeasuredLength()
    {
        if (_unmeasured is { } document)
        {
            _length = (int)Math.Clamp(document.MeasureExpandedLength(_runtime.Options.MaxSessionSize), _length, int.MaxValue);
            _unmeasured = null;
        }

        return _length;
    }

    /// <summary>
    /// Gives the buffers of the records this request parsed back to the shared pool, once the
    /// request is over. The session stays usable: a record is parsed again if it is read later.
    /// </summary>
    public void ReleaseParsedRecords()
    {
        _parsed?.Release();
        _parsed = null;
        if (_moreParsed is { } more)
        {
            foreach (var document in more)
            {
                document.Release();
            }

            more.Clear();
        }
    }

    private void KeepParsed(DevalueDocument document)
    {
        if (_parsed is null)
        {
            _parsed = document;
        }
        else
        {
            (_moreParsed ??= []).Add(document);
        }
    }

    private async ValueTask RemoveRefusedRecordAsync(string id, string problem, CancellationToken cancellationToken)
    {
        _runtime.Store.Telemetry.Corrupt(problem);
        await _runtime.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
    }
}
