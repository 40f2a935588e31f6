using Microsoft.AspNetCore.Http;
using Tote.Cookies;
using Tote.Devalue;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Serialization;

namespace Tote;

/// <summary>
/// The visitor's server-side session for the current request: reads are async (the first one
/// loads from the store), writes are synchronous and staged, then saved before the response
/// starts. Get one as a <see cref="Session"/> parameter of an endpoint, action or page handler,
/// or with <c>HttpContext.GetSession()</c>.
/// </summary>
/// <remarks>
/// <para>
/// Nothing happens until the session is used: a request that never touches it makes no store
/// call and sends no cookie, and a read without a session cookie makes no store call either.
/// </para>
/// <para>
/// At save, only the keys this request changed are merged onto the latest stored state with a
/// compare-and-swap loop, so concurrent requests that change different keys never lose a change.
/// A session that was destroyed, regenerated or expired while this request ran is never recreated.
/// </para>
/// <para>One instance serves one request; it is not thread-safe, as <see cref="HttpContext"/> is not.</para>
/// </remarks>
public sealed partial class Session
{
    private static readonly OrderedDictionary<string, SessionEntry> Empty = new(StringComparer.Ordinal);

    private readonly SessionRuntime _runtime;
    private readonly HttpContext? _context;
    private SessionState _state = SessionState.Unresolved;
    private bool _candidateRead;
    private string? _candidateId;
    private bool _viaHeader;
    private string? _id;
    private OrderedDictionary<string, SessionEntry> _base = Empty;
    // The size of the loaded session counted against the limit: expanded once measured.
    private int _baseLength;

    // The record loaded last, measured at load (from the store) or, when this process wrote it, not yet.
    private (SessionRecord? Record, DevalueDocument? Unmeasured, int ExpandedLength) _measured;
    private OrderedDictionary<string, StagedChange>? _changes;
    private Dictionary<string, UnreadableValue>? _unreadable;
    private SessionVersion _version;
    private DateTimeOffset _createdAt;
    private DateTimeOffset _expiresAt;
    private List<string>? _pendingDeletes;
    private bool _issueCookie;
    private bool _clearCookie;

    internal Session(SessionRuntime runtime, HttpContext? context)
    {
        _runtime = runtime;
        _context = context;
    }

    private enum SessionState
    {
        /// <summary>Not looked at yet: the client may have sent an ID, which is not verified.</summary>
        Unresolved,

        /// <summary>No session: none was sent, the one sent is unknown, or it was destroyed.</summary>
        Absent,

        /// <summary>Stored, under a verified ID.</summary>
        Existing,

        /// <summary>Freshly issued ID, not stored yet.</summary>
        Fresh,
    }

    /// <summary>
    /// The session ID: <see langword="null"/> until a session exists or is created. Never an ID
    /// that was not verified against the store or freshly issued: an ID the client sent is
    /// reported only after a read (or <see cref="LoadAsync"/>) found it live.
    /// </summary>
    public string? Id => _state is SessionState.Existing or SessionState.Fresh ? _id : null;

    private bool HasChanges => _changes is { Count: > 0 };

    /// <summary>Reads the value of a key as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">
    /// The type to read the value as. For a value type, ask for <see cref="Nullable{T}"/>
    /// (<c>GetAsync&lt;int?&gt;("visits")</c>) to tell a missing key from a stored <c>default</c>.
    /// </typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this read loads the session.</param>
    /// <returns>The value, or <see langword="default"/> when the key is missing or expired.</returns>
    /// <exception cref="SessionSerializationException">
    /// The stored value does not fit <typeparamref name="T"/> and <see cref="ToteOptions.UnreadableValues"/> is
    /// <see cref="UnreadableValueHandling.Throw"/>. With the default, <see cref="UnreadableValueHandling.Drop"/>,
    /// such a value reads as missing and the key is removed at the next save.
    /// </exception>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return Find(key) is { } entry ? ReadAs<T>(key, entry) : default;
    }

    /// <summary>Reads the value of a typed key.</summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this read loads the session.</param>
    /// <returns>
    /// The value, or <see langword="default"/> when the key is missing or expired: <see langword="null"/>
    /// for reference and nullable types. A <see cref="SessionKey{T}"/> of a non-nullable value type
    /// binds to <see cref="GetAsync{T}(SessionKey{T}, CancellationToken)"/> instead, which returns
    /// <see langword="null"/> for a missing key.
    /// </returns>
    /// <exception cref="SessionSerializationException">
    /// The stored value does not fit <typeparamref name="T"/> and <see cref="ToteOptions.UnreadableValues"/> is
    /// <see cref="UnreadableValueHandling.Throw"/>. With the default, <see cref="UnreadableValueHandling.Drop"/>,
    /// such a value reads as missing and the key is removed at the next save.
    /// </exception>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public ValueTask<T?> GetAsync<T>(ISessionKey<T> key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetAsync<T>(key.Name, cancellationToken);
    }

    /// <summary>
    /// Reads the value of a typed key whose type is a non-nullable value type, as
    /// <see cref="Nullable{T}"/>, so that a missing key is told apart from a stored
    /// <c>default</c>: <c>DateTimeOffset? seen = await session.GetAsync(Keys.LastVisit);</c>
    /// </summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this read loads the session.</param>
    /// <returns>The value, or <see langword="null"/> when the key is missing or expired.</returns>
    /// <exception cref="SessionSerializationException">
    /// The stored value does not fit <typeparamref name="T"/> and <see cref="ToteOptions.UnreadableValues"/> is
    /// <see cref="UnreadableValueHandling.Throw"/>. With the default, <see cref="UnreadableValueHandling.Drop"/>,
    /// such a value reads as missing and the key is removed at the next save.
    /// </exception>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public ValueTask<T?> GetAsync<T>(SessionKey<T> key, CancellationToken cancellationToken = default)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetAsync<T?>(key.Name, cancellationToken);
    }

    /// <summary>
    /// Reads the value of a key as natural .NET types (strings, doubles, lists, ordered
    /// dictionaries, <see cref="DevalueMap"/> …; see <c>docs/devalue.md</c>), as a fresh copy.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this read loads the session.</param>
    /// <returns>The value, or <see langword="null"/> when the key is missing or expired.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<object?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return Find(key) is { } entry ? ReadNatural(entry) : null;
    }

    /// <summary>Whether the session holds a live value under <paramref name="key"/>.</summary>
    /// <remarks>
    /// Untyped, so it never fails by type: a stored value that a typed read found unreadable (see
    /// <see cref="ToteOptions.UnreadableValues"/>) is still present until the save that removes it.
    /// </remarks>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns><see langword="true"/> when the key is present and not expired.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<bool> HasAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return Find(key) is not null;
    }

    /// <summary>Whether the session holds a live value under a typed key.</summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns><see langword="true"/> when the key is present and not expired.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public ValueTask<bool> HasAsync<T>(ISessionKey<T> key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HasAsync(key.Name, cancellationToken);
    }

    /// <summary>The live keys, in the order they were first set.</summary>
    /// <remarks>
    /// Includes a key whose value a typed read found unreadable, until the save that removes it:
    /// the value is still stored, and untyped reads still see it.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The keys; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<string>> KeysAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return [.. LiveEntries().Select(e => e.Key)];
    }

    /// <summary>The live values as natural .NET types, in key order.</summary>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The values; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<object?>> ValuesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return [.. ReadLiveNatural().Select(e => e.Value)];
    }

    /// <summary>The live keys with their values as natural .NET types, in key order.</summary>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The entries; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, object?>>> EntriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return ReadLiveNatural();
    }

    /// <summary>
    /// Stages a value under a key, saved at the end of the request. The value is serialized at
    /// once: later changes to the caller's object do not reach the session, and a value that
    /// cannot be stored fails here, before any state changes. Creates the session (and its
    /// cookie) when there is none.
    /// </summary>
    /// <typeparam name="T">The value's type, used to serialize it.</typeparam>
    /// <param name="key">The key; not empty.</param>
    /// <param name="value">The value; anything devalue can represent.</param>
    /// <param name="ttl">How long the key lives; <see langword="null"/> for <see cref="ToteOptions.DefaultKeyTtl"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, or <paramref name="ttl"/> is not positive.</exception>
    /// <exception cref="SessionTooLargeException">The session would exceed <see cref="ToteOptions.MaxSessionSize"/>.</exception>
    /// <exception cref="SessionSerializationException">The value cannot be serialized.</exception>
    /// <exception cref="InvalidOperationException">A new session would be needed after the response started, when no cookie can be sent.</exception>
    public void Set<T>(string key, T value, TimeSpan? ttl = null)
    {
        ValidateKey(key);
        var expires = ExpiryFor(ttl);
        if (TryWriteAhead(key, value, expires) is { } ahead)
        {
            PrepareToStage();
            StageWrittenAhead(key, ahead);
            return;
        }

        var entry = SessionEntry.FromText(Serialize(key, value, _runtime.Options.MaxSessionSize, out var expanded), expires, expanded);
        CheckSize(key, entry.KnownLength!.Value);
        Stage(key, StagedChange.Put(entry));
    }

    /// <summary>Stages a value under a typed key; see <see cref="Set{T}(string, T, TimeSpan?)"/>.</summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttl">How long the key lives; <see langword="null"/> for <see cref="ToteOptions.DefaultKeyTtl"/>.</param>
    /// <exception cref="SessionTooLargeException">The session would exceed <see cref="ToteOptions.MaxSessionSize"/>.</exception>
    /// <exception cref="SessionSerializationException">The value cannot be serialized.</exception>
    /// <exception cref="InvalidOperationException">A new session would be needed after the response started.</exception>
    public void Set<T>(ISessionKey<T> key, T value, TimeSpan? ttl = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Set(key.Name, value, ttl);
    }

    /// <summary>Stages the removal of a key, saved at the end of the request. A later <c>Set</c> of the key in the same request wins.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty.</exception>
    public void Delete(string key)
    {
        ValidateKey(key);
        ReadCandidate();
        if (_state == SessionState.Absent || (_state == SessionState.Unresolved && _candidateId is null))
        {
            return; // nothing to delete, and a delete never creates a session
        }

        Stage(key, StagedChange.Remove);
    }

    /// <summary>Stages the removal of a typed key; see <see cref="Delete(string)"/>.</summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    public void Delete<T>(ISessionKey<T> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Delete(key.Name);
    }

    /// <summary>
    /// Atomically replaces the value of a key with <c>update(current)</c> and commits it at
    /// once. On a conflict with a concurrent request the function runs again on the newer
    /// value, so N concurrent "add to cart" calls leave N items. Creates the session when there is none.
    /// </summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="update">
    /// Computes the new value from the current one (<see langword="default"/> when missing:
    /// <see langword="null"/> for reference and nullable types); may run more than once. For a
    /// <see cref="SessionKey{T}"/> of a non-nullable value type, a function that takes
    /// <see cref="Nullable{T}"/> binds to
    /// <see cref="UpdateAsync{T}(SessionKey{T}, Func{Nullable{T}, T}, CancellationToken)"/>, which tells "missing" apart.
    /// </param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>The committed value.</returns>
    /// <exception cref="SessionTooLargeException">The new value would grow the session past <see cref="ToteOptions.MaxSessionSize"/>; the key keeps its value.</exception>
    /// <exception cref="SessionSerializationException">
    /// The new value cannot be serialized, or the current one does not fit <typeparamref name="T"/> and
    /// <see cref="ToteOptions.UnreadableValues"/> is <see cref="UnreadableValueHandling.Throw"/> (with the
    /// default, <see cref="UnreadableValueHandling.Drop"/>, <paramref name="update"/> gets "missing" instead).
    /// </exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public ValueTask<T> UpdateAsync<T>(ISessionKey<T> key, Func<T?, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        var name = key.Name;
        return UpdateCoreAsync(name, current => update(current is null ? default : ReadAs<T>(name, current)), cancellationToken);
    }

    /// <summary>
    /// Atomically replaces the value of a typed key whose type is a non-nullable value type with
    /// <c>update(current)</c>, where <c>current</c> is <see langword="null"/> when the key is
    /// missing, and commits it at once: <c>await session.UpdateAsync(Keys.Visits, v =&gt; (v ?? 0) + 1)</c>.
    /// Runs again on the newer value after a conflict with a concurrent request, as
    /// <see cref="UpdateAsync{T}(ISessionKey{T}, Func{T, T}, CancellationToken)"/> does.
    /// </summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="update">Computes the new value from the current one (<see langword="null"/> when missing); may run more than once.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>The committed value.</returns>
    /// <exception cref="SessionTooLargeException">The new value would grow the session past <see cref="ToteOptions.MaxSessionSize"/>; the key keeps its value.</exception>
    /// <exception cref="SessionSerializationException">
    /// The new value cannot be serialized, or the current one does not fit <typeparamref name="T"/> and
    /// <see cref="ToteOptions.UnreadableValues"/> is <see cref="UnreadableValueHandling.Throw"/> (with the
    /// default, <see cref="UnreadableValueHandling.Drop"/>, <paramref name="update"/> gets "missing" instead).
    /// </exception>
    /// <exception cref="SessionStoreException">The store failed.</exception>
    public ValueTask<T> UpdateAsync<T>(SessionKey<T> key, Func<T?, T> update, CancellationToken cancellationToken = default)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        var name = key.Name;
        return UpdateCoreAsync(name, current => update(current is null ? null : ReadAs<T?>(name, current)), cancellationToken);
    }

    /// <summary>Commits <paramref name="update"/> (from the current entry, <see langword="null"/> when missing) to one key.</summary>
    private async ValueTask<T> UpdateCoreAsync<T>(string name, Func<SessionEntry?, T> update, CancellationToken cancellationToken)
    {
        ValidateKey(name);
        T committed = default!;
        var change = StagedChange.Compute(current =>
        {
            committed = update(current);
            var text = Serialize(name, committed);
            return SessionEntry.FromText(text, ExpiryFor(ttl: null));
        });

        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);

        // A session that ends under us is not recreated; the update then starts a fresh one,
        // as a Set after Destroy does, so the returned value is always one that was committed.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Stage(name, change);
            try
            {
                await SaveCoreAsync(forceWrite: false, cancellationToken).ConfigureAwait(false);
            }
            catch (SessionTooLargeException ex)
            {
                _changes?.Remove(name);
                throw new SessionTooLargeException(
                    name,
                    ex.Size,
                    ex.Limit,
                    $"Updating session key '{name}' would grow the session to {ex.Size} characters, over the limit of {ex.Limit} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.",
                    ex);
            }
            catch
            {
                _changes?.Remove(name);
                throw;
            }

            if (_state == SessionState.Existing)
            {
                return committed;
            }
        }

        throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false, "The session kept ending while UpdateAsync was committing; nothing was saved.", innerException: null);
    }

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
        var loadedEarlier = _state == SessionState.Existing;
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        if (_state != SessionState.Existing)
        {
            if (_state == SessionState.Absent)
            {
                BecomeFresh();
            }

            _id = SessionIds.New();
            await SaveCoreAsync(forceWrite: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        var oldId = _id!;

        if (loadedEarlier)
        {
            // Start from the latest stored state so that what concurrent requests saved since moves along too.
            var latest = await LoadVerifiedAsync(oldId, cancellationToken).ConfigureAwait(false);
            if (latest is null)
            {
                DropChanges();
                return;
            }

            Adopt(latest.Value.Record, latest.Value.Entries);
        }

        _id = SessionIds.New();
        _state = SessionState.Fresh; // the new ID must not exist yet: save expects "missing"
        _issueCookie = true;
        await SaveCoreAsync(forceWrite: true, cancellationToken, countAsCreated: false).ConfigureAwait(false);
        if (_state != SessionState.Existing)
        {
            return;
        }

        await _runtime.Store.DeleteAsync(oldId, cancellationToken).ConfigureAwait(false);
        _runtime.Store.Telemetry.Regenerated();
        Log.SessionRegenerated(_runtime.Logger, new SessionIdHash(oldId), new SessionIdHash(_id));
    }

    /// <summary>
    /// Ends the session: the stored session is deleted at save and the cookie expired. Works
    /// without loading the session. A later <c>Set</c> in the same request starts a fresh
    /// session with a fresh ID.
    /// </summary>
    public void Destroy()
    {
        ReadCandidate();
        var target = _state == SessionState.Unresolved ? _candidateId : _id;
        if (target is not null)
        {
            (_pendingDeletes ??= []).Add(target);
            RegisterForResponse();
        }

        ResetToAbsent();
        _issueCookie = false;
        _clearCookie = true;
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
        ReadCandidate();
        ResetToAbsent();
        if (id is null || !SessionIds.IsWellFormed(id))
        {
            return false;
        }

        var loaded = await LoadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return false;
        }

        _id = id;
        _state = SessionState.Existing;
        Adopt(loaded.Value.Record, loaded.Value.Entries);
        _issueCookie = true;
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

    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A session key must not be empty. Give every value a name, as in session.Set(\"cart\", cart).", nameof(key));
        }
    }

    private static string Serialize<T>(string key, T value) => Serialize(key, value, long.MaxValue - 1, out _);

    /// <summary>Serializes a value for <paramref name="key"/>, giving its expanded length (at most <paramref name="cap"/> + 1) too.</summary>
    private static string Serialize<T>(string key, T value, long cap, out long expandedLength)
    {
        try
        {
            return DevalueExpansion.Serialize(value, SessionRecordFormat.Devalue, cap, out expandedLength);
        }
        catch (DevalueException ex)
        {
            throw new SessionSerializationException(
                key,
                $"The value for session key '{key}' cannot be stored: {ex.Message}",
                ex);
        }
    }

    /// <summary>
    /// The entry bound to <typeparamref name="T"/>; an entry that does not fit it throws, or reads
    /// as missing and is marked to be dropped, as <see cref="ToteOptions.UnreadableValues"/> says.
    /// </summary>
    private T? ReadAs<T>(string key, SessionEntry entry)
    {
        try
        {
            return entry.Read<T>();
        }
        catch (DevalueException ex)
        {
            if (_runtime.Options.UnreadableValues == UnreadableValueHandling.Throw)
            {
                throw new SessionSerializationException(
                    key,
                    $"The value stored under session key '{key}' cannot be read as {TypeNames.Describe(typeof(T))}: {ex.Message} Read it as the type it was stored as, or set Tote:UnreadableValues to Drop to read such values as missing.",
                    ex);
            }

            MarkUnreadable<T>(key, entry, ex);
            return default;
        }
    }

    // A fresh copy, so that changing the returned object never changes the session behind Set's back.
    private static object? ReadNatural(SessionEntry entry) => entry.ReadNatural();

    /// <summary>
    /// Every live value as natural .NET types, fresh copies built as one graph: the codec's limits
    /// then bound the whole call rather than each key, so a value that many keys refer to (a sparse
    /// array of a million holes, say) is built once, not once per key.
    /// </summary>
    private List<KeyValuePair<string, object?>> ReadLiveNatural()
    {
        var live = LiveEntries().ToList();
        foreach (var (_, entry) in live)
        {
            entry.BeginNaturalGraph();
        }

        return live.ConvertAll(e => new KeyValuePair<string, object?>(e.Key, e.Value.ReadNaturalInGraph()));
    }

    private double? ExpiryFor(TimeSpan? ttl)
    {
        if (ttl is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), given, "A key's time-to-live must be positive.");
        }

        // Astro stores Date.now() + ttl * 1000: whole epoch milliseconds.
        return (ttl ?? _runtime.Options.DefaultKeyTtl) is { } lifetime
            ? (_runtime.Time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()
            : null;
    }

    private void CheckSize(string key, int valueLength)
    {
        // An estimate that errs high: the size of the loaded session plus every staged value, each
        // counted as expanded (a shared value at every reference), as a reader writes it out.
        if (_measured.Unmeasured is { } loaded)
        {
            // Text this process wrote was within the limit, but its expansion is only known now.
            _baseLength = (int)Math.Clamp(loaded.MeasureExpandedLength(_runtime.Options.MaxSessionSize), _baseLength, int.MaxValue);
            _measured = default;
        }

        long size = _baseLength + valueLength;
        if (_changes is not null)
        {
            foreach (var (other, change) in _changes)
            {
                if (other != key && change.Entry?.KnownLength is { } length)
                {
                    size += length;
                }
            }
        }

        if (size > _runtime.Options.MaxSessionSize)
        {
            throw new SessionTooLargeException(
                key,
                size,
                _runtime.Options.MaxSessionSize,
                $"Setting session key '{key}' would grow the session to about {size} characters (values it shares counted every time they are used), over the limit of {_runtime.Options.MaxSessionSize} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.");
        }
    }

    /// <summary>
    /// Why a loaded record is refused for what it expands to (see <see cref="DevalueExpansion"/>),
    /// or <see langword="null"/>. A record past <see cref="ToteOptions.MaxSessionSize"/> once its
    /// shared values are counted at every reference is treated as hostile, as a corrupt one is:
    /// 300 references to one 1 MB string would send 300 MB per read. Text this process wrote (and
    /// an in-process store handed back) was held to the limit when written: it is measured only
    /// if a <c>Set</c> of this request needs the figure.
    /// </summary>
    private string? ExpansionProblem(SessionRecord record, DevalueDocument document)
    {
        if (WrittenHere.TryGetValue(record.Data, out _))
        {
            _measured = (record, document, 0);
            return null;
        }

        var limit = _runtime.Options.MaxSessionSize;
        var expanded = document.MeasureExpandedLength(limit);
        if (expanded > limit)
        {
            return $"It expands to more than {limit} characters once the values it shares are counted every time they are used (ToteOptions.MaxSessionSize), from {record.Data.Length} characters as stored.";
        }

        _measured = (record, null, (int)expanded);
        return null;
    }

    private SessionEntry? Find(string key)
    {
        var now = NowMilliseconds();
        if (_changes is not null && _changes.TryGetValue(key, out var change))
        {
            return change.Entry is { } staged && !staged.IsExpired(now) ? staged : null;
        }

        return _base.TryGetValue(key, out var entry) && !entry.IsExpired(now) ? entry : null;
    }

    private void MarkUnreadable<T>(string key, SessionEntry entry, DevalueException error)
    {
        if (_unreadable is not null && _unreadable.TryGetValue(key, out var known) && ReferenceEquals(known.Entry, entry))
        {
            return; // told once per request
        }

        (_unreadable ??= new(StringComparer.Ordinal))[key] = new UnreadableValue(entry, static stored => !Fits<T>(stored));
        _writtenAhead = null; // a record written ahead still holds the key
        _runtime.Store.Telemetry.Unreadable();
        Log.UnreadableValueDropped(_runtime.Logger, key, new SessionIdHash(_id), TypeNames.Describe(typeof(T)), error.Reason);
    }

    private static bool Fits<T>(SessionEntry entry)
    {
        try
        {
            entry.Read<T>();
            return true;
        }
        catch (DevalueException)
        {
            return false;
        }
    }

        private IEnumerable<KeyValuePair<string, SessionEntry>> LiveEntries()
    {
        var now = NowMilliseconds();
        foreach (var (key, entry) in _base)
        {
            var current = _changes is not null && _changes.TryGetValue(key, out var change) ? change.Entry : entry;
            if (current is not null && !current.IsExpired(now))
            {
                yield return new(key, current);
            }
        }

        if (_changes is null)
        {
            yield break;
        }

        foreach (var (key, change) in _changes)
        {
            if (!_base.ContainsKey(key) && change.Entry is { } entry && !entry.IsExpired(now))
            {
                yield return new(key, entry);
            }
        }
    }

    private double NowMilliseconds() => _runtime.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Stage(string key, StagedChange change)
    {
        PrepareToStage();
        (_changes ??= new(StringComparer.Ordinal))[key] = change;
    }

    /// <summary>Makes sure a staged change has a session to go to and a response to be saved before.</summary>
    private void PrepareToStage()
    {
        ReadCandidate();
        if (_state == SessionState.Absent || (_state == SessionState.Unresolved && _candidateId is null))
        {
            BecomeFresh();
        }

        RegisterForResponse();
    }

    private void BecomeFresh()
    {
        EnsureCanSendCookie();
        _id = SessionIds.New();
        _state = SessionState.Fresh;
        _base = Empty;
        _baseLength = 0;
        _unreadable = null;
        _measured = default;
        _version = SessionVersion.Missing;
        _createdAt = _runtime.Time.GetUtcNow();
        _issueCookie = true;
    }

    private void ResetToAbsent()
    {
        _state = SessionState.Absent;
        _id = null;
        _candidateId = null;
        _base = Empty;
        _baseLength = 0;
        _measured = default;
        _changes = null;
        _unreadable = null;
        _version = SessionVersion.Missing;
    }

    private void EnsureCanSendCookie()
    {
        if (_context?.Response.HasStarted == true)
        {
            throw new InvalidOperationException(
                "A session cannot be created or regenerated after the response has started, because its cookie can no longer be sent. Use the session before writing to the response body.");
        }
    }

    private void Adopt(SessionRecord record, OrderedDictionary<string, SessionEntry> entries)
    {
        _base = entries;
        _baseLength = ReferenceEquals(record, _measured.Record) ? Math.Max(record.Data.Length, _measured.ExpandedLength) : record.Data.Length;
        if (!ReferenceEquals(record, _measured.Record))
        {
            _measured = default;
        }
        _version = record.Version;
        _createdAt = record.CreatedAt;
        _expiresAt = record.ExpiresAt;
    }

    private DateTimeOffset ExpiryAt(DateTimeOffset now)
    {
        var idle = Later(now, _runtime.Options.IdleTimeout);
        var absolute = Later(_createdAt, _runtime.Options.AbsoluteTimeout);
        return idle < absolute ? idle : absolute;
    }

    // Saturates instead of throwing: a stored creation time near the end of the calendar (hostile
    // or damaged data) or a lifetime of many millennia must not turn a request into a 500.
    private static DateTimeOffset Later(DateTimeOffset time, TimeSpan timeout)
        => timeout.Ticks >= DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks ? DateTimeOffset.MaxValue : time + timeout;

    private void DropChanges()
    {
        _runtime.Store.Telemetry.Dropped();
        Log.ChangesDropped(_runtime.Logger, new SessionIdHash(_id));
        ResetToAbsent();
        _issueCookie = false;
        _clearCookie = true;
    }

    /// <summary>
    /// A stored entry a typed read could not bind, to be dropped at the next save: the entry that
    /// failed, and whether an entry found under the key at save (after a conflict, a newer one)
    /// still does not fit that type.
    /// </summary>
    private sealed record UnreadableValue(SessionEntry Entry, Func<SessionEntry, bool> StillUnreadable)
    {
        public bool Covers(SessionEntry stored) => ReferenceEquals(stored, Entry) || StillUnreadable(stored);
    }

        /// <summary>A staged change to one key: a new entry, a removal, or an atomic update computed at save.</summary>
    private sealed class StagedChange
    {
        private readonly Func<SessionEntry?, SessionEntry>? _compute;

        private StagedChange(SessionEntry? entry, Func<SessionEntry?, SessionEntry>? compute)
        {
            Entry = entry;
            _compute = compute;
        }

        public static StagedChange Remove { get; } = new(null, null);

        /// <summary>The staged entry; <see langword="null"/> for a removal or a pending update.</summary>
        public SessionEntry? Entry { get; }

        public bool IsRemoval => Entry is null && _compute is null;

        public static StagedChange Put(SessionEntry entry) => new(entry, null);

        public static StagedChange Compute(Func<SessionEntry?, SessionEntry> compute) => new(null, compute);

        /// <summary>Applies the change to the entries being saved.</summary>
        public void ApplyTo(OrderedDictionary<string, SessionEntry> entries, string key, double now)
        {
            if (_compute is not null)
            {
                var current = entries.TryGetValue(key, out var existing) && !existing.IsExpired(now) ? existing : null;
                entries[key] = _compute(current);
            }
            else if (Entry is not null)
            {
                entries[key] = Entry;
            }
            else
            {
                entries.Remove(key);
            }
        }
    }
}
