using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Tote.Sql;

namespace Tote.Sqlite;

/// <summary>
/// The <c>sqlite</c> driver: one table in a database file, in WAL mode so that readers never wait
/// for the writer, shared safely by several processes on one machine (SQLite's file locks, waited
/// on for <see cref="SqliteSessionStoreOptions.BusyTimeout"/>).
/// </summary>
/// <remarks>
/// <para>Prepared statements: Microsoft.Data.Sqlite has no statement cache across commands, and a
/// <see cref="SqliteCommand"/> keeps its compiled statement while its text stays the same. So the
/// store keeps its own connections open, each with one prepared command per statement, and lends
/// them out one caller at a time; every statement after the first on a connection runs without
/// being compiled again.</para>
/// <para>Writers in this process take turns on an async gate before they touch the file: SQLite
/// allows one writer at a time anyway, and waiting here costs no thread, where waiting on the
/// file lock would sleep one. Other processes are waited for by SQLite's busy handler.</para>
/// </remarks>
internal sealed class SqliteSessionStore : SqlSessionStore, IDisposable
{
    public const string Name = "sqlite";

    private readonly string _connectionString;
    private readonly string _path;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentBag<Lease> _idle = [];
    private bool _disposed;

    public SqliteSessionStore(string connectionString, SqliteSessionStoreOptions options, TimeProvider time, ILogger logger)
        : base(
            new SqlStatements(SqlIdentifier.Quote(options.TableName), SqlIdentifier.Quote(options.TableName + SqlIdentifier.UserTableSuffix), SqlDialect.Sqlite),
            options.CreateTableIfMissing,
            options.SweepInterval,
            time,
            logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            // The store keeps its connections itself (with their prepared commands); closing one must close the file.
            Pooling = false,

            // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY stops after this many seconds; SQLite's busy handler (below) waits first.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        _connectionString = builder.ToString();
        _path = builder.DataSource;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, options.BusyTimeout.TotalMilliseconds);
        if (builder.Mode is SqliteOpenMode.ReadWriteCreate && _path.Length > 0 && !string.Equals(_path, ":memory:", StringComparison.Ordinal)
            && Path.GetDirectoryName(Path.GetFullPath(_path)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
    }

    public override string DriverName => Name;

    protected override string Location => _path;

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var lease))
        {
            lease.Dispose();
        }

        _writeGate.Dispose();
    }

    protected override async ValueTask<TResult> ExecuteAsync<TState, TResult>(
        string sql,
        bool writes,
        TState state,
        Action<DbCommand, TState> bind,
        Func<DbCommand, CancellationToken, ValueTask<TResult>> run,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (writes)
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var lease = Rent();
            var healthy = false;
            try
            {
                var command = lease.Command(sql);
                bind(command, state);
                StatementObserver?.Invoke(sql);
                var result = await run(command, cancellationToken).ConfigureAwait(false);
                healthy = true;
                return result;
            }
            finally
            {
                Return(lease, healthy);
            }
        }
        finally
        {
            if (writes)
            {
                _writeGate.Release();
            }
        }
    }

    protected override async ValueTask CreateTableAsync(CancellationToken cancellationToken)
    {
        var lease = Rent();
        try
        {
            using var command = lease.Connection.CreateCommand();
            command.CommandText = CreateTableSql(Statements.Table, Statements.UserTable);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Return(lease, healthy: true);
        }
    }

    /// <summary>
    /// The statements that create the sessions table, the per-user index table and their indexes,
    /// as the README shows them. Each is <c>IF NOT EXISTS</c>, so a database made by an earlier
    /// version gains the index table at startup, with no migration step. The index table has no
    /// foreign key: a sign-in writes its entry before its session exists.
    /// </summary>
    internal static string CreateTableSql(string table, string userTable) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            id      TEXT    NOT NULL PRIMARY KEY,
            record  TEXT    NOT NULL,
            version INTEGER NOT NULL,
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS {Derived(table, "_expires")} ON {table} (expires);
        CREATE TABLE IF NOT EXISTS {userTable} (
            session_id TEXT    NOT NULL PRIMARY KEY,
            user_id    TEXT    NOT NULL,
            signed_in  INTEGER NOT NULL,
            last_seen  INTEGER NOT NULL,
            expires    INTEGER NOT NULL,
            user_agent TEXT,
            ip         TEXT
        );
        CREATE INDEX IF NOT EXISTS {Derived(table, SqlIdentifier.UserIndexSuffix)} ON {userTable} (user_id);
        """;

    /// <summary>Every statement the store runs passes here first; tests count them.</summary>
    internal Action<string>? StatementObserver { get; set; }

    private static string Derived(string quotedTable, string suffix) => SqlIdentifier.Quote(quotedTable.Trim('"') + suffix);

    private Lease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idle.TryTake(out var lease) ? lease : Open();
    }

    private void Return(Lease lease, bool healthy)
    {
        // A connection whose statement failed is closed rather than trusted again.
        if (healthy && !_disposed)
        {
            _idle.Add(lease);
        }
        else
        {
            lease.Dispose();
        }
    }

    private Lease Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();

            // WAL: readers and the writer do not block each other, and it is the mode that is safe for
            // several processes on one machine. It is a property of the file, so setting it on every
            // new connection is a no-op after the first. synchronous=NORMAL is the setting WAL is meant
            // for: a crash of the app loses nothing; a power cut may undo the last commits, never corrupt.
            pragmas.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            pragmas.ExecuteNonQuery();
            return new Lease(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>An open connection and its prepared commands, used by one caller at a time.</summary>
    private sealed class Lease(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand Command(string sql)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = Connection.CreateCommand();
                command.CommandText = sql;
                command.Prepare();
                _commands.Add(sql, command);
            }

            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            Connection.Dispose();
        }
    }
}
