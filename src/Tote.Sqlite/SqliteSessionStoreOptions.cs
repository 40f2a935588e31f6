namespace Tote.Sqlite;

/// <summary>
/// Options for the <c>sqlite</c> driver, set with <c>AddTote().UseSqlite(…)</c> or in
/// configuration under <c>"Tote:Sqlite"</c>.
/// </summary>
public sealed class SqliteSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote:Sqlite";

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, such as <c>Data Source=/var/lib/app/sessions.db</c>.
    /// A relative <c>Data Source</c> is relative to the working directory, as Microsoft.Data.Sqlite
    /// has it. The file and its directory are created when missing.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the file <c>.tote/sessions.db</c> under the content root.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The table that holds the sessions. The per-user index is kept in the table
    /// <c>&lt;TableName&gt;_users</c>, so the name has at most 49 characters.
    /// </summary>
    /// <value>Defaults to <c>tote_sessions</c>.</value>
    public string TableName { get; set; } = "tote_sessions";

    /// <summary>Whether to create the sessions table, the per-user index table and their indexes at startup when they are missing.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool CreateTableIfMissing { get; set; } = true;

    /// <summary>
    /// How long a statement waits for another connection (or another process) to release the
    /// database's write lock before it fails, and the request answers 503.
    /// </summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often expired sessions are deleted, in batches of 1000 rows per statement.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
