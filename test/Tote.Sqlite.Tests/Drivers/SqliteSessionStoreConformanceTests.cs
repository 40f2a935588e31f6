using Tote.Drivers;
using Tote.Testing;

namespace Tote.Sqlite.Tests.Drivers;

/// <summary>The core driver conformance suite against a real SQLite file.</summary>
public sealed class SqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    private readonly SqliteDatabase _database = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(_database.CreateStore(time));

    // Bytes that are not text where the record belongs: SQLite stores whatever a bad writer gives it.
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
        => await _database.ScalarAsync($"UPDATE {SqliteDatabase.Table} SET record = X'C328FF' WHERE id = @id", id);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>The sweeping conformance tests against a real SQLite file.</summary>
public sealed class SqliteSessionStoreSweeperTests : SessionStoreSweeperConformanceTests
{
    private readonly SqliteDatabase _database = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(_database.CreateStore(time));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>The enumeration conformance tests against a real SQLite file.</summary>
public sealed class SqliteSessionStoreEnumeratorTests : SessionStoreEnumeratorConformanceTests
{
    private readonly SqliteDatabase _database = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(_database.CreateStore(time));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
