namespace Tote;

/// <summary>
/// A session key that carries the type of its value: what <see cref="Session"/>'s typed
/// overloads accept. Declare keys with <see cref="SessionKey{T}"/>, which implements it.
/// </summary>
/// <typeparam name="T">The type of the value stored under the key.</typeparam>
/// <remarks>
/// <para>
/// <see cref="Session.GetAsync{T}(ISessionKey{T}, CancellationToken)"/> and
/// <see cref="Session.UpdateAsync{T}(ISessionKey{T}, Func{T, T}, CancellationToken)"/> serve
/// every <typeparamref name="T"/>. For a non-nullable value type, C# prefers the overloads that
/// take a <see cref="SessionKey{T}"/> itself (its exact type), which read
/// <see cref="Nullable{T}"/>: a missing key is <see langword="null"/>, never a stored-looking
/// <c>default</c>.
/// </para>
/// <para>
/// A key type of your own that implements this interface gets the first overloads only: for a
/// value type, declare it over <see cref="Nullable{T}"/> (<c>ISessionKey&lt;int?&gt;</c>) so a
/// missing key reads as <see langword="null"/> rather than 0.
/// </para>
/// </remarks>
public interface ISessionKey<T>
{
    /// <summary>The key's name in the stored session; not empty.</summary>
    string Name { get; }
}
