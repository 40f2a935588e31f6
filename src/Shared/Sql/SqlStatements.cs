namespace Tote.Sql;

/// <summary>
/// The statements both SQL drivers run, over the sessions table (<c>id</c>, <c>record</c>,
/// <c>version</c>, <c>created</c>, <c>expires</c>) and the per-user index table beside it
/// (<c>session_id</c>, <c>user_id</c>, <c>signed_in</c>, <c>last_seen</c>, <c>expires</c>,
/// <c>user_agent</c>, <c>ip</c>); times in epoch milliseconds from the app's
/// <see cref="TimeProvider"/>, passed in as <c>@now</c> so that the database's clock never decides
/// expiry. SQLite (3.35 and later) and PostgreSQL (9.5 and later) accept the same text, except the
/// user listing, which PostgreSQL runs with its cleanup folded in (<see cref="ListRemovesDeadEntries"/>).
/// Every value is a parameter; the only text spliced in is the table names, validated and quoted by
/// <see cref="SqlIdentifier"/>.
/// </summary>
internal sealed class SqlStatements
{
    /// <summary>The rows deleted by one sweep statement, so that a sweep never holds a long lock.</summary>
    public const int SweepBatchSize = 1000;

    /// <summary>The IDs returned by one enumeration page.</summary>
    public const int EnumerationPageSize = 1000;

    /// <param name="table">The sessions table's name as statements write it: quoted, schema-qualified where the database has schemas.</param>
    /// <param name="userTable">The per-user index table's name, written the same way.</param>
    /// <param name="dialect">The database the statements are for.</param>
    public SqlStatements(string table, string userTable, SqlDialect dialect)
    {
        Table = table;
        UserTable = userTable;
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

        // One entry per session: the primary key makes a set an upsert, and a set under another user moves the entry.
        SetUserSession = $"""
            INSERT INTO {userTable} (session_id, user_id, signed_in, last_seen, expires, user_agent, ip)
            VALUES (@session, @user, @signedIn, @lastSeen, @expires, @userAgent, @ip)
            ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, signed_in = excluded.signed_in, last_seen = excluded.last_seen,
                expires = excluded.expires, user_agent = excluded.user_agent, ip = excluded.ip
            """;
        RemoveUserSession = $"DELETE FROM {userTable} WHERE session_id = @session AND user_id = @user";

        // An entry is dead when no live session has its ID; @stale is now minus the pending-entry
        // grace, so a sign-in's entry written just before its session's first save is kept.
        var noLiveSession = $"NOT EXISTS (SELECT 1 FROM {table} AS s WHERE s.id = {userTable}.session_id AND s.expires > @now)";

        // The user's entries joined to their live sessions (the session's expiry is the one
        // listed), plus their dead ones past the grace, whose expiry is NULL: the store removes
        // those with DeleteDeadUserSessions. Pending entries (dead, within the grace) are not read.
        var entries = $"""
            SELECT u.session_id, u.signed_in, u.last_seen, s.expires, u.user_agent, u.ip
            FROM {userTable} AS u LEFT JOIN {table} AS s ON s.id = u.session_id AND s.expires > @now
            WHERE u.user_id = @user AND (s.id IS NOT NULL OR u.last_seen < @stale)
            """;
        ListRemovesDeadEntries = dialect == SqlDialect.PostgreSql;
        ListUserSessions = ListRemovesDeadEntries
            ? $"""
                WITH entries AS (
                {entries}
                ), dead AS (
                    DELETE FROM {userTable} AS d USING entries AS e
                    WHERE d.session_id = e.session_id AND e.expires IS NULL AND d.user_id = @user AND d.last_seen < @stale
                )
                SELECT session_id, signed_in, last_seen, expires, user_agent, ip FROM entries WHERE expires IS NOT NULL
                """
            : entries;

        // Every condition is checked again on the row itself: an entry written again since the listing survives.
        DeleteDeadUserSessions = $"DELETE FROM {userTable} WHERE user_id = @user AND last_seen < @stale AND {noLiveSession}";
        SweepUserSessions = $"""
            DELETE FROM {userTable} WHERE session_id IN (
                SELECT u.session_id FROM {userTable} AS u
                WHERE u.last_seen < @stale AND NOT EXISTS (SELECT 1 FROM {table} AS s WHERE s.id = u.session_id AND s.expires > @now)
                LIMIT @batch
            ) AND last_seen < @stale AND {noLiveSession}
            """;
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

    /// <summary>The per-user index table's name as statements write it.</summary>
    public string UserTable { get; }

    /// <summary>Adds or replaces a session's entry (one upsert).</summary>
    public string SetUserSession { get; }

    /// <summary>Removes a session's entry from a user's list.</summary>
    public string RemoveUserSession { get; }

    /// <summary>
    /// A user's entries of live sessions, each with its session's expiry; where
    /// <see cref="ListRemovesDeadEntries"/> is false, also the dead ones past the grace, with a
    /// NULL expiry, for <see cref="DeleteDeadUserSessions"/>.
    /// </summary>
    public string ListUserSessions { get; }

    /// <summary>Whether <see cref="ListUserSessions"/> removes the dead entries itself (PostgreSQL: a data-modifying CTE), so that a listing is always one statement.</summary>
    public bool ListRemovesDeadEntries { get; }

    /// <summary>Removes a user's entries whose session is gone, past the grace; run after a listing that found some.</summary>
    public string DeleteDeadUserSessions { get; }

    /// <summary>Removes entries of any user whose session is gone, past the grace, a batch at a time.</summary>
    public string SweepUserSessions { get; }
}
