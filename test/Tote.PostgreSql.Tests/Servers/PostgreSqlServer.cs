using Npgsql;

[assembly: AssemblyFixture(typeof(Tote.PostgreSql.Tests.Servers.PostgreSqlServer))]

namespace Tote.PostgreSql.Tests.Servers;

/// <summary>
/// The PostgreSQL server every test class shares: the one eng/test.sh started (its connection
/// string in <c>TOTE_TEST_POSTGRES</c>), or else a throwaway cluster this fixture starts when
/// PostgreSQL is installed. With neither, the tests that need it report themselves skipped, saying
/// why. Each test class uses tables of its own, so classes run in parallel on one server.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    /// <summary>The environment variable eng/test.sh sets to the connection string of the server it started.</summary>
    public const string Variable = "TOTE_TEST_POSTGRES";

    private PostgreSqlCluster? _cluster;
    private string? _connectionString;
    private string? _unavailable;

    /// <summary>Why there is no PostgreSQL here, or null when there is.</summary>
    public static string? NotInstalled => PostgreSqlCluster.FindBinaries() is null
        ? "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); eng/test.sh installs it with apt-get and starts a cluster."
        : null;

    /// <summary>The connection string, or skips the calling test saying why there is no server.</summary>
    public string ConnectionString
    {
        get
        {
            if (_connectionString is null)
            {
                Assert.Skip(_unavailable ?? "No PostgreSQL server.");
            }

            return _connectionString;
        }
    }

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName() => "tote_test_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A data source for the server (skips the calling test when there is none).</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            _connectionString = configured;
            return;
        }

        if (PostgreSqlCluster.FindBinaries() is not { } binaries)
        {
            _unavailable = $"No PostgreSQL: {Variable} is not set and {NotInstalled}";
            return;
        }

        _cluster = await PostgreSqlCluster.StartAsync(binaries);
        _connectionString = _cluster.ConnectionString;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
