using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tote.Drivers;
using Tote.PostgreSql.Tests.Servers;
using Tote.Testing;

namespace Tote.PostgreSql.Tests.Drivers;

/// <summary>How the postgres driver's conformance classes create it: each class in a table of its own.</summary>
internal static class PostgreSqlConformance
{
    public static ValueTask<ISessionStore> CreateAsync(PostgreSqlServer server, string table, TimeProvider time)
    {
        var options = new PostgreSqlSessionStoreOptions { TableName = table, SweepInterval = TimeSpan.FromDays(1) };
        return ValueTask.FromResult<ISessionStore>(new PostgreSqlSessionStore(server.CreateDataSource(), ownsDataSource: true, options, time, NullLogger.Instance));
    }
}

/// <summary>The core driver conformance suite against a real PostgreSQL server, in a table of its own.</summary>
public sealed class PostgreSqlSessionStoreConformanceTests(PostgreSqlServer server) : SessionStoreConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => PostgreSqlConformance.CreateAsync(server, Table, time);

    // An empty record: what a bad write by another tool leaves (PostgreSQL's text cannot hold broken bytes).
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
    {
        await using var dataSource = server.CreateDataSource();
        await using var command = dataSource.CreateCommand($"UPDATE {Table} SET record = '' WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>The sweeping conformance tests against a real PostgreSQL server.</summary>
public sealed class PostgreSqlSessionStoreSweeperTests(PostgreSqlServer server) : SessionStoreSweeperConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => PostgreSqlConformance.CreateAsync(server, Table, time);
}

/// <summary>The enumeration conformance tests against a real PostgreSQL server.</summary>
public sealed class PostgreSqlSessionStoreEnumeratorTests(PostgreSqlServer server) : SessionStoreEnumeratorConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => PostgreSqlConformance.CreateAsync(server, Table, time);
}

/// <summary>The sliding-load conformance tests against a real PostgreSQL server: one statement reads and slides.</summary>
public sealed class PostgreSqlSessionStoreSlidingLoaderTests(PostgreSqlServer server) : SessionStoreSlidingLoaderConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => PostgreSqlConformance.CreateAsync(server, Table, time);
}

/// <summary>Hostile stored records on a real PostgreSQL server: the row's columns (text cannot hold broken UTF-8 or NUL, so the record is the nearest text).</summary>
public sealed class PostgreSqlDriverHostileRecordTests(PostgreSqlServer server) : SessionStoreHostileRecordConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    protected override void UseDriver(IToteBuilder builder) => builder.UsePostgreSql(server.ConnectionString, o =>
    {
        o.TableName = Table;
        o.SweepInterval = TimeSpan.FromDays(1);
    });

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
    {
        await using var dataSource = server.CreateDataSource();
        await using var command = dataSource.CreateCommand($"INSERT INTO {Table} (id, record, version, created, expires) VALUES ($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = HostileRecord.Text(record.Damage(record.Data.Span)) });
        command.Parameters.Add(new NpgsqlParameter { Value = record.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = record.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = record.ExpiresAt });
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>
/// The per-user index conformance tests against a real PostgreSQL server: tables of its own for
/// each test, because the suite's tests share user IDs ("ada"), which a shared table would mix.
/// </summary>
public sealed class PostgreSqlSessionStoreUserIndexTests(PostgreSqlServer server) : SessionStoreUserIndexConformanceTests
{
    private readonly string _table = PostgreSqlServer.NewTableName();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => PostgreSqlConformance.CreateAsync(server, _table, time);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await using var dataSource = server.CreateDataSource();
        await using var drop = dataSource.CreateCommand($"DROP TABLE IF EXISTS {_table}, {_table}_users");
        await drop.ExecuteNonQueryAsync();
    }
}
