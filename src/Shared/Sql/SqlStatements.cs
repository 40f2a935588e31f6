namespace Tote.Sql;

/// <summary>
/// The statements both SQL drivers run, over one table (<c>id</c>, <c>record</c>, <c>version</c>,
/// <c>created</c>, <c>expires</c>; times in epoch milliseconds from the app's
/// <see cref="TimeProvider"/>, passed in as <c>@now</c> so that the database's clock never decides
/// expiry). SQLite (3.35 and later) and PostgreSQL (9.5 and later) accept the same text. Every value
/// is a parameter; the only text spliced in is the table name, validated and quoted by
/// <see cref="SqlIdentifier"/>.
/// </summary>
internal sealed class SqlStatements
{
    /// <summary>The rows deleted by one sweep statement, so that a sweep never holds a long lock.</summary>
    public const int SweepBatchSize = 1000;

    /// <summary>The IDs returned by one enumeration page.</summary>
    public const int EnumerationPageSize = 1000;

    /// <param name="table">The table's name as statements write it: quoted, schema-qualified where the database has schemas.</param>
    public SqlStatements(string table)
    {
        Table = table;
        Load = $"SELECT record, version, created, expires FROM {table} WHERE id = @id AND expires > @now";

        // Insert-if-absent: a live row wins (no change, 0 rows); an expired one counts as absent and is replaced.
        Insert = $"""
            INSERT INTO {table} AS s (id, record, version, created, expires) VALUES (@id, @record, @next, @created, @expires)
            ON CONFLICT (id) DO UPDATE SET record = excluded.record, version = excluded.version, created = excluded.created, expires = excluded.expires
            WHERE s.expires <= @now
            """;

        // Compare-and-swap in one statement: the row changes only if it is still the version the caller loaded, and live.
        Update = $"UPDATE {table} SET record = @record, version = @next, created = @created, expires = @expires WHERE id = @id AND version = @version AND expires > @now";

        // Touches only the expiry: a read-only request never rewrites the record.
        Refresh = $"UPDATE {table} SET expires = @expires WHERE id = @id AND expires > @now";
        Delete = $"DELETE FROM {table} WHERE id = @id";
        DeleteIfUnchanged = $"DELETE FROM {table} WHERE id = @id AND version = @version";

        // The outer condition is checked again on the row itself, so a session that replaced an
        // expired one between the inner select and the delete survives.
        Sweep = $"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE expires <= @now LIMIT @batch) AND expires <= @now";
        Enumerate = $"SELECT id FROM {table} WHERE expires > @now AND id > @after ORDER BY id LIMIT @batch";
    }

    public string Table { get; }

    public string Load { get; }

    public string Insert { get; }

    public string Update { get; }

    public string Refresh { get; }

    public string Delete { get; }

    public string DeleteIfUnchanged { get; }

    public string Sweep { get; }

    public string Enumerate { get; }
}
