using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tote.Drivers;
using Tote.PostgreSql.Drivers;
using Tote.PostgreSql.Tests.Servers;
using Tote.Testing;

namespace Tote.PostgreSql.Tests.Drivers;

/// <summary>The driver conformance suite against a real PostgreSQL server, in a table of its own.</summary>
public sealed class PostgreSqlSessionStoreConformanceTests(PostgreSqlServer server) : SessionStoreConformanceTests
{
    private static readonly string Table = PostgreSqlServer.NewTableName();

    [Fact]
    public Task Enumerate_ListsLiveSessionsOnly() => AssertEnumerationListsLiveSessionsOnlyAsync();

    [Fact]
    public Task SlidingLoad_MovesExpiryOnlyOnceATenthOfTheIdleTimeoutHasPassed_AndNeverTheRecord() => AssertSlidingLoadMovesExpiryOnlyWhenDueAsync();

    [Fact]
    public Task SlidingLoad_NeverPassesTheAbsoluteLifetime() => AssertSlidingLoadNeverPassesTheAbsoluteLifetimeAsync();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
    {
        var options = new PostgreSqlSessionStoreOptions { TableName = Table, SweepInterval = TimeSpan.FromDays(1) };
        return ValueTask.FromResult<ISessionStore>(new PostgreSqlSessionStore(server.CreateDataSource(), ownsDataSource: true, options, time, NullLogger.Instance));
    }

    // An empty record: what a bad write by another tool leaves (PostgreSQL's text cannot hold broken bytes).
    protected override async ValueTask CorruptAsync(ISessionStore store, string id)
    {
        await using var dataSource = server.CreateDataSource();
        await using var command = dataSource.CreateCommand($"UPDATE {Table} SET record = '' WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
