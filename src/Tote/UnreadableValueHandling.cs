namespace Tote;

/// <summary>
/// What a typed read (<c>GetAsync&lt;T&gt;</c>, <c>UpdateAsync</c>) does with a stored value that
/// does not fit the type it is read as: a number where a list is expected, a user stored as an
/// array, a shape an older version of the app wrote. Set with <see cref="ToteOptions.UnreadableValues"/>.
/// </summary>
public enum UnreadableValueHandling
{
    /// <summary>
    /// The key reads as missing, a Warning names the key and the type, the
    /// <c>tote.values.unreadable</c> counter counts it, and the next save of the session removes the
    /// key, unless a request stored a value that fits since.
    /// </summary>
    Drop,

    /// <summary>The read throws a <see cref="SessionSerializationException"/> naming the key and the type.</summary>
    Throw,
}
