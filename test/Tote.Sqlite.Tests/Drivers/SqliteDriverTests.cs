using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;
using Tote.Testing;
using Tote.Tests.Shared;

namespace Tote.Sqlite.Tests.Drivers;

/// <summary>
/// What the <c>sqlite</c> driver promises beyond the conformance suite: the record stored verbatim
/// in one row, WAL mode, expiry refresh that leaves the record alone, batched sweeping, several
/// stores (processes) on one file, busy failures as 503, configuration alone, and the core's
/// concurrency guarantees through a real pipeline.
/// </summary>
public sealed class SqliteDriverTests : SessionPipelineConformanceTests, IDisposable
{
    private const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";

    private readonly SqliteDatabase _database = new();

    private FakeTimeProvider Clock { get; } = TestClock.Create();

    public void Dispose() => _database.Dispose();

    protected override void UseDriver(IToteBuilder builder) => builder.UseSqlite(_database.ConnectionString);

    [Fact]
    public async Task Save_StoresTheRecordVerbatimInOneRowWithItsTimes()
    {
        using var store = _database.CreateStore(Clock);
        var id = TestIds.New();

        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Equal(CartRecord, await _database.ScalarAsync("SELECT record FROM tote_sessions WHERE id = @id", id));
        Assert.Equal(Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds(), await _database.ScalarAsync("SELECT expires FROM tote_sessions WHERE id = @id", id));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions"));
    }

    [Fact]
    public async Task Database_IsInWalModeWithTheExpiryIndex()
    {
        using var store = _database.CreateStore(Clock);
        await store.LoadAsync(TestIds.New(), TestContext.Current.CancellationToken);

        Assert.Equal("wal", await _database.ScalarAsync("PRAGMA journal_mode"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'tote_sessions_expires'"));
    }

    [Fact]
    public async Task Refresh_ChangesOnlyTheExpiry_NeverTheRecordOrVersion()
    {
        using var store = _database.CreateStore(Clock);
        var id = TestIds.New();
        var version = await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var versionBefore = await _database.ScalarAsync("SELECT version FROM tote_sessions WHERE id = @id", id);

        Assert.True(await store.RefreshAsync(id, Clock.GetUtcNow().AddHours(3), TestContext.Current.CancellationToken));

        Assert.Equal(versionBefore, await _database.ScalarAsync("SELECT version FROM tote_sessions WHERE id = @id", id));
        Assert.Equal(CartRecord, await _database.ScalarAsync("SELECT record FROM tote_sessions WHERE id = @id", id));
        Assert.Equal(version, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.Version);
    }

    [Fact]
    public async Task Sweep_DeletesExpiredRowsInBatchesUntilNoneAreLeft()
    {
        using var store = _database.CreateStore(Clock);
        var live = TestIds.New();
        await store.SaveAsync(live, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var past = Clock.GetUtcNow().AddMinutes(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await _database.ScalarAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
            INSERT INTO tote_sessions (id, record, version, created, expires) SELECT 'expired-' || i, '[]', 1, 0, {past} FROM n
            """);

        var removed = await store.SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2500, removed);
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions"));
        Assert.NotNull(await store.LoadAsync(live, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TimedSweeper_RemovesExpiredSessionsOnTheAppsClock()
    {
        await using var host = await StartHostAsync(o => o.Driver = b => b.UseSqlite(_database.ConnectionString, s => s.SweepInterval = TimeSpan.FromMinutes(10)));
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();
        var swept = host.SweepRemovingSessions();

        // Past the idle timeout (1 hour), ticking the sweep timer on the way.
        for (var i = 0; i < 7; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(1, await swept.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions"));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_ConcurrentCompareAndSwapLosesNothing()
    {
        // Two stores with their own connections and write gates: what two app processes on one machine are.
        using var first = _database.CreateStore(Clock);
        using var second = _database.CreateStore(Clock);
        var id = TestIds.New();
        await first.SaveAsync(id, Record("0"), SessionVersion.Missing, TestContext.Current.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? first : second;
            while (true)
            {
                var current = await store.LoadAsync(id, TestContext.Current.CancellationToken);
                var next = (int.Parse(current!.Data, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                if (await store.SaveAsync(id, Record(next), current.Version, TestContext.Current.CancellationToken) is not null)
                {
                    return;
                }
            }
        })));

        Assert.Equal("40", (await second.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
    }

    [Fact]
    public async Task WriteLockHeldBeyondTheBusyTimeout_FailsTheRequestWith503()
    {
        await using var host = await StartHostAsync(o => o.Driver = b => b.UseSqlite(_database.ConnectionString, s => s.BusyTimeout = TimeSpan.FromMilliseconds(100)));
        using var client = host.CreateClient();
        (await client.PostAsync("/cart/a")).Dispose();

        // Another process holds the write lock and does not let go.
        await using var other = new SqliteConnection(_database.ConnectionString + ";Pooling=False");
        await other.OpenAsync(TestContext.Current.CancellationToken);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var blocked = await client.PostAsync("/cart/b");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, blocked.StatusCode);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Exception is SessionStoreException { Driver: "sqlite", InnerException: SqliteException { SqliteErrorCode: 5 } });
        Assert.Equal("a", await client.GetStringAsync("/cart"));
    }

    [Fact]
    public async Task RowWithANegativeVersion_IsReadAndWrittenLikeAnyOther()
    {
        // Another writer's row: the driver only ever draws positive versions, but must match any integer.
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        var id = TestIds.New();
        var now = host.Clock.GetUtcNow();
        await InsertRowAsync(id, """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"a"]""", -1L, now.AddHours(-1).ToUnixTimeMilliseconds(), now.AddHours(1).ToUnixTimeMilliseconds());
        client.SessionId = id;

        using var added = await client.PostAsync("/cart/b");

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(id, client.SessionId);
        Assert.Equal("a,b", await client.GetStringAsync("/cart"));
    }

    [Theory]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, 253_402_300_799_999L)]
    [InlineData(-62_135_596_800_001L, 253_402_300_799_999L)]
    [InlineData(0L, 253_402_300_800_000L)]
    public async Task Load_RowWithTimesADateCannotHold_IsNotFoundAndRemoved(long created, long expires)
    {
        using var store = _database.CreateStore(Clock);
        var id = TestIds.New();
        await InsertRowAsync(id, CartRecord, 1L, created, expires);

        Assert.Null(await store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions WHERE id = @id", id));
    }

    [Theory]
    [InlineData("version", 1.5)]
    [InlineData("version", "7x")]
    [InlineData("created", 2.5)]
    [InlineData("expires", "later")]
    public async Task Load_RowWhoseVersionOrTimesAreNotIntegers_IsNotFoundAndRemoved(string column, object value)
    {
        // SQLite stores what a bad writer gives it, whatever the column's declared type.
        using var store = _database.CreateStore(Clock);
        var id = TestIds.New();
        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await ExecuteAsync($"UPDATE tote_sessions SET {column} = @value WHERE id = @id", ("@id", id), ("@value", value));

        Assert.Null(await store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions WHERE id = @id", id));
    }

    [Fact]
    public async Task ConfigurationAlone_ChoosesSqliteWithItsTable()
    {
        await using var host = await ToteTestHost.StartAsync(MapEndpoints, o =>
        {
            o.Configuration["Tote:Driver"] = "sqlite";
            o.Configuration["Tote:Sqlite:ConnectionString"] = _database.ConnectionString;
            o.Configuration["Tote:Sqlite:TableName"] = "app_sessions";
            o.Driver = b => b.AddSqlite();
        });
        using var client = host.CreateClient();

        (await client.PostAsync("/cart/a")).Dispose();

        Assert.IsType<SqliteSessionStore>(host.Store);
        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"a"]""", await _database.ScalarAsync("SELECT record FROM app_sessions WHERE id = @id", client.SessionId));
    }

    [Fact]
    public async Task UseSqlite_WithoutConnectionString_KeepsTheDatabaseUnderTheContentRoot()
    {
        using var root = new TempDirectory();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<IHostEnvironment>(new ContentRoot(root.Path));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddTote().UseSqlite();
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<ISessionStore>();
            await store.SaveAsync(TestIds.New(), Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(Path.Combine(root.Path, ".tote", "sessions.db")));
    }

    [Fact]
    public async Task CreateTableIfMissingOff_LeavesTheDatabaseAlone()
    {
        using var store = _database.CreateStore(Clock, o => o.CreateTableIfMissing = false);

        var error = await Assert.ThrowsAsync<SqliteException>(async () => await store.LoadAsync(TestIds.New(), TestContext.Current.CancellationToken));

        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadOptions_FailStartupListingEveryError()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ToteTestHost.StartAsync(MapEndpoints, o =>
            o.Driver = b => b.UseSqlite(_database.ConnectionString, s =>
            {
                s.TableName = "sessions; DROP TABLE users";
                s.BusyTimeout = TimeSpan.Zero;
            })));

        Assert.Contains("Tote:Sqlite:TableName", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tote:Sqlite:BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readme_ShowsTheStatementsThatCreateTheTable()
    {
        var readme = await File.ReadAllTextAsync(RepositoryFiles.Find("src/Tote.Sqlite/README.md"), TestContext.Current.CancellationToken);

        Assert.Contains(SqliteSessionStore.CreateTableSql("\"tote_sessions\"", "\"tote_sessions_users\""), readme, StringComparison.Ordinal);
    }

    /// <summary>Writes a row as another writer would, bypassing the driver.</summary>
    private Task InsertRowAsync(string id, string record, long version, long created, long expires) => ExecuteAsync(
        "INSERT INTO tote_sessions (id, record, version, created, expires) VALUES (@id, @record, @version, @created, @expires)",
        ("@id", id), ("@record", record), ("@version", version), ("@created", created), ("@expires", expires));

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(_database.ConnectionString + ";Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private SessionRecord Record(string data = CartRecord) => new()
    {
        Data = data,
        CreatedAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow().AddHours(1),
    };

    private sealed class ContentRoot(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = path;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
