using Tote.Devalue;
using Tote.Serialization;
using Tote.Sessions;

namespace Tote;

/// <content>Staging changes: <c>Set</c>, <c>Delete</c>, and <c>UpdateAsync</c>, which commits at once.</content>
public sealed partial class Session
{
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
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or reserved (it starts with <c>tote:</c>), or <paramref name="ttl"/> is not positive.</exception>
    /// <exception cref="SessionTooLargeException">The session would exceed <see cref="ToteOptions.MaxSessionSize"/>.</exception>
    /// <exception cref="SessionSerializationException">The value cannot be serialized.</exception>
    /// <exception cref="InvalidOperationException">A new session would be needed after the response started, when no cookie can be sent.</exception>
    public void Set<T>(string key, T value, TimeSpan? ttl = null)
    {
        ValidateKey(key);
        SetCore(key, value, _runtime.Expiry.KeyExpiry(ttl));
    }

    /// <summary>Stages a value under a key already checked (an app's key, or one of Tote's reserved keys), expiring at <paramref name="expires"/> (epoch milliseconds; <see langword="null"/>: never).</summary>
    private void SetCore<T>(string key, T value, double? expires)
    {
        if (TryWriteAhead(key, value, expires) is { } ahead)
        {
            PrepareToStage();
            _changes.Stage(key, ahead);
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
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or reserved (it starts with <c>tote:</c>).</exception>
    public void Delete(string key)
    {
        ValidateKey(key);
        if (_loaded.IsNone(_cookie.Candidate))
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
    /// <remarks>
    /// The commit is a save of the whole request so far: changes staged earlier under other keys
    /// (a <c>Set</c>, a <c>Delete</c>) are committed with it, not only <paramref name="key"/>.
    /// </remarks>
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
    /// <remarks>
    /// The commit is a save of the whole request so far: changes staged earlier under other keys
    /// (a <c>Set</c>, a <c>Delete</c>) are committed with it, not only <paramref name="key"/>.
    /// </remarks>
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
            return SessionEntry.FromText(text, _runtime.Expiry.KeyExpiry(ttl: null));
        });

        await EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);

        // A session that ends under us is not recreated; the update then starts a fresh one,
        // as a Set after Destroy does, so the returned value is always one that was committed.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Stage(name, change);
            try
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SessionTooLargeException ex)
            {
                _changes.Unstage(name);
                throw new SessionTooLargeException(
                    name,
                    ex.Size,
                    ex.Limit,
                    $"Updating session key '{name}' would grow the session to {ex.Size} characters, over the limit of {ex.Limit} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.",
                    ex);
            }
            catch
            {
                _changes.Unstage(name);
                throw;
            }

            if (_loaded.State == SessionState.Existing)
            {
                return committed;
            }
        }

        throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false, "The session kept ending while UpdateAsync was committing; nothing was saved.", innerException: null);
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
    /// The whole record written at <c>Set</c> (see <see cref="WriteAhead"/>), when this is the
    /// request's first change to a session whose stored state is known; else <see langword="null"/>.
    /// </summary>
    private WriteAhead? TryWriteAhead<T>(string key, T value, double? expires)
    {
        if (_loaded.State is not (SessionState.Existing or SessionState.Fresh) || _changes.Any)
        {
            return null;
        }

        var stored = _loaded.Entries;
        var entries = _changes.Compose(stored, _runtime.Expiry.NowMilliseconds);
        return WriteAhead.TryWrite(stored, entries, _loaded.CountedLength, key, value, expires, _runtime.Options.MaxSessionSize);
    }

    private void CheckSize(string key, int valueLength)
    {
        // An estimate that errs high: the size of the loaded session plus every staged value, each
        // counted as expanded (a shared value at every reference), as a reader writes it out.
        var size = _loaded.MeasuredLength() + valueLength + _changes.KnownLengthExcept(key);
        if (size > _runtime.Options.MaxSessionSize)
        {
            throw new SessionTooLargeException(
                key,
                size,
                _runtime.Options.MaxSessionSize,
                $"Setting session key '{key}' would grow the session to about {size} characters (values it shares counted every time they are used), over the limit of {_runtime.Options.MaxSessionSize} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.");
        }
    }

    private void Stage(string key, StagedChange change)
    {
        PrepareToStage();
        _changes.Stage(key, change);
    }

    /// <summary>Makes sure a staged change has a session to go to and a response to be saved before.</summary>
    private void PrepareToStage()
    {
        if (_loaded.IsNone(_cookie.Candidate))
        {
            BecomeFresh();
        }

        RegisterForResponse();
    }

    private void BecomeFresh()
    {
        EnsureCanSendCookie();
        _loaded.BecomeFresh();
        _changes.ForgetUnreadable();
        _cookie.Issue();
    }

    private void EnsureCanSendCookie()
    {
        if (_context?.Response.HasStarted == true)
        {
            throw new InvalidOperationException(
                "A session cannot be created or regenerated after the response has started, because its cookie can no longer be sent. Use the session before writing to the response body.");
        }
    }
}
