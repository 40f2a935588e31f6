using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Tote.Drivers;

namespace Tote.Sql;

/// <summary>How a SQL store binds a statement's parameters, reads a row back, and refuses a damaged one.</summary>
internal abstract partial class SqlSessionStore
{
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
        };
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
    protected readonly record struct StoredRow(string? Record, long Version, long Created, long Expires, bool Slid = false, object? StoredVersion = null)
    {
        // A record struct prints its members; this one holds a visitor's session.
        public override string ToString() => nameof(StoredRow);
    }

    private readonly record struct SaveState(string Id, string Record, long Next, long Expected, long Created, long Expires, long Now)
    {
        // A record struct prints its members; this one holds a session ID and a visitor's session.
        public override string ToString() => nameof(SaveState);
    }
}
