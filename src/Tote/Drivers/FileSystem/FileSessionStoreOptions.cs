namespace Tote.Drivers;

/// <summary>
/// Options for the <c>fs</c> driver, the default: one file per session on the local disk. Set
/// them with <c>AddTote().UseFileSystem(o => …)</c> or in configuration under
/// <c>"Tote:FileSystem"</c>. Sessions survive restarts but are not shared between machines:
/// behind a load balancer use a shared driver (Redis, PostgreSQL) instead.
/// </summary>
public sealed class FileSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote:FileSystem";

    /// <summary>
    /// The directory that holds the session files. A relative path is resolved against the
    /// application's content root. Processes on one machine may share it safely.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: <c>.tote/sessions</c> under the content root.</value>
    public string? Path { get; set; }

    /// <summary>
    /// The most session files kept, so that a flood of new sessions cannot fill the disk. Over
    /// it, files of sessions used by one request only are deleted first (oldest first), and
    /// returning visitors' sessions (closest to expiry first) only when none is left. Evictions
    /// are counted (<c>tote.sessions.evicted</c>) and logged as a Warning at most once a minute.
    /// The count is kept in each process and recounted from the directory at every sweep, so
    /// several processes sharing the directory may together exceed it by the sessions the others
    /// created since the last sweep.
    /// </summary>
    /// <value>Defaults to 100,000.</value>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>How often the background sweeper removes the files of expired sessions.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether each write is flushed to the disk (<c>fsync</c>) before it replaces the old file.
    /// Writes are atomic either way (a new file is renamed over the old one, so a crashed process
    /// never leaves a half-written session); flushing also keeps the last writes through a power
    /// loss, at the cost of a disk flush per save.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool FlushToDisk { get; set; }
}
