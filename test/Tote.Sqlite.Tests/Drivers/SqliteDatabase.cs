using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Testing;

namespace Tote.Sqlite.Tests.Drivers;

/// <summary>A real SQLite database file in a fresh temporary directory, and direct access to its table.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    public const string Table = "tote_sessions";

    private readonly TempDirectory _directory = new();

    public string Path => System.IO.Path.Combine(_directory.Path, "sessions.db");

    public string ConnectionString => "Data Source=" + Path;

    public SqliteSessionStore CreateStore(TimeProvider time, Action<SqliteSessionStoreOptions>? configure = null)
    {
        var options = new SqliteSessionStoreOptions { SweepInterval = TimeSpan.FromDays(1) };
        configure?.Invoke(options);
        var store = new SqliteSessionStore(ConnectionString, options, time, NullLogger.Instance);
        store.PrepareTable();
        return store;
    }

    /// <summary>Runs <paramref name="sql"/> on a connection of its own (as another process would), with <c>@id</c> bound when given.</summary>
    public async Task<object?> ScalarAsync(string sql, string? id = null)
    {
        await using var connection = new SqliteConnection(ConnectionString + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is not null)
        {
            command.Parameters.AddWithValue("@id", id);
        }

        return await command.ExecuteScalarAsync();
    }

    public void Dispose() => _directory.Dispose();
}
