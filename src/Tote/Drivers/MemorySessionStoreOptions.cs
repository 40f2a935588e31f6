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
    /// The most sessions kept. When full, expired sessions are swept and then the sessions
    /// closest to expiry are evicted to make room.
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
