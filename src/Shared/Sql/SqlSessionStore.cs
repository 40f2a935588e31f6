using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Tote.Drivers.Hosting;

namespace Tote.Drivers.Sql;

/// <summary>
/// The session store both SQL drivers are: one row per session, compare-and-swap on a version
/// column in one statement, expiry refresh that touches only the expiry, and a sweeper deleting
/// expired rows in bounded batches. A driver says only how a statement is run on its database
/// (<see cref="ExecuteAsync{TState, TResult}"/>) and how its table is created.
/// </summary>
/// <remarks>
/// A version is a random positive 63-bit number drawn for each write, not a counter: a session
/// deleted and created again under the same ID never hands an old version back, so a request that
/// loaded the old one can never overwrite the new one. A version another writer stored may be any
/// integer, zero or negative too: it is handed back and matched as it is.
/// </remarks>
internal abstract class SqlSessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator, IHostedSessionStore
{
    private readonly TimeProvider _time;
    private readonly bool _createTable;
    private readonly Lock _tableLock = new();
    private Task? _tableCreation;
    private volatile bool _tableReady;

    protected SqlSessionStore(SqlStatements statements, bool createTableIfMissing, TimeSpan sweepInterval, TimeProvider time, ILogger logger)
    {
        Statements = statements;
        _createTable = createTableIfMissing;
        _tableReady = !createTableIfMissing;
        SweepInterval = sweepInterval;
        _time = time;
        Logger = logger;
    }

    /// <summary>The driver's name, as in <c>"Tote:Driver"</c>.</summary>
    public abstract string DriverName { get; }

    public TimeSpan? SweepInterval { get; }

    /// <summary>The earliest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds: a row with a time before it is malformed.</summary>
    protected static long MinTime { get; } = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>The latest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds: a row with a time after it is malformed.</summary>
    protected static long MaxTime { get; } = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    protected SqlStatements Statements { get; }

    protected ILogger Logger { get; }

    /// <summary>Where the sessions are, for the startup log line: never with a password.</summary>
    protected abstract string Location { get; }

    public void Announce(ILogger logger) => Log.Started(Logger, DriverName, Location, Statements.Table);

    /// <summary>
    /// Creates the table now if the options ask for it. A database that cannot be reached yet does
    /// not stop the app: the failure is logged and creation is tried again at the first request.
    /// </summary>
    public void PrepareTable()
    {
        if (_tableReady)
        {
            return;
        }

        try
        {
            EnsureTableAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Any failure here is retried at the first request, where it becomes a 503.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TableNotReady(Logger, DriverName, Statements.Table, ex);
        }
    }

    public async ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var row = await ExecuteAsync(
            Statements.Load,
            writes: false,
            (id, now: Now()),
            static (command, s) =>
            {
                Bind(command, "@id", s.id);
                Bind(command, "@now", s.now);
            },
            ReadRowAsync,
            cancellationToken).ConfigureAwait(false);
        return await AcceptAsync(id, row, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        long? expected = null;
        if (!expectedVersion.IsMissing)
        {
            // A leading sign: a row some other writer stored may hold a negative version, which must still match.
            if (!long.TryParse(expectedVersion.Token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                // Not a version this driver issued: it cannot match the stored one.
                return null;
            }

            expected = parsed;
        }

        var next = NewVersion(expected);
        var state = new SaveState(id, record.Data, next, expected ?? 0, record.CreatedAt.ToUnixTimeMilliseconds(), record.ExpiresAt.ToUnixTimeMilliseconds(), Now());
        var changed = await ExecuteAsync(
            expected is null ? Statements.Insert : Statements.Update,
            writes: true,
            state,
            expected is null ? BindInsert : BindUpdate,
            static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
            cancellationToken).ConfigureAwait(false);
        return changed == 1 ? new SessionVersion(next.ToString(CultureInfo.InvariantCulture)) : null;
    }

    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            Statements.Delete,
            writes: true,
            id,
            static (command, id) => Bind(command, "@id", id),
            static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteAsync(
            Statements.Refresh,
            writes: true,
            (id, expires: expiresAt.ToUnixTimeMilliseconds(), now: Now()),
            static (command, s) =>
            {
                Bind(command, "@id", s.id);
                Bind(command, "@expires", s.expires);
                Bind(command, "@now", s.now);
            },
            static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Deletes expired rows, <see cref="SqlStatements.SweepBatchSize"/> per statement, until a batch comes back short.</summary>
    public async ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        int removed;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            removed = await ExecuteAsync(
                Statements.Sweep,
                writes: true,
                Now(),
                static (command, now) =>
                {
                    Bind(command, "@now", now);
                    Bind(command, "@batch", (long)SqlStatements.SweepBatchSize);
                },
                static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
                cancellationToken).ConfigureAwait(false);
            total += removed;
        }
        while (removed >= SqlStatements.SweepBatchSize);
        return total;
    }

    /// <summary>Lists live sessions in pages ordered by ID (keyset paging), for admin tools: not for request paths.</summary>
    public async IAsyncEnumerable<string> GetSessionIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var after = string.Empty;
        while (true)
        {
            var page = await ExecuteAsync(
                Statements.Enumerate,
                writes: false,
                (after, now: Now()),
                static (command, s) =>
                {
                    Bind(command, "@after", s.after);
                    Bind(command, "@now", s.now);
                    Bind(command, "@batch", (long)SqlStatements.EnumerationPageSize);
                },
                static async (command, ct) =>
                {
                    var ids = new List<string>();
                    var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            ids.Add(reader.GetString(0));
                        }
                    }

                    return ids;
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var id in page)
            {
                yield return id;
            }

            if (page.Count < SqlStatements.EnumerationPageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    /// <summary>
    /// Runs one statement. <paramref name="bind"/> sets its parameters (with <see cref="Bind"/>) on
    /// a command for <paramref name="sql"/>, which the driver prepares; <paramref name="run"/>
    /// executes it. <paramref name="writes"/> says whether the statement changes rows.
    /// </summary>
    protected abstract ValueTask<TResult> ExecuteAsync<TState, TResult>(
        string sql,
        bool writes,
        TState state,
        Action<DbCommand, TState> bind,
        Func<DbCommand, CancellationToken, ValueTask<TResult>> run,
        CancellationToken cancellationToken);

    /// <summary>Creates the table and its index when missing (<c>IF NOT EXISTS</c>).</summary>
    protected abstract ValueTask CreateTableAsync(CancellationToken cancellationToken);

    /// <summary>Sets a parameter's value, adding the parameter the first time (prepared commands keep theirs).</summary>
    protected static void Bind(DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameters = command.Parameters;
        if (parameters.Contains(name))
        {
            parameters[name].Value = value;
            return;
        }

        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        parameters.Add(parameter);
    }

    /// <summary>Reads the first row of a load (record, version, created, expires, and whether a sliding load moved the expiry), or null.</summary>
    protected static async ValueTask<StoredRow?> ReadRowAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            // SQLite keeps whatever type was written: anything but text where the record belongs, or
            // but integers where the version and times belong, is damage. Such a row keeps its
            // version as stored, so that it is removed only while nobody has replaced it.
            var slid = reader.FieldCount > 4 && reader.GetBoolean(4);
            if (!IsInteger(reader, 1) || !IsInteger(reader, 2) || !IsInteger(reader, 3))
            {
                return new StoredRow(null, 0, 0, 0, slid, reader.GetValue(1));
            }

            var record = !reader.IsDBNull(0) && reader.GetFieldType(0) == typeof(string) ? reader.GetString(0) : null;
            return new StoredRow(record, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), slid);
        }
    }

    /// <summary>Turns a loaded row into a record; removes a damaged one (if still unchanged) and reports it as not found.</summary>
    protected async ValueTask<SessionRecord?> AcceptAsync(string id, StoredRow? row, CancellationToken cancellationToken)
    {
        if (row is not { } found)
        {
            return null;
        }

        // No devalue text is empty, and no writer stores times a DateTimeOffset cannot hold: such a
        // row is a bad write by something else, which reads as not found, never as a store failure.
        if (string.IsNullOrEmpty(found.Record) || found.Created < MinTime || found.Created > MaxTime || found.Expires < MinTime || found.Expires > MaxTime)
        {
            Log.MalformedRecordRemoved(Logger);
            await ExecuteAsync(
                Statements.DeleteIfUnchanged,
                writes: true,
                (id, version: found.StoredVersion ?? found.Version),
                static (command, s) =>
                {
                    Bind(command, "@id", s.id);
                    Bind(command, "@version", s.version);
                },
                static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
                cancellationToken).ConfigureAwait(false);
            return null;
        }

        return new SessionRecord
        {
            Data = found.Record,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(found.Created),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(found.Expires),
            Version = new SessionVersion(found.Version.ToString(CultureInfo.InvariantCulture)),
            Slid = found.Slid,
        };
    }

    /// <summary>Now, in epoch milliseconds, by the app's clock.</summary>
    protected long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Checks cancellation and makes sure the table exists before a statement runs.</summary>
    protected ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _tableReady ? ValueTask.CompletedTask : EnsureTableAsync(cancellationToken);
    }

    private ValueTask EnsureTableAsync(CancellationToken cancellationToken)
    {
        // One creation at a time, shared by every caller waiting for it; a failed one is tried again by the next caller.
        Task creation;
        lock (_tableLock)
        {
            if (_tableCreation is null || _tableCreation.IsFaulted || _tableCreation.IsCanceled)
            {
                _tableCreation = CreateTableOnceAsync();
            }

            creation = _tableCreation;
        }

        return new ValueTask(creation.WaitAsync(cancellationToken));
    }

    private async Task CreateTableOnceAsync()
    {
        if (_createTable)
        {
            await CreateTableAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _tableReady = true;
    }

    private static bool IsInteger(DbDataReader reader, int ordinal)
        => !reader.IsDBNull(ordinal) && reader.GetFieldType(ordinal) is var type && (type == typeof(long) || type == typeof(int) || type == typeof(short));

    private static long NewVersion(long? previous)
    {
        Span<byte> bytes = stackalloc byte[8];
        long version;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            version = BitConverter.ToInt64(bytes) & long.MaxValue;
        }
        while (version == 0 || version == previous);
        return version;
    }

    private static void BindInsert(DbCommand command, SaveState s)
    {
        Bind(command, "@id", s.Id);
        Bind(command, "@record", s.Record);
        Bind(command, "@next", s.Next);
        Bind(command, "@created", s.Created);
        Bind(command, "@expires", s.Expires);
        Bind(command, "@now", s.Now);
    }

    private static void BindUpdate(DbCommand command, SaveState s)
    {
        BindInsert(command, s);
        Bind(command, "@version", s.Expected);
    }

    /// <summary>
    /// One stored row as a load reads it; <see cref="Record"/> is null when it is not text, or when
    /// the version or times are not integers, and <see cref="StoredVersion"/> then holds the version
    /// column's value as stored.
    /// </summary>
    protected readonly record struct StoredRow(string? Record, long Version, long Created, long Expires, bool Slid = false, object? StoredVersion = null);

    private readonly record struct SaveState(string Id, string Record, long Next, long Expected, long Created, long Expires, long Now);
}
