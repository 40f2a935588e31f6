namespace Tote.Drivers;

/// <summary>
/// Options for the in-process <c>memory</c> driver, set with <c>AddTote().UseMemory(o => …)</c>
/// or in configuration under <c>"Tote:Memory"</c>. Sessions are lost when the process stops and
/// are not shared between servers: use it for development, tests and single-instance apps.
/// </summary>
public sealed class MemorySessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote:Memory";

    /// <summary>
    /// The most sessions kept. When full, expired sessions are swept and then sessions are
    /// evicted to make room: first those used by one request only (oldest first), and returning
    /// visitors' sessions (least recently used first) only when no such session is left, so a
    /// flood of new sessions cannot evict the sessions of real users. Evictions are counted
    /// (<c>tote.sessions.evicted</c>) and logged as a Warning at most once a minute.
    /// </summary>
    /// <value>Defaults to 100,000.</value>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>The most bytes of session data (UTF-8) kept, enforced as <see cref="MaxSessions"/> is.</summary>
    /// <value>Defaults to 256 MiB.</value>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How often expired sessions are swept.</summary>
    /// <value>Defaults to 1 minute.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
