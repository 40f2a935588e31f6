namespace Tote;

/// <summary>
/// Options for Tote sessions, set in code with <c>services.AddTote(o => …)</c> or in
/// configuration under <c>"Tote"</c> (code wins). Validated at startup; every error is listed
/// in one message.
/// </summary>
public sealed class ToteOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote";

    /// <summary>
    /// The driver to store sessions with, by its configuration name (<c>memory</c>, and the names
    /// other driver packages register). A driver chosen in code (<c>AddTote().UseMemory()</c>) wins.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the built-in default driver.</value>
    public string? Driver { get; set; }

    /// <summary>The session cookie.</summary>
    public ToteCookieOptions Cookie { get; } = new();

    /// <summary>
    /// How long a session lives without a request that reads or writes it (sliding). A request
    /// that reads or saves the session moves the expiry forward once a tenth of this has passed
    /// since it last moved, so the store is not rewritten for the expiry alone on every request.
    /// </summary>
    /// <value>Defaults to 1 hour.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a session lives at most from its creation, however active.</summary>
    /// <value>Defaults to 24 hours.</value>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The time-to-live given to each key that is <c>Set</c> without its own (Astro's
    /// <c>session.ttl</c>). An expired key reads as missing and is dropped at the next write.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: keys live as long as the session.</value>
    public TimeSpan? DefaultKeyTtl { get; set; }

    /// <summary>
    /// A request header that carries the session ID for API clients, besides the cookie. When a
    /// request sends it, the response answers with the same header instead of the cookie.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the ID travels only in the cookie.</value>
    public string? HeaderName { get; set; }

    /// <summary>
    /// The largest a stored session may be, in characters of its devalue text, and also once
    /// expanded: with every value it shares counted each time it is referenced, as a reader writing
    /// the session out (JSON, HTML) repeats it. A <c>Set</c> or <c>UpdateAsync</c> that would grow
    /// the session past it throws a <see cref="SessionTooLargeException"/>, naming the key. A
    /// stored record past it is hostile input: it is removed (one longer than this without being
    /// parsed), logged and counted, and the visitor starts a fresh session.
    /// </summary>
    /// <value>Defaults to 1,048,576 (1 MiB).</value>
    public int MaxSessionSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// What a typed read does with a stored value that does not fit the type it is read as (after a
    /// deploy that changed a value's type, say): read it as missing and remove the key at the next
    /// save (<see cref="UnreadableValueHandling.Drop"/>), or throw a
    /// <see cref="SessionSerializationException"/> (<see cref="UnreadableValueHandling.Throw"/>).
    /// </summary>
    /// <value>Defaults to <see cref="UnreadableValueHandling.Drop"/>: one stale value never fails every request of a returning visitor.</value>
    public UnreadableValueHandling UnreadableValues { get; set; } = UnreadableValueHandling.Drop;

    /// <summary>
    /// How long one store call may take before it fails with a <see cref="SessionStoreException"/>
    /// whose <see cref="SessionStoreException.IsTimeout"/> is set.
    /// </summary>
    /// <remarks>
    /// The deadline is enforced through the cancellation token the driver receives, from the start
    /// of the call, for calls that wait asynchronously; a driver call that completes synchronously
    /// (the memory driver, SQLite's own waits, which its busy timeout bounds) is not timed.
    /// </remarks>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The status code the middleware answers with when the session cannot be saved before the
    /// response starts because the store failed.
    /// </summary>
    /// <value>Defaults to 503 (Service Unavailable).</value>
    public int StoreFailureStatusCode { get; set; } = 503;

    /// <summary>Whether a request that ends in an unhandled exception still saves its session changes.</summary>
    /// <value>Defaults to <see langword="false"/>: a failed request changes nothing, as a rolled-back transaction.</value>
    public bool SaveOnUnhandledException { get; set; }
}
