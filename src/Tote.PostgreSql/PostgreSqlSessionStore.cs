using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tote.Drivers;
using Tote.Sql;

namespace Tote.PostgreSql;

/// <summary>
/// The <c>postgres</c> driver: one table, every statement one round trip on a pooled connection
/// of an <see cref="NpgsqlDataSource"/>. A read-only request is one statement even when its expiry
/// is due to slide (<see cref="LoadAndSlideAsync"/>).
/// </summary>
/// <remarks>
/// Prepared statements: every command is prepared explicitly. Npgsql keeps prepared statements on
/// the physical connection across pool rentals, and preparing SQL that connection already has
/// costs no round trip, so each statement is parsed and planned once per connection, whatever
/// data source the app passes in (no need for <c>Max Auto Prepare</c> in its connection string).
/// All statements run at READ COMMITTED and each is atomic on its own: a concurrent
/// compare-and-swap on the same row waits for the other and then sees its new version, so it
/// never fails with a serialization error; it simply does not match.
/// </remarks>
internal sealed class PostgreSqlSessionStore : SqlSessionStore, ISessionStoreSlidingLoader, IAsyncDisposable, IDisposable
{
    public const string Name = "postgres";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _location;
    private readonly string _loadAndSlide;
    private readonly string _qualifiedUserIndexName;

    public PostgreSqlSessionStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlSessionStoreOptions options, TimeProvider time, ILogger logger)
        : base(
            new SqlStatements(QualifiedName(options, options.TableName), QualifiedName(options, options.TableName + SqlIdentifier.UserTableSuffix), SqlDialect.PostgreSql),
            options.CreateTableIfMissing,
            options.SweepInterval,
            time,
            logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        // Host, port and database only: the connection string may hold a password.
        _location = $"PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database}";
        IndexName = SqlIdentifier.Quote(options.TableName + "_expires");
        UserIndexName = SqlIdentifier.Quote(options.TableName + SqlIdentifier.UserIndexSuffix);

        // to_regclass takes an index's name qualified by its table's schema, where CREATE INDEX takes it bare.
        _qualifiedUserIndexName = QualifiedName(options, options.TableName + SqlIdentifier.UserIndexSuffix);

        var table = Statements.Table;

        // One statement: the row as it is, and its expiry moved only when the move is worth a write
        // (SlidingExpiration.IsDue: by at least @slide); most reads write nothing. A row whose
        // times lie outside the calendar (@min, @max) is never slid: the sums would overflow bigint,
        // failing the read, and the row is malformed anyway. CASE keeps that order of evaluation,
        // which AND does not promise. The new expiry stops at the calendar's end, as
        // SlidingExpiration.ExpiryAt does, for timeouts of many millennia.
        _loadAndSlide = $"""
            WITH live AS (
                SELECT id, record, version, created, expires FROM {table} WHERE id = @id AND expires > @now
            ), slid AS (
                UPDATE {table} AS s SET expires = LEAST(@now + @idle, c.created + @absolute, @max)
                FROM live AS c
                WHERE s.id = c.id AND s.expires > @now AND CASE
                    WHEN c.created BETWEEN @min AND @max AND c.expires <= @max THEN LEAST(@now + @idle, c.created + @absolute, @max) - c.expires >= @slide
                    ELSE false
                END
                RETURNING s.expires
            )
            SELECT c.record, c.version, c.created, COALESCE((SELECT expires FROM slid), c.expires), EXISTS (SELECT 1 FROM slid) FROM live AS c
            """;
    }

    public override string DriverName => Name;

    /// <summary>The expiry index's name, quoted.</summary>
    public string IndexName { get; }

    /// <summary>The name of the index on the per-user table's <c>user_id</c>, quoted.</summary>
    public string UserIndexName { get; }

    protected override string Location => _location;

    public async ValueTask<SlidingLoadResult?> LoadAndSlideAsync(string id, SlidingExpiration expiration, CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var row = await ExecuteAsync(
            _loadAndSlide,
            writes: true,
            (id, now: Now(), idle: Milliseconds(expiration.IdleTimeout), absolute: Milliseconds(expiration.AbsoluteTimeout), slide: Milliseconds(expiration.MinimumSlide)),
            static (command, s) =>
            {
                Bind(command, "@id", s.id);
                Bind(command, "@now", s.now);
                Bind(command, "@idle", s.idle);
                Bind(command, "@absolute", s.absolute);
                Bind(command, "@slide", s.slide);
                Bind(command, "@min", MinTime);
                Bind(command, "@max", MaxTime);
            },
            ReadRowAsync,
            cancellationToken).ConfigureAwait(false);
        return await AcceptAsync(id, row, cancellationToken).ConfigureAwait(false) is { } record
            ? new SlidingLoadResult(record, row!.Value.Slid)
            : null;
    }

    /// <summary>
    /// PostgreSQL's text cannot hold U+0000, which a user ID may contain: it is written <c>\0</c>,
    /// and a backslash doubled, so that distinct user IDs stay distinct.
    /// </summary>
    protected override string UserKey(string userId)
        => userId.AsSpan().IndexOfAny('\0', '\\') < 0 ? userId : userId.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The statements that create the sessions table, the per-user index table and their indexes,
    /// as the README shows them. Each is <c>IF NOT EXISTS</c>, so a database made by an earlier
    /// version gains the index table at startup, with no migration step. The index table has no
    /// foreign key: a sign-in writes its entry before its session exists.
    /// </summary>
    internal static string CreateTableSql(string table, string index, string userTable, string userIndex)
        => CreateSessionsTableSql(table, index) + CreateUserTableSql(userTable, userIndex);

    private static string CreateSessionsTableSql(string table, string index) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            id      text   NOT NULL PRIMARY KEY,
            record  text   NOT NULL,
            version bigint NOT NULL,
            created bigint NOT NULL,
            expires bigint NOT NULL
        );
        CREATE INDEX IF NOT EXISTS {index} ON {table} (expires);

        """;

    private static string CreateUserTableSql(string userTable, string userIndex) => $"""
        CREATE TABLE IF NOT EXISTS {userTable} (
            session_id text   NOT NULL PRIMARY KEY,
            user_id    text   NOT NULL,
            signed_in  bigint NOT NULL,
            last_seen  bigint NOT NULL,
            expires    bigint NOT NULL,
            user_agent text,
            ip         text
        );
        CREATE INDEX IF NOT EXISTS {userIndex} ON {userTable} (user_id);
        """;

    protected override async ValueTask<TResult> ExecuteAsync<TState, TResult>(
        string sql,
        bool writes,
        TState state,
        Action<DbCommand, TState> bind,
        Func<DbCommand, CancellationToken, ValueTask<TResult>> run,
        CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                bind(command, state);
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                return await run(command, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override async ValueTask CreateTableAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Checked first: CREATE TABLE IF NOT EXISTS needs the CREATE privilege on the schema even
            // when the table is there, which a role that only uses migrated tables does not have.
            bool sessionsExist, userIndexExists;
            var exists = connection.CreateCommand();
            await using (exists.ConfigureAwait(false))
            {
                exists.CommandText = "SELECT to_regclass(@table) IS NOT NULL, to_regclass(@users) IS NOT NULL AND to_regclass(@usersIndex) IS NOT NULL";
                Bind(exists, "@table", Statements.Table);
                Bind(exists, "@users", Statements.UserTable);
                Bind(exists, "@usersIndex", _qualifiedUserIndexName);
                var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    (sessionsExist, userIndexExists) = (reader.GetBoolean(0), reader.GetBoolean(1));
                }
            }

            if (sessionsExist && userIndexExists)
            {
                return;
            }

            var create = connection.CreateCommand();
            await using (create.ConfigureAwait(false))
            {
                // A sessions table already there (an earlier version's, or a migration's) is left as it is.
                create.CommandText = sessionsExist
                    ? CreateUserTableSql(Statements.UserTable, UserIndexName)
                    : CreateTableSql(Statements.Table, IndexName, Statements.UserTable, UserIndexName);
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
                {
                    // Another app instance created it at the same moment: IF NOT EXISTS is not atomic in PostgreSQL.
                }
                catch (PostgresException ex) when (sessionsExist && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege)
                {
                    // A database of an earlier version, used by a role that may not create tables: sessions
                    // keep working; sign-ins and UserSessions fail until the index table is created.
                    UserIndexUnavailable = true;
                    Log.UserIndexTableNotCreated(Logger, DriverName, Statements.UserTable, ex);
                }
            }
        }
    }

    private static long Milliseconds(TimeSpan time) => (long)time.TotalMilliseconds;

    private static string QualifiedName(PostgreSqlSessionStoreOptions options, string name)
        => SqlIdentifier.Quote(options.Schema) + "." + SqlIdentifier.Quote(name);
}
