using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tote.Drivers;
using Tote.Tests.Drivers;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Users;

/// <summary>
/// The key of session handles kept in the store: made once per store, protected with Data
/// Protection, shared by every instance with the same key ring, and a clear error without it.
/// </summary>
public sealed class HandleKeyRecordTests : IDisposable
{
    private readonly TempDirectory _sessions = new();
    private readonly TempDirectory _keyRing = new();

    public void Dispose()
    {
        _sessions.Dispose();
        _keyRing.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Handles_OnInstancesSharingTheStoreAndKeyRing_Agree_AndSurviveARestart()
    {
        string id;
        string handle;
        await using (var first = await StartFsAsync())
        await using (var second = await StartFsAsync())
        {
            using var client = first.CreateClient();
            handle = await UsersApi.SignInAsync(client, "ada");
            id = client.SessionId!;
            using var other = second.CreateClient();

            // The second instance started before anyone signed in, so before the key existed: a user call loads it.
            using var user = await other.SendWithIdAsync(HttpMethod.Get, "/me", id);
            using var onSecond = await other.SendWithIdAsync(HttpMethod.Get, "/handle", id);

            Assert.Equal("ada", await user.Content.ReadAsStringAsync(Ct));
            Assert.Equal(handle, await onSecond.Content.ReadAsStringAsync(Ct));
        }

        // A restarted instance loads the key at startup: the handle works before any user call.
        await using var restarted = await StartFsAsync();
        using var again = restarted.CreateClient();
        using var afterRestart = await again.SendWithIdAsync(HttpMethod.Get, "/handle", id);
        Assert.Equal(handle, await afterRestart.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task AnAppThatSignsNobodyIn_StoresNoKey_AndChecksTheStoreWithOneLoadAtStartup()
    {
        await using var host = await StartFsAsync();
        using var client = host.CreateClient();

        await client.PostAsync("/set/cart/apple");

        Assert.Null(await host.Store.LoadAsync(HandleKeyRecord.Id, Ct));
        Assert.Equal([client.SessionId + ".session"], Directory.GetFiles(_sessions.Path, "*.session").Select(Path.GetFileName));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 74);
    }

    [Fact]
    public async Task Record_IsAnAstroRecordUnderTheNilUuid_ThatExpiresFarAhead_AndThatNoListingShows()
    {
        await using var host = await StartFsAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");

        var record = await host.Store.LoadAsync(HandleKeyRecord.Id, Ct);

        Assert.NotNull(record);
        Assert.StartsWith("[[\"Map\",1,2],\"tote:handle-key\",{\"data\":3,\"expires\":-1},\"", record.Data, StringComparison.Ordinal);
        Assert.Equal(host.Clock.GetUtcNow() + HandleKeyRecord.Lifetime, record.ExpiresAt);
        var ids = new List<string>();
        await foreach (var listed in ((ISessionStoreEnumerator)host.Store).GetSessionIdsAsync(Ct))
        {
            ids.Add(listed);
        }

        Assert.Equal([client.SessionId!], ids);
    }

    [Fact]
    public async Task Record_NamedByACookie_IsNoSession()
    {
        await using var host = await StartFsAsync();
        using var client = host.CreateClient();
        using var signedIn = host.CreateClient();
        await UsersApi.SignInAsync(signedIn, "ada");

        using var response = await client.SendWithIdAsync(HttpMethod.Get, "/keys", HandleKeyRecord.Id);

        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        Assert.NotNull(await host.Store.LoadAsync(HandleKeyRecord.Id, Ct));
    }

    [Fact]
    public async Task Record_SurvivesAFloodOfNewSessionsInABoundedFileStore()
    {
        string handle;
        string id;
        await using (var host = await StartFsAsync(maxSessions: 10))
        {
            using var client = host.CreateClient();
            handle = await UsersApi.SignInAsync(client, "ada");
            id = client.SessionId!;
            await SessionFloods.FloodAsync(host, 40);
        }

        await using var restarted = await StartFsAsync(maxSessions: 10);
        using var again = restarted.CreateClient();
        Assert.NotNull(await restarted.Store.LoadAsync(HandleKeyRecord.Id, Ct));
        Assert.Equal(handle, restarted.Services.GetRequiredService<SessionRuntime>().Users.Handles.Of(id));
    }

    [Fact]
    public async Task Load_ReadsTheSameKeyBack_AndPushesTheExpiryOnOnlyWhenHalfOfItIsGone()
    {
        var store = new ScriptedStore();
        var clock = TestClock.Create();
        var protection = new EphemeralDataProtectionProvider();
        var made = await new HandleKeyRecord(Client(store, clock), protection, clock).LoadAsync(create: true, Ct);
        var expires = (await store.LoadAsync(HandleKeyRecord.Id, Ct))!.ExpiresAt;
        clock.Advance(TimeSpan.FromDays(400));
        store.ClearCalls();

        var read = await new HandleKeyRecord(Client(store, clock), protection, clock).LoadAsync(create: false, Ct);
        var readCalls = store.Calls;
        clock.Advance(HandleKeyRecord.Lifetime / 2);
        store.ClearCalls();
        var later = await new HandleKeyRecord(Client(store, clock), protection, clock).LoadAsync(create: false, Ct);

        Assert.Equal(made, read);
        Assert.Equal(made, later);
        Assert.Equal(32, read!.Length);
        Assert.Equal(["load " + HandleKeyRecord.Id], readCalls);
        Assert.Equal(["load " + HandleKeyRecord.Id, "refresh " + HandleKeyRecord.Id], store.Calls);
        Assert.Equal(clock.GetUtcNow() + HandleKeyRecord.Lifetime, (await store.LoadAsync(HandleKeyRecord.Id, Ct))!.ExpiresAt);
        Assert.True(expires < clock.GetUtcNow() + HandleKeyRecord.Lifetime);
    }

    [Fact]
    public async Task Load_WithoutCreate_OfAnEmptyStore_MakesNothing()
    {
        var store = new ScriptedStore();
        var clock = TestClock.Create();

        Assert.Null(await new HandleKeyRecord(Client(store, clock), new EphemeralDataProtectionProvider(), clock).LoadAsync(create: false, Ct));
        Assert.Equal(["load " + HandleKeyRecord.Id], store.Calls);
    }

    [Fact]
    public async Task Load_ByInstancesRacingOnAnEmptyStore_GivesThemAllTheSameKey()
    {
        await using var host = await StartFsAsync();
        var runtime = host.Services.GetRequiredService<SessionRuntime>();
        var protection = host.Services.GetRequiredService<IDataProtectionProvider>();
        await host.Store.DeleteAsync(HandleKeyRecord.Id, Ct);

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new HandleKeyRecord(runtime.Store, protection, host.Clock).LoadAsync(create: true, Ct), Ct)));

        Assert.All(keys, key => Assert.Equal(keys[0], key));
    }

    [Fact]
    public async Task Load_WithAnotherKeyRing_ThrowsNamingBothFixes()
    {
        var store = new ScriptedStore();
        var clock = TestClock.Create();
        await new HandleKeyRecord(Client(store, clock), new EphemeralDataProtectionProvider(), clock).LoadAsync(create: true, Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new HandleKeyRecord(Client(store, clock), new EphemeralDataProtectionProvider(), clock).LoadAsync(create: true, Ct));

        Assert.Contains("Data Protection key this app instance does not have", error.Message, StringComparison.Ordinal);
        Assert.Contains("PersistKeysToFileSystem", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tote:Users:HandleKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not devalue")]
    [InlineData("[[\"Map\",1,2],\"cart\",{\"data\":3,\"expires\":-1},\"apple\"]")]
    [InlineData("[[\"Map\",1,2],\"tote:handle-key\",{\"data\":3,\"expires\":-1},\"AAAA\"]")]
    public async Task Load_OfARecordToteDidNotWrite_ThrowsSayingWhatToDelete(string data)
    {
        var store = new ScriptedStore();
        var clock = TestClock.Create();
        var now = clock.GetUtcNow();
        await store.SaveAsync(HandleKeyRecord.Id, new SessionRecord { Data = data, CreatedAt = now, ExpiresAt = now.AddDays(1) }, SessionVersion.Missing, Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new HandleKeyRecord(Client(store, clock), new EphemeralDataProtectionProvider(), clock).LoadAsync(create: true, Ct));

        Assert.Contains(HandleKeyRecord.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserCalls_OnAnInstanceWithAnotherKeyRing_FailNamingTheFix_AndTheStartLogsIt()
    {
        await using (var first = await StartFsAsync())
        {
            using var signedIn = first.CreateClient();
            await UsersApi.SignInAsync(signedIn, "ada");
        }

        await using var stranger = await StartFsAsync(s => s.AddDataProtection().UseEphemeralDataProtectionProvider());
        using var client = stranger.CreateClient();
        client.SessionId = TestIds.New();

        var error = await client.GetStringAsync("/me-or-error");

        Assert.StartsWith("error: Tote cannot read the key of session handles", error, StringComparison.Ordinal);
        Assert.Contains("share the Data Protection key ring", error, StringComparison.Ordinal);
        Assert.Equal(error, await client.GetStringAsync("/handle-or-error"));
        Assert.Contains(stranger.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 84);
    }

    [Fact]
    public async Task Handle_BeforeTheKeyIsLoaded_Throws_AndWorksOnceAUserCallLoadedIt()
    {
        var store = new ScriptedStore();
        store.FailingOperations.Add("load");
        await using var host = await UsersApi.StartAsync(
            o => o.Driver = b => b.UseStore("scripted", _ => store),
            MapErrors);
        store.FailingOperations.Clear();
        using var client = host.CreateClient();
        client.SessionId = TestIds.New();

        Assert.StartsWith("error: Session.Handle needs the key of session handles", await client.GetStringAsync("/handle-or-error"), StringComparison.Ordinal);
        Assert.Equal("(none)", await client.GetStringAsync("/me"));
        await client.PostAsync("/set/cart/apple");
        Assert.Equal(host.Services.GetRequiredService<SessionRuntime>().Users.Handles.Of(client.SessionId!), await client.GetStringAsync("/handle-or-error"));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 73);
    }

    private static void MapErrors(WebApplication app)
    {
        app.MapGet("/handle-or-error", HandleOrError);
        app.MapGet("/me-or-error", async (Session session) =>
        {
            try
            {
                return await session.GetUserIdAsync() ?? "(none)";
            }
            catch (InvalidOperationException ex)
            {
                return "error: " + ex.Message;
            }
        });
    }

    private static string HandleOrError(Session session)
    {
        try
        {
            return session.Handle ?? "(none)";
        }
        catch (InvalidOperationException ex)
        {
            return "error: " + ex.Message;
        }
    }

    private Task<ToteTestHost> StartFsAsync(Action<IServiceCollection>? services = null, int? maxSessions = null)
        => UsersApi.StartAsync(
            o =>
            {
                if (maxSessions is { } max)
                {
                    o.Configuration["Tote:FileSystem:MaxSessions"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                o.Configuration["Tote:Driver"] = "fs";
                o.Configuration["Tote:FileSystem:Path"] = _sessions.Path;
                o.Services = services ?? (s => s.AddDataProtection().SetApplicationName("tote-tests").PersistKeysToFileSystem(new DirectoryInfo(_keyRing.Path)));
            },
            MapErrors);

    private static SessionStoreClient Client(ISessionStore store, TimeProvider clock)
        => new(store, "scripted", TimeSpan.FromSeconds(5), clock, new global::Tote.Diagnostics.ToteTelemetry(new TestMeterFactory(), "scripted"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
}
