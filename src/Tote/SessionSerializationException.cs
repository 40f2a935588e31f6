namespace Tote;

/// <summary>
/// A session value could not be stored or read back: it cannot be serialized to devalue, its
/// key is empty, the session would grow past <see cref="ToteOptions.MaxSessionSize"/>, or a stored
/// value does not fit the type it is read as (with <see cref="ToteOptions.UnreadableValues"/> set to
/// <see cref="UnreadableValueHandling.Throw"/>). Thrown by <c>Set</c> before any state changes.
/// </summary>
/// <remarks>
/// <para>
/// A session that would grow too large throws the subclass <see cref="SessionTooLargeException"/>,
/// so that it can be told apart from a value that cannot be serialized at all.
/// </para>
/// <para>The message names the key; the codec's exception, when there is one, is the <see cref="Exception.InnerException"/>.</para>
/// </remarks>
public class SessionSerializationException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SessionSerializationException()
        : this("A session value could not be serialized.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public SessionSerializationException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The codec's exception.</param>
    public SessionSerializationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal SessionSerializationException(string? key, string message, Exception? innerException)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>The session key whose value was rejected; <see langword="null"/> when not known.</summary>
    public string? Key { get; }
}
