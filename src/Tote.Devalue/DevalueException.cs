namespace Tote.Devalue;

/// <summary>
/// Thrown for every input the devalue codec rejects: text that is not devalue, values that
/// cannot be serialized, and input that exceeds the limits in <see cref="DevalueOptions"/>.
/// </summary>
/// <remarks>
/// Where devalue 5.9.4 itself reports an error, <see cref="Reason"/> holds devalue's exact
/// message (for example <c>Invalid input</c> or <c>Cannot stringify a function</c>), so code
/// that handles errors from both runtimes can compare them.
/// </remarks>
public class DevalueException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public DevalueException()
        : this("The devalue codec rejected its input.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public DevalueException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DevalueException(string message, Exception? innerException)
        : this(message, message, path: null, innerException)
    {
    }

    internal DevalueException(string reason, string message, string? path, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Path = path;
    }

    /// <summary>
    /// The short reason, without location or advice: devalue's own message where devalue
    /// reports the same error (for example <c>Cannot stringify a function</c>).
    /// </summary>
    public string Reason { get; }

    /// <summary>
    /// Where in the value being serialized or bound the problem is, written the way devalue
    /// writes it (<c>.user.name</c>, <c>[3]</c>, <c>.get("key")</c>; empty for the root);
    /// <see langword="null"/> when the error is not tied to a place in a value.
    /// </summary>
    public string? Path { get; }
}
