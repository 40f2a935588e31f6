using System.Data;
using System.Data.Common;
using Tote.Drivers;

namespace Tote.Sql;

/// <summary>
/// The per-user index (<see cref="ISessionStoreUserIndex"/>): a table beside the sessions table,
/// one row per session keyed by its ID and indexed by user. A listing is one statement joining
/// the sessions table, so it returns only live sessions, with their current expiry.
/// </summary>
internal abstract partial class SqlSessionStore : ISessionStoreUserIndex
{
    private static readonly long GraceMs = (long)UserSessionIndexEntry.PendingEntryGrace.TotalMilliseconds;

    /// <summary>
    /// Set when the sessions table exists but the index table could not be created (a role
    /// without the CREATE privilege): the sweep then leaves the index alone instead of failing.
    /// </summary>
    protected bool UserIndexUnavailable { get; set; }

    public async ValueTask SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(entry);
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            Statements.SetUserSession,
            writes: true,
            (userId: UserKey(userId), entry),
            static (command, s) =>
            {
                Bind(command, "@session", s.entry.SessionId);
                Bind(command, "@user", s.userId);
                Bind(command, "@signedIn", s.entry.SignedInAt.ToUnixTimeMilliseconds());
                Bind(command, "@lastSeen", s.entry.LastSeenAt.ToUnixTimeMilliseconds());
                Bind(command, "@expires", s.entry.ExpiresAt.ToUnixTimeMilliseconds());
                BindText(command, "@userAgent", s.entry.UserAgent);
                BindText(command, "@ip", s.entry.IpAddress);
            },
            static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            Statements.RemoveUserSession,
            writes: true,
            (userId: UserKey(userId), sessionId),
            static (command, s) =>
            {
                Bind(command, "@session", s.sessionId);
                Bind(command, "@user", s.userId);
            },
            static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One statement; on SQLite a second one (a delete) only when the first found entries of dead
    /// sessions past the grace, which PostgreSQL deletes within the first.
    /// </summary>
    public async ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        var state = (UserKey(userId), Now());
        var (live, dead) = await ExecuteAsync(
            Statements.ListUserSessions,
            writes: Statements.ListRemovesDeadEntries,
            state,
            BindList,
            ReadEntriesAsync,
            cancellationToken).ConfigureAwait(false);
        if (dead)
        {
            await ExecuteAsync(
                Statements.DeleteDeadUserSessions,
                writes: true,
                state,
                BindList,
                static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
                cancellationToken).ConfigureAwait(false);
        }

        return live;
    }

    /// <summary>Deletes entries whose session is gone, past the grace, a batch per statement until one comes back short.</summary>
    private async ValueTask SweepUserIndexAsync(CancellationToken cancellationToken)
    {
        if (UserIndexUnavailable)
        {
            return;
        }

        int removed;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            removed = await ExecuteAsync(
                Statements.SweepUserSessions,
                writes: true,
                Now(),
                static (command, now) =>
                {
                    Bind(command, "@now", now);
                    Bind(command, "@stale", now - GraceMs);
                    Bind(command, "@batch", (long)SqlStatements.SweepBatchSize);
                },
                static (command, ct) => new ValueTask<int>(command.ExecuteNonQueryAsync(ct)),
                cancellationToken).ConfigureAwait(false);
        }
        while (removed >= SqlStatements.SweepBatchSize);
    }

    /// <summary>A user ID as the <c>user_id</c> column holds it: as given, unless the database's text cannot hold it so.</summary>
    protected virtual string UserKey(string userId) => userId;

    private static void BindList(DbCommand command, (string UserId, long Now) s)
    {
        Bind(command, "@user", s.UserId);
        Bind(command, "@now", s.Now);
        Bind(command, "@stale", s.Now - GraceMs);
    }

    /// <summary>A nullable text parameter, typed so that a NULL and a string prepare the same statement.</summary>
    private static void BindText(DbCommand command, string name, string? value)
    {
        Bind(command, name, (object?)value ?? DBNull.Value);
        command.Parameters[name].DbType = DbType.String;
    }

    /// <summary>Reads the listing: the live entries, and whether it also saw dead ones (a NULL expiry).</summary>
    private static async ValueTask<(List<UserSessionIndexEntry> Live, bool Dead)> ReadEntriesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var live = new List<UserSessionIndexEntry>();
        var dead = false;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsDBNull(3))
                {
                    dead = true;
                    continue;
                }

                // Times a date cannot hold (a row some other writer damaged) leave the entry out,
                // as a load finds such a session not found; it is not deleted here.
                if (!TryReadTime(reader, 1, out var signedIn) || !TryReadTime(reader, 2, out var lastSeen) || !TryReadTime(reader, 3, out var expires))
                {
                    continue;
                }

                live.Add(new UserSessionIndexEntry
                {
                    SessionId = reader.GetString(0),
                    SignedInAt = signedIn,
                    LastSeenAt = lastSeen,
                    ExpiresAt = expires,
                    UserAgent = reader.IsDBNull(4) ? null : reader.GetString(4),
                    IpAddress = reader.IsDBNull(5) ? null : reader.GetString(5),
                });
            }
        }

        return (live, dead);
    }

    private static bool TryReadTime(DbDataReader reader, int ordinal, out DateTimeOffset time)
    {
        time = default;
        if (!IsInteger(reader, ordinal) || reader.GetInt64(ordinal) is var ms && (ms < MinTime || ms > MaxTime))
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }
}
