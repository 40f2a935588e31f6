using Tote.Drivers;
using Tote.Serialization;

namespace Tote.Testing;

/// <summary>
/// A session as the store holds it, read by <see cref="SessionTester.LoadSavedAsync"/> without
/// sliding its expiry: what a handler's request actually saved.
/// </summary>
public sealed class SavedSession
{
    private readonly OrderedDictionary<string, SessionEntry> _entries;

    internal SavedSession(string id, SessionRecord record, DateTimeOffset now)
    {
        Id = id;
        Record = record.Data;
        CreatedAt = record.CreatedAt;
        ExpiresAt = record.ExpiresAt;
        _entries = SessionRecordFormat.Read(record.Data);

        // Keys past their per-key expiry read as missing, as they do through Session.
        var nowMilliseconds = (double)now.ToUnixTimeMilliseconds();
        foreach (var key in _entries.Where(e => e.Value.IsExpired(nowMilliseconds)).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    /// <summary>The session ID.</summary>
    public string Id { get; }

    /// <summary>The stored record: Astro's devalue text of a <c>Map</c> from key to <c>{ data, expires }</c>.</summary>
    public string Record { get; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the session expires unless a request slides it.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The live keys, in stored order.</summary>
    public IReadOnlyList<string> Keys => [.. _entries.Keys];

    /// <summary>Whether a live value is stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the key is stored and not expired.</returns>
    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The stored value of <paramref name="key"/>, read as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type to read the value as.</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="default"/> when the key is missing or expired.</returns>
    /// <exception cref="Devalue.DevalueException">The stored value does not fit <typeparamref name="T"/>.</exception>
    public T? Get<T>(string key) => _entries.TryGetValue(key, out var entry) ? entry.Read<T>() : default;

    /// <summary>The stored value of a typed key.</summary>
    /// <typeparam name="T">The key's value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="default"/> when the key is missing or expired.</returns>
    /// <exception cref="Devalue.DevalueException">The stored value does not fit <typeparamref name="T"/>.</exception>
    public T? Get<T>(SessionKey<T> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Get<T>(key.Name);
    }
}
