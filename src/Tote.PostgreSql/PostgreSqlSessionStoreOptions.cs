using Npgsql;

namespace Tote.PostgreSql;

/// <summary>
/// Options for the <c>postgres</c> driver, set with <c>AddTote().UsePostgreSql(…)</c> or in
/// configuration under <c>"Tote:PostgreSql"</c>.
/// </summary>
public sealed class PostgreSqlSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote:PostgreSql";

    /// <summary>
    /// The Npgsql connection string, such as <c>Host=db;Database=app;Username=app;Password=…</c>.
    /// Not needed when the app registers an <see cref="NpgsqlDataSource"/> in its services or passes
    /// one to <c>UsePostgreSql</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: use the app's <see cref="NpgsqlDataSource"/>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The schema of the sessions table. It must exist; the driver never creates schemas.</summary>
    /// <value>Defaults to <c>public</c>.</value>
    public string Schema { get; set; } = "public";

    /// <summary>
    /// The table that holds the sessions. The per-user index is kept in the table
    /// <c>&lt;TableName&gt;_users</c>, so the name has at most 49 characters.
    /// </summary>
    /// <value>Defaults to <c>tote_sessions</c>.</value>
    public string TableName { get; set; } = "tote_sessions";

    /// <summary>
    /// Whether to create the sessions table, the per-user index table and their indexes at startup when they are missing (this needs the
    /// <c>CREATE</c> privilege on the schema; turn it off where the table is created by a migration).
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool CreateTableIfMissing { get; set; } = true;

    /// <summary>How often expired sessions are deleted, in batches of 1000 rows per statement.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
