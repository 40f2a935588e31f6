using System.Collections;

namespace Tote.Devalue;

/// <summary>
/// A JavaScript <c>Set</c>: members of any type, kept in insertion order, compared the way
/// JavaScript compares them (strings and numbers by value, objects by identity).
/// </summary>
/// <remarks>
/// Untyped reads return this type for devalue's <c>["Set",…]</c>. Typed reads bind a Set to
/// <see cref="HashSet{T}"/>, arrays and lists; any <see cref="ISet{T}"/> writes as a Set.
/// </remarks>
public sealed class DevalueSet : IReadOnlyCollection<object?>
{
    private readonly List<object?> _items;
    private readonly HashSet<object?> _members;

    /// <summary>Creates an empty set.</summary>
    public DevalueSet()
        : this(0)
    {
    }

    /// <summary>Creates an empty set with room for <paramref name="capacity"/> members.</summary>
    /// <param name="capacity">The number of members to make room for.</param>
    public DevalueSet(int capacity)
    {
        _items = new List<object?>(capacity);
        _members = new HashSet<object?>(capacity, SameValueZeroComparer.Instance);
    }

    /// <summary>The number of members.</summary>
    public int Count => _items.Count;

    /// <summary>Adds a member, like JavaScript's <c>set.add</c>; <c>-0</c> is stored as <c>0</c>.</summary>
    /// <param name="item">The member.</param>
    /// <returns><see langword="false"/> when it was already a member.</returns>
    public bool Add(object? item)
    {
        item = SameValueZeroComparer.Normalize(item);
        if (!_members.Add(item))
        {
            return false;
        }

        _items.Add(item);
        return true;
    }

    /// <summary>Whether <paramref name="item"/> is a member.</summary>
    /// <param name="item">The value to look for.</param>
    /// <returns><see langword="true"/> when it is a member.</returns>
    public bool Contains(object? item) => _members.Contains(item);

    /// <summary>Removes a member. Takes time in proportion to the number of members.</summary>
    /// <param name="item">The member.</param>
    /// <returns>Whether it was a member.</returns>
    public bool Remove(object? item)
    {
        if (!_members.Remove(item))
        {
            return false;
        }

        var comparer = SameValueZeroComparer.Instance;
        _items.RemoveAt(_items.FindIndex(i => comparer.Equals(i, item)));
        return true;
    }

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
