namespace Tote;

/// <summary>
/// A change would grow the session past <see cref="ToteOptions.MaxSessionSize"/>. Thrown by
/// <c>Set</c> and <c>UpdateAsync</c> before the change takes effect, so the session keeps what it
/// held. Catch it to tell the visitor (for example with 413 Content Too Large) rather than fail
/// the request; every other <see cref="SessionSerializationException"/> means the value itself
/// cannot be stored or read.
/// </summary>
public sealed class SessionTooLargeException : SessionSerializationException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SessionTooLargeException()
        : this("The session would grow past its size limit (ToteOptions.MaxSessionSize).")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public SessionTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SessionTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal SessionTooLargeException(string? key, long size, int limit, string message, Exception? innerException = null)
        : base(key, message, innerException)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The size, in characters of devalue text, the session would have had; 0 when not known.</summary>
    public long Size { get; }

    /// <summary>The limit it would have passed (<see cref="ToteOptions.MaxSessionSize"/>); 0 when not known.</summary>
    public int Limit { get; }
}
