using Microsoft.AspNetCore.Builder;
using Tote.Drivers;
using Tote.Drivers.FileSystem;
using Tote.Testing;
using Tote.Tests.Users;

namespace Tote.Tests.Drivers.FileSystem;

/// <summary>
/// The fs driver's per-user index beyond the conformance suite: user IDs that would be dangerous
/// in a path, hostile content in the index directories, and what is left on disk after the
/// sweep and after a sign-in and sign-out through the pipeline.
/// </summary>
public sealed class FileDriverUserIndexTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = TestClock.Create();
    private readonly FileSessionStore _store;

    public FileDriverUserIndexTests() => _store = new FileSessionStore(_directory.Path, new FileSessionStoreOptions(), _clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string UsersRoot => Path.Combine(_directory.Path, ".users");

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    public static TheoryData<string> AwkwardUserIds => new()
    {
        "a/b",
        "../../etc",
        "..",
        "/",
        "C:\\Windows",
        "{tenant}:42",
        "Zoë 👩‍💻 ユーザー",
        "a\0b",
        new string('x', 256),
        new string('/', 256),
    };

    [Theory]
    [MemberData(nameof(AwkwardUserIds))]
    public async Task UserIdsThatWouldBeDangerousInAPath_GetTheirOwnListInOneDirectoryUnderTheIndex(string userId)
    {
        var id = await CreateSessionAsync();

        await _store.SetUserSessionAsync(userId, Entry(id), Ct);

        Assert.Equal(id, Assert.Single(await _store.ListUserSessionsAsync(userId, Ct)).SessionId);
        Assert.Empty(await _store.ListUserSessionsAsync(userId + "x", Ct));
        var userDirectory = Assert.Single(Directory.GetDirectories(UsersRoot));
        Assert.Matches("^[0-9a-f]{64}$", Path.GetFileName(userDirectory));
        Assert.Equal([Path.Combine(userDirectory, id)], Directory.GetFiles(userDirectory));
        Assert.Equal([".locks", ".users", id + ".session"], Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UserIdsDifferingOnlyInALoneSurrogate_AreDifferentUsers()
    {
        // UTF-8 would turn both into U+FFFD: the hash must see the characters themselves.
        var (first, second) = (await CreateSessionAsync(), await CreateSessionAsync());

        await _store.SetUserSessionAsync("ada\uD800", Entry(first), Ct);
        await _store.SetUserSessionAsync("ada\uD801", Entry(second), Ct);

        Assert.Equal(first, Assert.Single(await _store.ListUserSessionsAsync("ada\uD800", Ct)).SessionId);
        Assert.Equal(second, Assert.Single(await _store.ListUserSessionsAsync("ada\uD801", Ct)).SessionId);
    }

    [Fact]
    public async Task Set_WritesOnePrivateFileNamedAfterTheSession_AndNoTemporaryFile()
    {
        var id = await CreateSessionAsync();

        await _store.SetUserSessionAsync("ada", Entry(id, userAgent: "Phone/1.0"), Ct);

        var file = Assert.Single(Directory.GetFiles(UsersRoot, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(_store.UserDirectoryOf("ada"), id), file);
        Assert.Contains("\"ua\":\"Phone/1.0\"", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_store.UserDirectoryOf("ada")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(UsersRoot));
        }
    }

    [Fact]
    public async Task Set_UserAgentEndingInALoneSurrogate_IsStoredWithAReplacementCharacter()
    {
        // The core cuts user agents at 256 characters, which can split a surrogate pair; JSON cannot hold half of one, and the sign-in must not fail over it.
        var id = await CreateSessionAsync();
        var userAgent = new string('a', 255) + "\uD83D";

        await _store.SetUserSessionAsync("ada", Entry(id, userAgent: userAgent), Ct);

        Assert.Equal(new string('a', 255) + "\uFFFD", Assert.Single(await _store.ListUserSessionsAsync("ada", Ct)).UserAgent);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("ABCDEF")]
    [InlineData("")]
    public async Task SessionIdsThatAreNotFileSafe_CannotBeSetAndRemoveNothing(string sessionId)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await _store.SetUserSessionAsync("ada", Entry(sessionId), Ct));
        await _store.RemoveUserSessionAsync("ada", sessionId, Ct);

        Assert.False(Directory.Exists(UsersRoot) && Directory.EnumerateFileSystemEntries(UsersRoot, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task HostileFilesInAUsersDirectory_AreSkippedWithoutAnError()
    {
        var live = await CreateSessionAsync();
        await _store.SetUserSessionAsync("ada", Entry(live), Ct);
        var directory = _store.UserDirectoryOf("ada");
        var garbageOfALiveSession = await CreateSessionAsync();
        await File.WriteAllTextAsync(Path.Combine(directory, garbageOfALiveSession), "not an entry", Ct);
        await File.WriteAllBytesAsync(Path.Combine(directory, await CreateSessionAsync()), [0xFF, 0xFE, 0x00, (byte)'{'], Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, await CreateSessionAsync()), """{"v":1,"signedIn":"soon","lastSeen":-1,"expires":1e400}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, await CreateSessionAsync()), """{"v":2,"signedIn":1,"lastSeen":1,"expires":1}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, await CreateSessionAsync()), """{"v":1,"signedIn":1,"lastSeen":9223372036854775807,"expires":1}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, await CreateSessionAsync()), new string('[', 3000), Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "..session"), EntryJson(), Ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "NOT-AN-ID"), EntryJson(), Ct);
        Directory.CreateDirectory(Path.Combine(directory, await CreateSessionAsync()));
        var sessionIsADirectory = TestIds.New();
        Directory.CreateDirectory(_store.PathOf(sessionIsADirectory));
        await File.WriteAllTextAsync(Path.Combine(directory, sessionIsADirectory), EntryJson(), Ct);
        await File.WriteAllTextAsync(Path.Combine(UsersRoot, "not-a-user-directory"), "x", Ct);

        Assert.Equal(live, Assert.Single(await _store.ListUserSessionsAsync("ada", Ct)).SessionId);
        await _store.SweepAsync(Ct);
        Assert.Equal(live, Assert.Single(await _store.ListUserSessionsAsync("ada", Ct)).SessionId);

        // The garbage entry of a live session stays until the session's next slide rewrites it.
        await _store.SetUserSessionAsync("ada", Entry(garbageOfALiveSession), Ct);
        Assert.Equal(2, (await _store.ListUserSessionsAsync("ada", Ct)).Count);
    }

    [Fact]
    public async Task AFileWhereAUsersDirectoryShouldBe_ListsNothingWithoutAnError()
    {
        Directory.CreateDirectory(UsersRoot);
        await File.WriteAllTextAsync(_store.UserDirectoryOf("ada"), "x", Ct);

        Assert.Empty(await _store.ListUserSessionsAsync("ada", Ct));
        await _store.SweepAsync(Ct);
    }

    [Fact]
    public async Task Sweep_RemovesEntriesOfDeadSessionsPastTheGrace_AndTheDirectoriesTheyLeaveEmpty()
    {
        var deleted = await CreateSessionAsync();
        var expired = await CreateSessionAsync(TimeSpan.FromMinutes(10));
        var live = await CreateSessionAsync(TimeSpan.FromHours(2));
        await _store.SetUserSessionAsync("ada", Entry(deleted), Ct);
        await _store.SetUserSessionAsync("ada", Entry(live), Ct);
        await _store.SetUserSessionAsync("grace", Entry(expired), Ct);
        await _store.DeleteAsync(deleted, Ct);
        var ada = _store.UserDirectoryOf("ada");

        await _store.SweepAsync(Ct);
        Assert.True(File.Exists(Path.Combine(ada, deleted)), "an entry younger than the grace may be a sign-in between its two writes");

        _clock.Advance(TimeSpan.FromMinutes(11));
        await _store.SweepAsync(Ct);

        Assert.Equal([Path.Combine(ada, live)], Directory.GetFiles(UsersRoot, "*", SearchOption.AllDirectories));
        Assert.Equal([ada], Directory.GetDirectories(UsersRoot));
    }

    [Fact]
    public async Task Sweep_RemovesTemporaryEntryFilesLeftByACrashedWriter()
    {
        await _store.SetUserSessionAsync("ada", Entry(await CreateSessionAsync()), Ct);
        var directory = _store.UserDirectoryOf("ada");
        var orphan = Path.Combine(directory, TestIds.New() + ".0123.tmp");
        var fresh = Path.Combine(directory, TestIds.New() + ".4567.tmp");
        await File.WriteAllTextAsync(orphan, "half an entry", Ct);
        await File.WriteAllTextAsync(fresh, "being written", Ct);
        File.SetLastWriteTimeUtc(orphan, _clock.GetUtcNow().UtcDateTime.AddHours(-2));
        File.SetLastWriteTimeUtc(fresh, _clock.GetUtcNow().UtcDateTime.AddMinutes(-1));

        await _store.SweepAsync(Ct);

        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task List_RemovesTheUsersDirectoryOnceItsLastEntryIsGone()
    {
        var id = await CreateSessionAsync();
        await _store.SetUserSessionAsync("ada", Entry(id), Ct);
        await _store.DeleteAsync(id, Ct);
        _clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));

        Assert.Empty(await _store.ListUserSessionsAsync("ada", Ct));

        Assert.False(Directory.Exists(_store.UserDirectoryOf("ada")));
        await _store.SetUserSessionAsync("ada", Entry(await CreateSessionAsync()), Ct);
        Assert.Single(await _store.ListUserSessionsAsync("ada", Ct));
    }

    [Fact]
    public async Task List_ExaminesAtMostItsBoundOfEntries_SoAFloodedDirectoryDrainsOverSeveralListings()
    {
        using var store = new FileSessionStore(_directory.Path, new FileSessionStoreOptions(), _clock) { MaxEntriesPerList = 20 };
        var directory = store.UserDirectoryOf("ada");
        Directory.CreateDirectory(directory);
        var json = EntryJson();
        for (var i = 0; i < 25; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, TestIds.New()), json, Ct);
        }

        _clock.Advance(TimeSpan.FromMinutes(5));

        // Entries of sessions that do not exist, past the grace: each listing removes what it examined.
        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));
        Assert.Equal(5, Directory.GetFiles(directory).Length);
        Assert.Empty(await store.ListUserSessionsAsync("ada", Ct));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task SignInThenSignOut_ThroughThePipeline_LeavesNoEntryFile()
    {
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");
        var store = Assert.IsType<FileSessionStore>(host.Store);
        Assert.Equal([Path.Combine(store.UserDirectoryOf("ada"), client.SessionId!)], Directory.GetFiles(UsersRoot, "*", SearchOption.AllDirectories));
        Assert.Single(await UsersApi.DevicesAsync(host, "ada"));

        using var signedOut = await client.PostAsync("/signout");
        signedOut.EnsureSuccessStatusCode();

        Assert.Empty(Directory.GetFileSystemEntries(UsersRoot, "*", SearchOption.AllDirectories));
        Assert.Empty(await UsersApi.DevicesAsync(host, "ada"));
    }

    [Fact]
    public async Task DestroyWithoutLoading_ThroughThePipeline_LeavesAnEntryTheSweepRemovesPastTheGrace()
    {
        // Destroy without a read does not know the user, so the entry outlives the session: hidden at once, removed by the sweep.
        await using var host = await StartHostAsync();
        using var client = host.CreateClient();
        await UsersApi.SignInAsync(client, "ada");
        var store = Assert.IsType<FileSessionStore>(host.Store);

        using var destroyed = await client.PostAsync("/destroy");
        destroyed.EnsureSuccessStatusCode();
        Assert.Single(Directory.GetFiles(UsersRoot, "*", SearchOption.AllDirectories));
        host.Clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));
        await store.SweepAsync(Ct);

        Assert.Empty(Directory.GetFileSystemEntries(UsersRoot, "*", SearchOption.AllDirectories));
    }

    // Signing out as an app does: the session is read (it knows its user then) and destroyed.
    private Task<ToteTestHost> StartHostAsync() => UsersApi.StartAsync(
        o =>
        {
            o.Configuration["Tote:Driver"] = "fs";
            o.Configuration["Tote:FileSystem:Path"] = _directory.Path;
        },
        app => app.MapPost("/signout", async (Session session) =>
        {
            await session.GetUserIdAsync();
            session.Destroy();
            return "ok";
        }));

    private async Task<string> CreateSessionAsync(TimeSpan? lifetime = null)
    {
        var id = TestIds.New();
        var now = _clock.GetUtcNow();
        var record = new SessionRecord { Data = """[{}]""", CreatedAt = now, ExpiresAt = now + (lifetime ?? TimeSpan.FromHours(1)) };
        Assert.NotNull(await _store.SaveAsync(id, record, SessionVersion.Missing, Ct));
        return id;
    }

    private UserSessionIndexEntry Entry(string sessionId, string? userAgent = null) => new()
    {
        SessionId = sessionId,
        SignedInAt = _clock.GetUtcNow(),
        LastSeenAt = _clock.GetUtcNow(),
        ExpiresAt = _clock.GetUtcNow() + TimeSpan.FromHours(1),
        UserAgent = userAgent,
    };

    private string EntryJson() => System.Text.Encoding.UTF8.GetString(UserIndexEntryFile.Write(Entry(TestIds.New())));
}
