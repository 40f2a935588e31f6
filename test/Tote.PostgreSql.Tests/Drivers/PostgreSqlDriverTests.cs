using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Tote.Drivers;
using Tote.PostgreSql.Tests.Servers;
using Tote.Testing;
using Tote.Tests.Shared;

namespace Tote.PostgreSql.Tests.Drivers;

/// <summary>
/// What the <c>postgres</c> driver promises beyond the conformance suite: the record stored
/// verbatim, a read that is one statement even when its expiry slides, refresh that leaves the
/// record alone, batched sweeping, the app's data source, configuration alone, and the core's
/// concurrency guarantees through a real pipeline.
/// </summary>
public sealed class PostgreSqlDriverTests(PostgreSqlServer server) : SessionPipelineConformanceTests, IAsyncLifetime
{
    private const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";

    private readonly string _table = PostgreSqlServer.NewTableName();
    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource DataSource => _dataSource!;

    private FakeTimeProvider Clock { get; } = TestClock.Create();

    public ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await using (var drop = _dataSource.CreateCommand($"DROP TABLE IF EXISTS {_table}, {_table}_users"))
            {
                await drop.ExecuteNonQueryAsync();
            }

            await _dataSource.DisposeAsync();
        }
    }

    protected override void UseDriver(IToteBuilder builder) => builder.UsePostgreSql(server.ConnectionString, o =>
    {
        o.TableName = _table;

        // No timed sweep while a test moves the clock: its statements would be counted with the request's.
        o.SweepInterval = TimeSpan.FromDays(1);
    });

    [Fact]
    public async Task Save_StoresTheRecordVerbatimWithItsTimes()
    {
        var store = CreateStore();
        var id = TestIds.New();

        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);

        Assert.Equal(CartRecord, await ScalarAsync($"SELECT record FROM {_table} WHERE id = $1", id));
        Assert.Equal(Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds(), await ScalarAsync($"SELECT expires FROM {_table} WHERE id = $1", id));
    }

    [Fact]
    public async Task Requests_CostOneStatementToRead_TwoToWrite_OneToCreateOrDestroy()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();

        // The store is checked once at startup, in the background: its statement is not a request's.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var record in host.Logs.GetLogsAsync(wait.Token))
        {
            if (record.Id.Id == 74)
            {
                break;
            }
        }

        Assert.Equal(1, await CountStatementsAsync(() => client.PostAsync("/cart/a")));    // new session: one insert
        Assert.Equal(1, await CountStatementsAsync(() => client.GetAsync("/cart")));       // read: one statement
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await CountStatementsAsync(() => client.GetAsync("/cart")));       // read whose expiry slides: still one
        Assert.Equal(2, await CountStatementsAsync(() => client.PostAsync("/cart/b")));    // write: load, then compare-and-swap
        Assert.Equal(1, await CountStatementsAsync(() => client.PostAsync("/destroy")));   // destroy: one delete
    }

    [Fact]
    public async Task Sweep_DeletesExpiredRowsInBatchesUntilNoneAreLeft()
    {
        var store = CreateStore();
        var live = TestIds.New();
        await store.SaveAsync(live, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await ScalarAsync($"INSERT INTO {_table} (id, record, version, created, expires) SELECT 'expired-' || i, '[]', 1, 0, $1 FROM generate_series(1, 2500) AS i", Clock.GetUtcNow().AddMinutes(-1).ToUnixTimeMilliseconds());

        Assert.Equal(2500, await store.SweepAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {_table}"));
    }

    [Fact]
    public async Task ConfigurationAlone_ChoosesPostgresWithItsTable()
    {
        await using var host = await ToteTestHost.StartAsync(MapEndpoints, o =>
        {
            o.Configuration["Tote:Driver"] = "postgres";
            o.Configuration["Tote:PostgreSql:ConnectionString"] = server.ConnectionString;
            o.Configuration["Tote:PostgreSql:Schema"] = "public";
            o.Configuration["Tote:PostgreSql:TableName"] = _table;
            o.Driver = b => b.AddPostgreSql();
        });
        using var client = host.CreateClient();

        (await client.PostAsync("/cart/a")).Dispose();

        Assert.IsType<PostgreSqlSessionStore>(host.Store);
        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"a"]""", await ScalarAsync($"SELECT record FROM {_table} WHERE id = $1", client.SessionId!));
    }

    [Fact]
    public async Task UsePostgreSql_WithoutConnectionString_UsesTheAppsDataSourceAndLeavesItOpen()
    {
        await using (var host = await StartHostAsync(o =>
        {
            o.Services = s => s.AddSingleton(DataSource);
            o.Driver = b => b.UsePostgreSql(p => p.TableName = _table);
        }))
        {
            using var client = host.CreateClient();
            (await client.PostAsync("/cart/a")).Dispose();
            Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {_table} WHERE id = $1", client.SessionId!));
        }

        Assert.Equal(1, await ScalarAsync("SELECT 1"));
    }

    [Fact]
    public async Task BadOptions_FailStartupListingEveryError()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ToteTestHost.StartAsync(MapEndpoints, o =>
            o.Driver = b => b.UsePostgreSql(DataSource, p =>
            {
                p.Schema = "public\"; DROP TABLE users; --";
                p.TableName = "1sessions";
            })));

        Assert.Contains("Tote:PostgreSql:Schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tote:PostgreSql:TableName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readme_ShowsTheStatementsThatCreateTheTable()
    {
        var readme = await File.ReadAllTextAsync(RepositoryFiles.Find("src/Tote.PostgreSql/README.md"), TestContext.Current.CancellationToken);

        Assert.Contains(PostgreSqlSessionStore.CreateTableSql("\"public\".\"tote_sessions\"", "\"tote_sessions_expires\"", "\"public\".\"tote_sessions_users\"", "\"tote_sessions_users_user_id\""), readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistingTables_AreUsedWithoutCreatingAnything()
    {
        await ScalarAsync($"CREATE TABLE {_table} (id text PRIMARY KEY, record text NOT NULL, version bigint NOT NULL, created bigint NOT NULL, expires bigint NOT NULL)");
        await ScalarAsync($"CREATE TABLE {_table}_users (session_id text PRIMARY KEY, user_id text NOT NULL, signed_in bigint NOT NULL, last_seen bigint NOT NULL, expires bigint NOT NULL, user_agent text, ip text)");
        await ScalarAsync($"CREATE INDEX {_table}_users_user_id ON {_table}_users (user_id)");
        var store = CreateStore();
        var id = TestIds.New();

        Assert.NotNull(await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE tablename = '{_table}' AND indexname = '{_table}_expires'"));
    }

    [Theory]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, 253_402_300_799_999L)]
    [InlineData(-62_135_596_800_001L, 253_402_300_799_999L)]
    [InlineData(0L, 253_402_300_800_000L)]
    public async Task LoadAndSlide_RowWithTimesADateCannotHold_IsNotFoundAndRemoved(long created, long expires)
    {
        // The slide's sums would overflow bigint for some of these: a store failure, unless the row is never slid.
        var store = CreateStore();
        var id = TestIds.New();
        await InsertRowAsync(id, 1L, created, expires);

        Assert.Null(await store.LoadAndSlideAsync(id, new SlidingExpiration(TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromMinutes(6)), TestContext.Current.CancellationToken));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {_table} WHERE id = $1", id));
    }

    [Fact]
    public async Task LoadAndSlide_WithTimeoutsOfManyMillennia_SlidesToTheEndOfTheCalendar()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var endOfTheCalendar = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());
        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(30));

        var loaded = await store.LoadAndSlideAsync(id, new SlidingExpiration(TimeSpan.MaxValue, TimeSpan.MaxValue, TimeSpan.FromMinutes(6)), TestContext.Current.CancellationToken);

        Assert.Equal(endOfTheCalendar, loaded!.Value.Record.ExpiresAt);
        Assert.Equal(endOfTheCalendar, (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.ExpiresAt);
    }

    [Fact]
    public async Task RowWithANegativeVersion_IsReadAndReplacedLikeAnyOther()
    {
        // Another writer's row: the driver only ever draws positive versions, but must match any integer.
        var store = CreateStore();
        var id = TestIds.New();
        var now = Clock.GetUtcNow();
        await InsertRowAsync(id, -1L, now.AddHours(-1).ToUnixTimeMilliseconds(), now.AddHours(1).ToUnixTimeMilliseconds());
        var loaded = await store.LoadAndSlideAsync(id, new SlidingExpiration(TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromMinutes(6)), TestContext.Current.CancellationToken);

        Assert.NotNull(await store.SaveAsync(id, Record("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"c"]"""), loaded!.Value.Record.Version, TestContext.Current.CancellationToken));
        Assert.EndsWith("\"c\"]", (await store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data, StringComparison.Ordinal);
    }

    private PostgreSqlSessionStore CreateStore()
    {
        var store = new PostgreSqlSessionStore(DataSource, ownsDataSource: false, new PostgreSqlSessionStoreOptions { TableName = _table }, Clock, NullLogger.Instance);
        store.PrepareTable();
        return store;
    }

    private SessionRecord Record(string data = CartRecord, TimeSpan? lifetime = null) => new()
    {
        Data = data,
        CreatedAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
    };

    /// <summary>Writes a row as another writer would, bypassing the driver.</summary>
    private async Task InsertRowAsync(string id, long version, long created, long expires)
        => await ScalarAsync($"INSERT INTO {_table} (id, record, version, created, expires) VALUES ($1, $2, $3, $4, $5)", id, CartRecord, version, created, expires);

    private async Task<object?> ScalarAsync(string sql, params object[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    // Npgsql traces every command it sends; those naming this test's table are this test's statements.
    private async Task<int> CountStatementsAsync(Func<Task<HttpResponseMessage>> request)
    {
        var count = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(t => t.Value is string text && text.Contains(_table, StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref count);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var response = await request();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        return count;
    }
}
