namespace Tote;

/// <summary>
/// The session store failed: it could not be reached, answered with an error, or did not answer
/// within <see cref="ToteOptions.StoreTimeout"/>. The middleware answers such a request with
/// <see cref="ToteOptions.StoreFailureStatusCode"/> (503 by default) instead of losing data silently.
/// </summary>
/// <remarks>
/// The message names the driver, the operation and the driver's own error (such as "Connection
/// refused"); the driver's exception is the <see cref="Exception.InnerException"/>. The message
/// never holds a session ID. After several failures in a row Tote stops calling the store for a
/// few seconds: calls then fail at once with this exception, carrying the store's last error, and
/// <see cref="RetryAfter"/> says when the store will be tried again.
/// </remarks>
public class SessionStoreException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SessionStoreException()
        : this("The session store failed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    public SessionStoreException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="innerException">The driver's exception.</param>
    public SessionStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal SessionStoreException(string driver, string operation, bool timedOut, string message, Exception? innerException)
        : base(message, innerException)
    {
        Driver = driver;
        Operation = operation;
        IsTimeout = timedOut;
    }

    /// <summary>The name of the driver that failed (for example <c>memory</c>); <see langword="null"/> when not known.</summary>
    public string? Driver { get; }

    /// <summary>The store operation that failed: <c>load</c>, <c>save</c>, <c>delete</c> or <c>refresh</c>; <see langword="null"/> when not known.</summary>
    public string? Operation { get; }

    /// <summary>
    /// Whether the store did not answer within <see cref="ToteOptions.StoreTimeout"/>. A caller's
    /// own cancellation is never reported this way: it throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public bool IsTimeout { get; }

    /// <summary>
    /// How long until Tote calls the store again, when the store kept failing and calls fail at
    /// once for a while (this one may not have reached the store at all); <see langword="null"/>
    /// when the next call will try the store. The middleware sends it as <c>Retry-After</c> with a 503.
    /// </summary>
    public TimeSpan? RetryAfter { get; internal set; }
}
