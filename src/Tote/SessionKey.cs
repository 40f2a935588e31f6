namespace Tote;

/// <summary>
/// A typed session key: the name under which a value is stored and the type it is read as.
/// The C# form of Astro's <c>App.SessionData</c>; declare keys once, as static fields.
/// </summary>
/// <typeparam name="T">
/// The type of the value stored under the key. For a value type, write the type itself
/// (<c>SessionKey&lt;DateTimeOffset&gt;</c>): <see cref="Session"/> reads such a key as
/// <see cref="Nullable{T}"/>, <see langword="null"/> when the key is missing.
/// </typeparam>
/// <example>
/// <code>
/// static class Keys
/// {
///     public static readonly SessionKey&lt;List&lt;string&gt;&gt; Cart = new("cart");
///     public static readonly SessionKey&lt;DateTimeOffset&gt; LastVisit = new("lastVisit");
/// }
///
/// List&lt;string&gt; cart = await session.GetAsync(Keys.Cart) ?? [];
/// DateTimeOffset? lastVisit = await session.GetAsync(Keys.LastVisit);   // null when missing
/// </code>
/// </example>
public sealed class SessionKey<T> : ISessionKey<T>
{
    /// <summary>Creates a key.</summary>
    /// <param name="name">The key's name in the stored session; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public SessionKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The key's name in the stored session.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
