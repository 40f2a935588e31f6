using Microsoft.AspNetCore.Http;
using Tote.Devalue;
using Tote.Diagnostics;
using Tote.Serialization;
using Tote.Sessions;

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
    private readonly SessionRuntime _runtime;
    private readonly HttpContext? _context;

    // Each owns its own state; the façade only routes between them (see docs/architecture.md).
    private readonly SessionCookie _cookie;
    private readonly LoadedSession _loaded;
    private readonly StagedChanges _changes = new();
    private readonly UserBinding _user;
    private SessionResponse? _response;

    internal Session(SessionRuntime runtime, HttpContext? context)
    {
        _runtime = runtime;
        _context = context;
        _cookie = new SessionCookie(runtime, context);
        _loaded = new LoadedSession(runtime);
        _user = new UserBinding(runtime);
    }

    /// <summary>
    /// The session ID: <see langword="null"/> until a session exists or is created. Never an ID
    /// that was not verified against the store or freshly issued: an ID the client sent is
    /// reported only after a read (or <see cref="LoadAsync"/>) found it live.
    /// </summary>
    public string? Id => _loaded.State is SessionState.Existing or SessionState.Fresh ? _loaded.Id : null;

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
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or reserved (it starts with <c>tote:</c>).</exception>
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
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or reserved (it starts with <c>tote:</c>).</exception>
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
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or reserved (it starts with <c>tote:</c>).</exception>
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
    /// the value is still stored, and untyped reads still see it. Leaves out Tote's reserved keys
    /// (those starting with <c>tote:</c>, such as the user binding).
    /// </remarks>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The keys; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<string>> KeysAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return [.. AppEntries().Select(e => e.Key)];
    }

    /// <summary>The live values as natural .NET types, in key order; Tote's reserved keys (<c>tote:</c>…) left out.</summary>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The values; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<object?>> ValuesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return [.. ReadLiveNatural().Select(e => e.Value)];
    }

    /// <summary>The live keys with their values as natural .NET types, in key order; Tote's reserved keys (<c>tote:</c>…) left out.</summary>
    /// <param name="cancellationToken">Cancels the load, when this call loads the session.</param>
    /// <returns>The entries; empty when there is no session.</returns>
    /// <exception cref="SessionStoreException">The store failed while loading the session.</exception>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, object?>>> EntriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);
        return ReadLiveNatural();
    }


    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A session key must not be empty. Give every value a name, as in session.Set(\"cart\", cart).", nameof(key));
        }

        if (ReservedKeys.IsReserved(key))
        {
            // Never a key name taken from the request: writing the binding would sign the session in as anyone.
            throw new ArgumentException(
                $"The session key '{key}' is reserved: keys starting with '{ReservedKeys.Prefix}' hold Tote's own state, such as the user a session is signed in as ('{UserBinding.Key}'), and app code can neither read nor write them. Give the value another name; for the user binding use SignInAsync, GetUserIdAsync and Destroy (sign-out).",
                nameof(key));
        }
    }

    /// <summary>Looks at the client's ID once, the first time the session is read: loads it, or finds there is none.</summary>
    private async ValueTask EnsureResolvedAsync(CancellationToken cancellationToken)
    {
        if (_loaded.State != SessionState.Unresolved)
        {
            return;
        }

        if (_cookie.Candidate is not { } candidate)
        {
            _loaded.MarkAbsent();
            if (_cookie.ClearRequested)
            {
                RegisterForResponse(); // the rejected cookie goes
            }

            return;
        }

        var loaded = await _loaded.LoadVerifiedAsync(candidate, cancellationToken).ConfigureAwait(false);
        if (_loaded.State != SessionState.Unresolved)
        {
            return; // the state changed while loading (a Destroy or Load raced the read); it wins
        }

        if (loaded is not { } found)
        {
            Log.UnknownSessionId(_runtime.Logger, new SessionIdHash(candidate));
            StartOverAfterUnknownId();
            return;
        }

        _loaded.BecomeExisting(candidate, found);
        if (found.Slid)
        {
            await _user.AfterSlideAsync(candidate, _loaded.Entries, _loaded.ExpiresAt, cancellationToken).ConfigureAwait(false);
        }

        // A read owes the response nothing unless the expiry is due to slide: the save hooks and
        // the held body are set up by the first change instead (Stage, Destroy), which keeps a
        // read-only request as cheap as one that never touched its session. A store that slid
        // the expiry during the load owes the client a cookie that slides too, when it has Max-Age.
        if (found.Slid && _runtime.Options.Cookie.MaxAge is not null)
        {
            _cookie.Issue();
            RegisterForResponse();
        }
        else if (_runtime.Expiry.IsSlideDue(_loaded.CreatedAt, _loaded.ExpiresAt, found.LoadedAt))
        {
            RegisterForResponse();
        }
    }

    /// <summary>
    /// The client's ID names no live session: its cookie goes, and writes staged before the read
    /// go to a fresh session, never to the unknown ID.
    /// </summary>
    private void StartOverAfterUnknownId()
    {
        var writes = _changes.HasPuts;
        var canCreate = _context?.Response.HasStarted != true;
        EndAndClearCookie(keepStaged: writes && canCreate);
        RegisterForResponse();
        if (!writes)
        {
            return;
        }

        if (!canCreate)
        {
            // No cookie can carry a new ID any more; the writes have nowhere to go.
            _runtime.Store.Telemetry.Dropped();
            Log.CreationAfterResponseDropped(_runtime.Logger);
            return;
        }

        BecomeFresh();
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
        var live = AppEntries().ToList();
        foreach (var (_, entry) in live)
        {
            entry.BeginNaturalGraph();
        }

        return live.ConvertAll(e => new KeyValuePair<string, object?>(e.Key, e.Value.ReadNaturalInGraph()));
    }

    private SessionEntry? Find(string key) => _changes.Find(_loaded.Entries, key, _runtime.Expiry.NowMilliseconds);

    /// <summary>The live entries the app may see: Tote's reserved keys are its own state, not the app's data.</summary>
    private IEnumerable<KeyValuePair<string, SessionEntry>> AppEntries()
        => _changes.Live(_loaded.Entries, _runtime.Expiry.NowMilliseconds).Where(static e => !ReservedKeys.IsReserved(e.Key));

    private void MarkUnreadable<T>(string key, SessionEntry entry, DevalueException error)
    {
        if (!_changes.MarkUnreadable(key, entry, static stored => !Fits<T>(stored)))
        {
            return; // told once per request
        }

        _runtime.Store.Telemetry.Unreadable();
        Log.UnreadableValueDropped(_runtime.Logger, key, new SessionIdHash(_loaded.Id), TypeNames.Describe(typeof(T)), error.Reason);
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
}
