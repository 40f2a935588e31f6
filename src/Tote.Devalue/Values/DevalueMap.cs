using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Tote.Devalue;

/// <summary>
/// A JavaScript <c>Map</c>: keys of any type, kept in insertion order, compared the way
/// JavaScript compares them (strings and numbers by value, objects by identity).
/// </summary>
/// <remarks>
/// Untyped reads return this type for devalue's <c>["Map",…]</c> so that a Map and a plain
/// object stay distinct and write back exactly. Typed reads bind a Map to any .NET dictionary.
/// </remarks>
public sealed class DevalueMap : IEnumerable<KeyValuePair<object?, object?>>
{
    private readonly List<KeyValuePair<object?, object?>> _entries;
    private readonly Dictionary<KeyHolder, int> _positions;

    /// <summary>Creates an empty map.</summary>
    public DevalueMap()
        : this(0)
    {
    }

    /// <summary>Creates an empty map with room for <paramref name="capacity"/> entries.</summary>
    /// <param name="capacity">The number of entries to make room for.</param>
    public DevalueMap(int capacity)
    {
        _entries = new List<KeyValuePair<object?, object?>>(capacity);
        _positions = new Dictionary<KeyHolder, int>(capacity, KeyHolderComparer.Instance);
    }

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>The keys, in insertion order.</summary>
    public IEnumerable<object?> Keys => _entries.Select(e => e.Key);

    /// <summary>The values, in key insertion order.</summary>
    public IEnumerable<object?> Values => _entries.Select(e => e.Value);

    /// <summary>Gets or sets the value for a key; setting a new key appends it.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">Getting a key that is not in the map.</exception>
    public object? this[object? key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException("The key is not in the map.");
        set => Set(key, value);
    }

    /// <summary>
    /// Sets the value for a key, like JavaScript's <c>map.set</c>: an existing key keeps its
    /// position, a new key goes last. A key of <c>-0</c> is stored as <c>0</c>.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>This map, so calls can be chained.</returns>
    public DevalueMap Set(object? key, object? value)
    {
        key = SameValueZeroComparer.Normalize(key);
        var holder = new KeyHolder(key);
        if (_positions.TryGetValue(holder, out var position))
        {
            _entries[position] = new KeyValuePair<object?, object?>(_entries[position].Key, value);
        }
        else
        {
            _positions.Add(holder, _entries.Count);
            _entries.Add(new KeyValuePair<object?, object?>(key, value));
        }

        return this;
    }

    /// <summary>Gets the value for a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when the key is present.</param>
    /// <returns>Whether the key is present.</returns>
    public bool TryGetValue(object? key, [MaybeNullWhen(false)] out object? value)
    {
        if (_positions.TryGetValue(new KeyHolder(key), out var position))
        {
            value = _entries[position].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Whether the map holds the key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the key is present.</returns>
    public bool ContainsKey(object? key) => _positions.ContainsKey(new KeyHolder(key));

    /// <summary>Removes a key. Takes time in proportion to the entries after it.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was present.</returns>
    public bool Remove(object? key)
    {
        if (!_positions.Remove(new KeyHolder(key), out var position))
        {
            return false;
        }

        _entries.RemoveAt(position);
        for (var i = position; i < _entries.Count; i++)
        {
            _positions[new KeyHolder(_entries[i].Key)] = i;
        }

        return true;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _entries.Clear();
        _positions.Clear();
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Dictionary keys cannot be null, but a Map key can: hold every key in a struct.
    private readonly record struct KeyHolder(object? Key);

    private sealed class KeyHolderComparer : IEqualityComparer<KeyHolder>
    {
        public static KeyHolderComparer Instance { get; } = new();

        public bool Equals(KeyHolder x, KeyHolder y) => SameValueZeroComparer.Instance.Equals(x.Key, y.Key);

        public int GetHashCode(KeyHolder obj) => SameValueZeroComparer.Instance.GetHashCode(obj.Key);
    }
}
