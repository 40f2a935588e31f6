using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Tote.Drivers;
using Tote.PostgreSql.Tests.Servers;
using Tote.Testing;
using Tote.Tests.Shared;
using Tote.Users;

namespace Tote.PostgreSql.Tests.Drivers;

/// <summary>
/// The <c>postgres</c> driver's per-user index beyond the conformance suite: its table beside the
/// sessions table (also in a database of the previous schema, and for a role that may not create
/// it), the rows listing and sweeping remove, and the statements a signed-in app's requests cost
/// through a real pipeline, counted from Npgsql's traces.
/// </summary>
public sealed class PostgreSqlUserIndexTests(PostgreSqlServer server) : IAsyncLifetime
{
    private readonly string _table = PostgreSqlServer.NewTableName();
    private NpgsqlDataSource? _dataSource;

    private string Users => _table + "_users";

    private NpgsqlDataSource DataSource => _dataSource!;

    private FakeTimeProvider Clock { get; } = TestClock.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await ScalarAsync($"DROP TABLE IF EXISTS {_table}, {Users}");
            await _dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task Startup_OnADatabaseOfThePreviousSchema_AddsTheIndexTableAndItsUserIndex_LeavingTheSessionsTableAlone()
    {
        // What the driver created before the per-user index existed, here without the expiry index (as a migration might).
        await ScalarAsync($"CREATE TABLE {_table} (id text PRIMARY KEY, record text NOT NULL, version bigint NOT NULL, created bigint NOT NULL, expires bigint NOT NULL)");
        var id = TestIds.New();
        await ScalarAsync($"INSERT INTO {_table} VALUES ($1, '[]', 1, 0, $2)", id, Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds());

        var store = CreateStore();

        Assert.Equal("CREATE INDEX " + _table + "_users_user_id ON public." + Users + " USING btree (user_id)", await ScalarAsync($"SELECT indexdef FROM pg_indexes WHERE tablename = '{Users}' AND indexname = '{_table}_users_user_id'"));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE tablename = '{_table}' AND indexname = '{_table}_expires'"));
        await store.SetUserSessionAsync("ada", Entry(id), Ct);
        Assert.Equal(id, Assert.Single(await store.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    [Fact]
    public async Task Startup_ForARoleThatMayNotCreateTheIndexTable_KeepsSessionsWorking_AndWarns()
    {
        var role = "tote_role_" + _table[^8..];
        await ScalarAsync($"CREATE TABLE {_table} (id text PRIMARY KEY, record text NOT NULL, version bigint NOT NULL, created bigint NOT NULL, expires bigint NOT NULL)");
        await ScalarAsync($"CREATE ROLE {role} LOGIN");
        try
        {
            // PostgreSQL 15 and later grant no CREATE on public; older ones do, to everyone.
            await ScalarAsync($"REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            await ScalarAsync($"GRANT SELECT, INSERT, UPDATE, DELETE ON {_table} TO {role}");
            var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = role }.ConnectionString;
            await using var host = await ToteTestHost.StartAsync(UserIndexEndpoints.Map, o => o.Driver = b => b.UsePostgreSql(connectionString, p =>
            {
                p.TableName = _table;
                p.SweepInterval = TimeSpan.FromDays(1);
            }));
            using var client = host.CreateClient();

            using var set = await client.PostAsync("/set/a/1");
            using var signIn = await client.PostAsync("/signin/ada");

            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.StatusCode);
            Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 203 && r.Message.Contains(Users, StringComparison.Ordinal));
            Assert.Equal(0, await ((ISessionStoreSweeper)host.Store).SweepAsync(Ct));
        }
        finally
        {
            await ScalarAsync($"DROP OWNED BY {role}");
            await ScalarAsync($"DROP ROLE {role}");
        }
    }

    [Fact]
    public async Task Set_StoresOneRowPerSession_MovingItToTheNewUser()
    {
        var store = CreateStore();
        var id = await CreateSessionAsync(store);

        await store.SetUserSessionAsync("ada", Entry(id), Ct);
        await store.SetUserSessionAsync("grace", Entry(id), Ct);

        Assert.Equal("grace", await ScalarAsync($"SELECT string_agg(user_id, ',') FROM {Users}"));
        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));
    }

    [Fact]
    public async Task UserIds_OfAnyCharacters_AreKeptApart()
    {
        // NUL, backslashes (PostgreSQL's text cannot hold U+0000, so the driver escapes), and what a key or path would trip on.
        string[] users = ["a\0b", "a\\0b", "a\\\0b", "a", "a b", "ada/{x}:1", "ädä 🙂", new string('u', 256)];
        var ids = new Dictionary<string, string>();
        var store = CreateStore();
        foreach (var user in users)
        {
            ids[user] = await CreateSessionAsync(store);
            await store.SetUserSessionAsync(user, Entry(ids[user]), Ct);
        }

        foreach (var user in users)
        {
            Assert.Equal(ids[user], Assert.Single(await store.ListUserSessionsAsync(user, Ct)).SessionId);
        }

        await store.RemoveUserSessionAsync("a\\0b", ids["a\0b"], Ct);
        Assert.Single(await store.ListUserSessionsAsync("a\0b", Ct));
        await store.RemoveUserSessionAsync("a\0b", ids["a\0b"], Ct);
        Assert.Empty(await store.ListUserSessionsAsync("a\0b", Ct));
    }

    [Fact]
    public async Task List_DeletesTheRowsOfDeadSessionsPastTheGrace_AndKeepsPendingOnes()
    {
        var store = CreateStore();
        var dead = await CreateSessionAsync(store);
        await store.SetUserSessionAsync("ada", Entry(dead), Ct);
        await store.DeleteAsync(dead, Ct);
        Clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));
        var pending = TestIds.New();
        await store.SetUserSessionAsync("ada", Entry(pending), Ct);

        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));

        Assert.Equal(pending, await ScalarAsync($"SELECT string_agg(session_id, ',') FROM {Users}"));
    }

    [Fact]
    public async Task Sweep_RemovesEntriesOfDeadSessionsPastTheGrace_InBatches_AndKeepsLiveAndPendingOnes()
    {
        var store = CreateStore();
        var live = await CreateSessionAsync(store);
        await store.SetUserSessionAsync("ada", Entry(live), Ct);
        var old = Clock.GetUtcNow().AddMinutes(-2).ToUnixTimeMilliseconds();
        await ScalarAsync($"INSERT INTO {Users} (session_id, user_id, signed_in, last_seen, expires) SELECT 'gone-' || i, 'user-' || (i % 7), $1, $1, $1 FROM generate_series(1, 2500) AS i", old);
        var pending = TestIds.New();
        await store.SetUserSessionAsync("ada", Entry(pending), Ct);

        Assert.Equal(0, await store.SweepAsync(Ct));

        Assert.Equal(2L, await ScalarAsync($"SELECT count(*) FROM {Users}"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {Users} WHERE session_id = $1", pending));
        Assert.Equal(live, Assert.Single(await store.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    [Fact]
    public async Task TableNameTooLongForTheIndexTablesName_FailsStartupSayingSo()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ToteTestHost.StartAsync(UserIndexEndpoints.Map, o =>
            o.Driver = b => b.UsePostgreSql(DataSource, p => p.TableName = new string('t', 50))));

        Assert.Contains("Tote:PostgreSql:TableName", error.Message, StringComparison.Ordinal);
        Assert.Contains("use at most 49", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInRequests_CostIndexStatementsOnlyWhenTheBindingOrExpiryChanges_AndAListIsOneStatement()
    {
        await using var host = await StartHostAsync();
        using var warm = host.CreateClient();
        (await warm.PostAsync("/signin/grace")).Dispose(); // the store's first sign-in makes its handle key: once per store, not per sign-in
        using var plain = host.CreateClient();
        using var user = host.CreateClient();
        (await plain.PostAsync("/set/a/1")).Dispose();
        (await user.PostAsync("/set/a/1")).Dispose();

        var regenerate = await CountAsync(() => plain.PostAsync("/regenerate"));
        var signIn = await CountAsync(() => user.PostAsync("/signin/ada"));
        var read = await CountAsync(() => user.GetAsync("/me"));
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var slidingRead = await CountAsync(() => user.GetAsync("/me"));
        var list = await CountAsync(() => user.GetAsync("/devices/ada"));
        var signOut = await CountAsync(() => user.PostAsync("/signout"));

        Assert.Equal((0, regenerate.All + 1), (regenerate.Index, signIn.All));
        Assert.Equal(1, signIn.Index);           // the entry, written before the new session
        Assert.Equal((1, 0), read);              // one load
        Assert.Equal((2, 1), slidingRead);       // one load that slides, then the entry's new last-seen
        Assert.Equal((1, 1), list);              // one joined statement
        Assert.Equal((3, 1), signOut);           // load, the session's delete, then the entry's
    }

    [Fact]
    public async Task List_WithEntriesOfDeadSessions_IsStillOneStatement_ThatDeletesThem()
    {
        await using var host = await StartHostAsync();
        using var laptop = host.CreateClient();
        using var phone = host.CreateClient();
        (await laptop.PostAsync("/signin/ada")).Dispose();
        (await phone.PostAsync("/signin/ada")).Dispose();
        await ScalarAsync($"DELETE FROM {_table} WHERE id = $1", phone.SessionId!);
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        var list = await CountAsync(() => laptop.GetAsync("/devices/ada"));

        Assert.Equal((1, 1), list);
        Assert.Equal(laptop.SessionId, await ScalarAsync($"SELECT string_agg(session_id, ',') FROM {Users}"));
    }

    private async Task<ToteTestHost> StartHostAsync()
    {
        var host = await ToteTestHost.StartAsync(UserIndexEndpoints.Map, o => o.Driver = b => b.UsePostgreSql(server.ConnectionString, p =>
        {
            p.TableName = _table;

            // No timed sweep while a test moves the clock: its statements would be counted with the request's.
            p.SweepInterval = TimeSpan.FromDays(1);
        }));

        // The store is checked once at startup, in the background: its statement is not a request's.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var record in host.Logs.GetLogsAsync(wait.Token))
        {
            if (record.Id.Id == 74)
            {
                break;
            }
        }

        return host;
    }

    // Npgsql traces every command it sends; those naming this test's tables are this test's statements.
    private async Task<(int All, int Index)> CountAsync(Func<Task<HttpResponseMessage>> request)
    {
        var (all, index) = (0, 0);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var texts = activity.TagObjects.Select(t => t.Value).OfType<string>().ToList();
                if (texts.Any(t => t.Contains(_table, StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref all);
                }

                if (texts.Any(t => t.Contains(Users, StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref index);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var response = await request();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        return (all, index);
    }

    private PostgreSqlSessionStore CreateStore()
    {
        var store = new PostgreSqlSessionStore(DataSource, ownsDataSource: false, new PostgreSqlSessionStoreOptions { TableName = _table }, Clock, NullLogger.Instance);
        store.PrepareTable();
        return store;
    }

    private async Task<string> CreateSessionAsync(PostgreSqlSessionStore store)
    {
        var id = TestIds.New();
        Assert.NotNull(await store.SaveAsync(id, new SessionRecord { Data = "[]", CreatedAt = Clock.GetUtcNow(), ExpiresAt = Clock.GetUtcNow().AddHours(1) }, SessionVersion.Missing, Ct));
        return id;
    }

    private UserSessionIndexEntry Entry(string sessionId) => new()
    {
        SessionId = sessionId,
        SignedInAt = Clock.GetUtcNow(),
        LastSeenAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow().AddHours(1),
    };

    private async Task<object?> ScalarAsync(string sql, params object[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync(Ct);
    }
}
