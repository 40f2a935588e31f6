using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;
using Tote.Testing;
using Tote.Tests.Shared;
using Tote.Users;

namespace Tote.Sqlite.Tests.Drivers;

/// <summary>
/// The <c>sqlite</c> driver's per-user index beyond the conformance suite: its table beside the
/// sessions table (also in a database of the previous schema), the rows listing and sweeping
/// remove, and the statements a signed-in app's requests cost through a real pipeline.
/// </summary>
public sealed class SqliteUserIndexTests : IDisposable
{
    private readonly SqliteDatabase _database = new();

    private FakeTimeProvider Clock { get; } = TestClock.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Startup_OnADatabaseOfThePreviousSchema_AddsTheIndexTableAndItsUserIndex_KeepingTheSessions()
    {
        // What the driver created before the per-user index existed.
        await _database.ScalarAsync("""
            CREATE TABLE "tote_sessions" (id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, version INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);
            CREATE INDEX "tote_sessions_expires" ON "tote_sessions" (expires);
            """);
        var id = TestIds.New();
        await _database.ScalarAsync($"INSERT INTO tote_sessions VALUES (@id, '[]', 1, 0, {Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds()})", id);

        using var store = _database.CreateStore(Clock);

        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tote_sessions_users'"));
        Assert.Equal("CREATE INDEX \"tote_sessions_users_user_id\" ON \"tote_sessions_users\" (user_id)", await _database.ScalarAsync("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'tote_sessions_users_user_id'"));
        await store.SetUserSessionAsync("ada", Entry(id), Ct);
        Assert.Equal(id, Assert.Single(await store.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    [Fact]
    public async Task Set_StoresOneRowPerSession_MovingItToTheNewUser()
    {
        using var store = _database.CreateStore(Clock);
        var id = await CreateSessionAsync(store);

        await store.SetUserSessionAsync("ada", Entry(id), Ct);
        await store.SetUserSessionAsync("grace", Entry(id), Ct);

        Assert.Equal("grace", await _database.ScalarAsync("SELECT user_id FROM tote_sessions_users WHERE session_id = @id", id));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions_users"));
        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));
    }

    [Fact]
    public async Task UserIds_OfAnyCharacters_AreKeptApart()
    {
        // NUL, backslashes (PostgreSQL's text cannot hold U+0000, so the driver escapes), and what a key or path would trip on.
        string[] users = ["a\0b", "a\\0b", "a\\\0b", "a", "a b", "ada/{x}:1", "ädä 🙂", new string('u', 256)];
        var ids = new Dictionary<string, string>();
        using var store = _database.CreateStore(Clock);
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
        using var store = _database.CreateStore(Clock);
        var dead = await CreateSessionAsync(store);
        await store.SetUserSessionAsync("ada", Entry(dead), Ct);
        await store.DeleteAsync(dead, Ct);
        Clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));
        var pending = TestIds.New();
        await store.SetUserSessionAsync("ada", Entry(pending), Ct);

        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));

        Assert.Equal(pending, await _database.ScalarAsync("SELECT group_concat(session_id) FROM tote_sessions_users"));
    }

    [Fact]
    public async Task Sweep_RemovesEntriesOfDeadSessionsPastTheGrace_InBatches_AndKeepsLiveAndPendingOnes()
    {
        using var store = _database.CreateStore(Clock);
        var live = await CreateSessionAsync(store);
        await store.SetUserSessionAsync("ada", Entry(live), Ct);
        var old = Clock.GetUtcNow().AddMinutes(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await _database.ScalarAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
            INSERT INTO tote_sessions_users (session_id, user_id, signed_in, last_seen, expires) SELECT 'gone-' || i, 'user-' || (i % 7), {old}, {old}, {old} FROM n
            """);
        var pending = TestIds.New();
        await store.SetUserSessionAsync("ada", Entry(pending), Ct);

        Assert.Equal(0, await store.SweepAsync(Ct));

        Assert.Equal(2L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions_users"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions_users WHERE session_id = @id", pending));
        Assert.Equal(live, Assert.Single(await store.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    [Fact]
    public async Task Sweep_AfterASessionExpired_RemovesItsEntryOncePastTheGrace()
    {
        using var store = _database.CreateStore(Clock);
        var id = await CreateSessionAsync(store);
        await store.SetUserSessionAsync("ada", Entry(id), Ct);
        Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await store.SweepAsync(Ct));

        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM tote_sessions_users"));
    }

    [Fact]
    public async Task TableNameTooLongForTheIndexTablesName_FailsStartupSayingSo()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ToteTestHost.StartAsync(UserIndexEndpoints.Map, o =>
            o.Driver = b => b.UseSqlite(_database.ConnectionString, s => s.TableName = new string('t', 50))));

        Assert.Contains("Tote:Sqlite:TableName", error.Message, StringComparison.Ordinal);
        Assert.Contains("use at most 49", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInRequests_CostIndexStatementsOnlyWhenTheBindingOrExpiryChanges_AndAListIsOneStatement()
    {
        await using var host = await ToteTestHost.StartAsync(UserIndexEndpoints.Map, o => o.Driver = b => b.UseSqlite(_database.ConnectionString, s => s.SweepInterval = TimeSpan.FromDays(1)));
        var store = Assert.IsType<SqliteSessionStore>(host.Store);
        await StartupCheckAsync(host);
        using var warm = host.CreateClient();
        (await warm.PostAsync("/signin/grace")).Dispose(); // the store's first sign-in makes its handle key: once per store, not per sign-in
        using var plain = host.CreateClient();
        using var user = host.CreateClient();
        (await plain.PostAsync("/set/a/1")).Dispose();
        (await user.PostAsync("/set/a/1")).Dispose();

        var regenerate = await CountAsync(store, () => plain.PostAsync("/regenerate"));
        var signIn = await CountAsync(store, () => user.PostAsync("/signin/ada"));
        var read = await CountAsync(store, () => user.GetAsync("/me"));
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var slidingRead = await CountAsync(store, () => user.GetAsync("/me"));
        var list = await CountAsync(store, () => user.GetAsync("/devices/ada"));
        var signOut = await CountAsync(store, () => user.PostAsync("/signout"));

        Assert.Equal((0, regenerate.All + 1), (regenerate.Index, signIn.All));
        Assert.Equal(1, signIn.Index);           // the entry, written before the new session
        Assert.Equal((1, 0), read);              // load only
        Assert.Equal((3, 1), slidingRead);       // load, refresh of the expiry, the entry's new last-seen
        Assert.Equal((1, 1), list);              // one joined SELECT
        Assert.Equal((3, 1), signOut);           // load, the session's delete, then the entry's
    }

    [Fact]
    public async Task List_WithEntriesOfDeadSessions_IsOneStatementMoreThatDeletesThem()
    {
        await using var host = await ToteTestHost.StartAsync(UserIndexEndpoints.Map, o => o.Driver = b => b.UseSqlite(_database.ConnectionString, s => s.SweepInterval = TimeSpan.FromDays(1)));
        var store = Assert.IsType<SqliteSessionStore>(host.Store);
        using var laptop = host.CreateClient();
        using var phone = host.CreateClient();
        (await laptop.PostAsync("/signin/ada")).Dispose();
        (await phone.PostAsync("/signin/ada")).Dispose();
        await _database.ScalarAsync("DELETE FROM tote_sessions WHERE id = @id", phone.SessionId);
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        var list = await CountAsync(store, () => laptop.GetAsync("/devices/ada"));

        Assert.Equal((2, 2), list);
        Assert.Equal(laptop.SessionId, await _database.ScalarAsync("SELECT group_concat(session_id) FROM tote_sessions_users"));
    }

    // The store is checked once at startup, in the background: its statement is not a request's.
    private static async Task StartupCheckAsync(ToteTestHost host)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var record in host.Logs.GetLogsAsync(wait.Token))
        {
            if (record.Id.Id == 74)
            {
                return;
            }
        }
    }

    // Every statement the store runs passes its observer: all of them, and those on the index table.
    private static async Task<(int All, int Index)> CountAsync(SqliteSessionStore store, Func<Task<HttpResponseMessage>> request)
    {
        var (all, index) = (0, 0);
        store.StatementObserver = sql =>
        {
            Interlocked.Increment(ref all);
            if (sql.Contains("tote_sessions_users", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref index);
            }
        };
        try
        {
            using var response = await request();
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        }
        finally
        {
            store.StatementObserver = null;
        }

        return (all, index);
    }

    private async Task<string> CreateSessionAsync(SqliteSessionStore store)
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
}
