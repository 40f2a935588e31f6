using Tote.Drivers;
using Tote.Testing;

namespace Tote.Sqlite.Tests.Drivers;

/// <summary>The core driver conformance suite against a real SQLite file.</summary>
public sealed class SqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    private readonly SqliteDatabase _database = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(DisposeAfterTest(_database).CreateStore(time));

    // Bytes that are not text where the record belongs: SQLite stores whatever a bad writer gives it.
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
        => await _database.ScalarAsync($"UPDATE {SqliteDatabase.Table} SET record = X'C328FF' WHERE id = @id", id);
}

/// <summary>The sweeping conformance tests against a real SQLite file.</summary>
public sealed class SqliteSessionStoreSweeperTests : SessionStoreSweeperConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(DisposeAfterTest(new SqliteDatabase()).CreateStore(time));
}

/// <summary>The enumeration conformance tests against a real SQLite file.</summary>
public sealed class SqliteSessionStoreEnumeratorTests : SessionStoreEnumeratorConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(DisposeAfterTest(new SqliteDatabase()).CreateStore(time));
}

/// <summary>Hostile stored records in a real SQLite file: the row's columns, the record column holding whatever bytes it is given as text.</summary>
public sealed class SqliteDriverHostileRecordTests : SessionStoreHostileRecordConformanceTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override void UseDriver(IToteBuilder builder) => builder.UseSqlite(_database.ConnectionString);

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_database.ConnectionString + ";Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {SqliteDatabase.Table} (id, record, version, created, expires) VALUES (@id, CAST(@record AS TEXT), @version, @created, @expires)";
        command.Parameters.AddWithValue("@id", id);
        command.Parameters.AddWithValue("@record", record.Damage(record.Data.Span));
        command.Parameters.AddWithValue("@version", record.Version);
        command.Parameters.AddWithValue("@created", record.CreatedAt);
        command.Parameters.AddWithValue("@expires", record.ExpiresAt);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public void Dispose() => _database.Dispose();
}

/// <summary>The per-user index conformance tests against a real SQLite file.</summary>
public sealed class SqliteSessionStoreUserIndexTests : SessionStoreUserIndexConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(DisposeAfterTest(new SqliteDatabase()).CreateStore(time));
}
