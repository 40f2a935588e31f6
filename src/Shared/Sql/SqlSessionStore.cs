using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Tote.Drivers;

namespace Tote.Sql;

/// <summary>
/// The session store both SQL drivers are: one row per session, compare-and-swap on a version
/// column in one statement, expiry refresh that touches only the expiry, and a sweeper deleting
/// expired rows in bounded batches, and the per-user index in a second table (the UserIndex
/// partial). A driver says only how a statement is run on its database
/// (<see cref="ExecuteAsync{TState, TResult}"/>) and how its tables are created.
/// </summary>
/// <remarks>
/// A version is a random positive 63-bit number drawn for each write, not a counter: a session
/// deleted and created again under the same ID never hands an old version back, so a request that
/// loaded the old one can never overwrite the new one. A version another writer stored may be any
/// integer, zero or negative too: it is handed back and matched as it is.
/// </remarks>
internal abstract partial class SqlSessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator
{
    private readonly TimeProvider _time;

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

    public TimeSpan SweepInterval { get; }

    /// <summary>The earliest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds: a row with a time before it is malformed.</summary>
    protected static long MinTime { get; } = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>The latest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds: a row with a time after it is malformed.</summary>
    protected static long MaxTime { get; } = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    protected SqlStatements Statements { get; }

    protected ILogger Logger { get; }

    /// <summary>Where the sessions are, for the startup log line: never with a password.</summary>
    protected abstract string Location { get; }

    /// <summary>Writes the driver's startup log line: where the sessions are, never with a password.</summary>
    public void Announce() => Log.Started(Logger, DriverName, Location, Statements.Table);

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

    /// <summary>
    /// Deletes expired rows, <see cref="SqlStatements.SweepBatchSize"/> per statement, until a
    /// batch comes back short; then the per-user index's entries whose session is gone, the same way.
    /// </summary>
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
        await SweepUserIndexAsync(cancellationToken).ConfigureAwait(false);
        return total;
    }

    // The core's reserved record holding the key of session handles (Tote.Users.HandleKeyRecord.Id): stored as a session, but not one.
    private const string HandleKeyId = "00000000-0000-0000-0000-000000000000";

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
                if (id != HandleKeyId)
                {
                    yield return id;
                }
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

    /// <summary>Now, in epoch milliseconds, by the app's clock.</summary>
    protected long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
