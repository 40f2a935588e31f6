using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The conformance tests of <see cref="ISessionStoreUserIndex"/>, the per-user index behind
/// <c>UserSessions</c>. A driver that keeps the index inherits this class beside
/// <see cref="SessionStoreConformanceTests"/>, saying only how to create the driver.
/// </summary>
public abstract class SessionStoreUserIndexConformanceTests : SessionStoreTestBase
{
    private static string LongUserAgent => new('a', 256);

    /// <summary>The driver under test as an index; fails the test when it is not one.</summary>
    protected ISessionStoreUserIndex Index => Assert.IsAssignableFrom<ISessionStoreUserIndex>(Store);

    /// <summary>An entry of a live session is listed under its user with every field as written, and the session's expiry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_ThenList_ReturnsTheEntryAsWritten()
    {
        var id = await CreateSessionAsync(TimeSpan.FromHours(3));
        var entry = Entry(id, userAgent: LongUserAgent, ipAddress: "2001:db8::1");

        await Index.SetUserSessionAsync("ada", entry, Ct);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", Ct));
        Assert.Equal(id, listed.SessionId);
        Assert.Equal(entry.SignedInAt, listed.SignedInAt);
        Assert.Equal(entry.LastSeenAt, listed.LastSeenAt);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromHours(3), listed.ExpiresAt);
        Assert.Equal(LongUserAgent, listed.UserAgent);
        Assert.Equal("2001:db8::1", listed.IpAddress);
    }

    /// <summary>Optional fields stay absent: no user agent and no IP address read back as <see langword="null"/>.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_WithoutUserAgentOrIp_ListsThemAsNull()
    {
        await Index.SetUserSessionAsync("ada", Entry(await CreateSessionAsync()), Ct);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", Ct));
        Assert.Null(listed.UserAgent);
        Assert.Null(listed.IpAddress);
    }

    /// <summary>Writing a session's entry again replaces it (the refresh after a slide): one entry, the newer times.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_TheSameSessionAgain_ReplacesItsEntry()
    {
        var id = await CreateSessionAsync();
        await Index.SetUserSessionAsync("ada", Entry(id), Ct);
        Clock.Advance(TimeSpan.FromMinutes(7));

        await Index.SetUserSessionAsync("ada", Entry(id), Ct);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", Ct));
        Assert.Equal(Clock.GetUtcNow(), listed.LastSeenAt);
    }

    /// <summary>Listing reports the session's current expiry, not the one the entry was written with: a slide the entry missed shows.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task List_ReportsTheSessionsCurrentExpiry()
    {
        var id = await CreateSessionAsync();
        await Index.SetUserSessionAsync("ada", Entry(id), Ct);
        var slidTo = Clock.GetUtcNow() + TimeSpan.FromHours(5);
        Assert.True(await Store.RefreshAsync(id, slidTo, Ct));

        Assert.Equal(slidTo, Assert.Single(await Index.ListUserSessionsAsync("ada", Ct)).ExpiresAt);
    }

    /// <summary>Removing an entry takes it off the list and leaves the user's other entries; removing a missing one does nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Remove_TakesOnlyThatEntry()
    {
        var (gone, kept) = (await CreateSessionAsync(), await CreateSessionAsync());
        await Index.SetUserSessionAsync("ada", Entry(gone), Ct);
        await Index.SetUserSessionAsync("ada", Entry(kept), Ct);

        await Index.RemoveUserSessionAsync("ada", gone, Ct);
        await Index.RemoveUserSessionAsync("ada", TestIds.New(), Ct);
        await Index.RemoveUserSessionAsync("nobody", kept, Ct);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", Ct));
        Assert.Equal(kept, listed.SessionId);
    }

    /// <summary>Each user sees only their own entries; an unknown user has an empty list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task List_KeepsUsersApart()
    {
        var (ada, grace) = (await CreateSessionAsync(), await CreateSessionAsync());
        await Index.SetUserSessionAsync("ada", Entry(ada), Ct);
        await Index.SetUserSessionAsync("grace", Entry(grace), Ct);

        Assert.Equal(ada, Assert.Single(await Index.ListUserSessionsAsync("ada", Ct)).SessionId);
        Assert.Equal(grace, Assert.Single(await Index.ListUserSessionsAsync("grace", Ct)).SessionId);
        Assert.Empty(await Index.ListUserSessionsAsync("linus", Ct));
    }

    /// <summary>Concurrent sign-ins of one user on many devices all land in the list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ConcurrentSets_ForOneUser_AllLand()
    {
        var ids = new string[20];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await CreateSessionAsync();
        }

        await Task.WhenAll(ids.Select(id => Index.SetUserSessionAsync("ada", Entry(id), Ct).AsTask()));

        var listed = await Index.ListUserSessionsAsync("ada", Ct);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(e => e.SessionId).Order(StringComparer.Ordinal));
    }

    /// <summary>The entry of a deleted session and of an expired one never shows, whatever the entries' own times say.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task List_HidesEntriesOfDeletedAndExpiredSessions()
    {
        var deleted = await CreateSessionAsync();
        var expiring = await CreateSessionAsync(TimeSpan.FromMinutes(10));
        var live = await CreateSessionAsync(TimeSpan.FromHours(2));
        foreach (var id in new[] { deleted, expiring, live })
        {
            await Index.SetUserSessionAsync("ada", Entry(id, lifetime: TimeSpan.FromHours(2)), Ct);
        }

        await Store.DeleteAsync(deleted, Ct);
        Clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(live, Assert.Single(await Index.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    /// <summary>
    /// A sign-in writes its entry before it stores the session: an entry younger than
    /// <see cref="UserSessionIndexEntry.PendingEntryGrace"/> whose session is not stored yet is
    /// hidden but kept, so the session shows once stored, even when a listing ran in between.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task PendingEntry_IsHiddenButKept_UntilItsSessionIsStored()
    {
        var id = TestIds.New();
        await Index.SetUserSessionAsync("ada", Entry(id), Ct);

        Assert.Empty(await Index.ListUserSessionsAsync("ada", Ct));
        await SweepIfSweeperAsync();
        await CreateAsync(id);

        Assert.Equal(id, Assert.Single(await Index.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    /// <summary>
    /// Listing removes the entry of a dead session once it is past the grace: a session stored
    /// later under that ID (which no real sign-in does) is no longer listed, because nothing
    /// points to it.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task List_RemovesEntriesOfDeadSessions_PastTheGrace()
    {
        var id = await CreateSessionAsync();
        await Index.SetUserSessionAsync("ada", Entry(id), Ct);
        await Store.DeleteAsync(id, Ct);
        Clock.Advance(UserSessionIndexEntry.PendingEntryGrace + TimeSpan.FromSeconds(1));

        Assert.Empty(await Index.ListUserSessionsAsync("ada", Ct));
        await CreateAsync(id);

        Assert.Empty(await Index.ListUserSessionsAsync("ada", Ct));
    }

    /// <summary>
    /// The entry of a live session is kept even when the entry's own expiry has passed (it lags
    /// behind the session's when a refresh of the entry failed): the index may drop only entries
    /// whose session is gone.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task EntryOfALiveSession_OutlivesItsOwnExpiryTime()
    {
        var id = await CreateSessionAsync(TimeSpan.FromHours(2));
        await Index.SetUserSessionAsync("ada", Entry(id, lifetime: TimeSpan.FromMinutes(5)), Ct);
        Clock.Advance(TimeSpan.FromMinutes(30));

        await SweepIfSweeperAsync();

        Assert.Equal(id, Assert.Single(await Index.ListUserSessionsAsync("ada", Ct)).SessionId);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Stores a session under a fresh ID, expiring after <paramref name="lifetime"/> (one hour by default).</summary>
    /// <param name="lifetime">How long until it expires.</param>
    /// <returns>The session's ID.</returns>
    protected async Task<string> CreateSessionAsync(TimeSpan? lifetime = null)
    {
        var id = TestIds.New();
        await CreateAsync(id, lifetime: lifetime);
        return id;
    }

    private async Task SweepIfSweeperAsync()
    {
        if (Store is ISessionStoreSweeper sweeper)
        {
            await sweeper.SweepAsync(Ct);
        }
    }

    /// <summary>An entry for a session of this instant, expiring after <paramref name="lifetime"/> (one hour by default).</summary>
    /// <param name="sessionId">The session the entry points to.</param>
    /// <param name="userAgent">The user agent to record.</param>
    /// <param name="ipAddress">The IP address to record.</param>
    /// <param name="lifetime">How long until the entry's expiry.</param>
    /// <returns>The entry.</returns>
    protected UserSessionIndexEntry Entry(string sessionId, string? userAgent = null, string? ipAddress = null, TimeSpan? lifetime = null) => new()
    {
        SessionId = sessionId,
        SignedInAt = Clock.GetUtcNow() - TimeSpan.FromMinutes(1),
        LastSeenAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
        UserAgent = userAgent,
        IpAddress = ipAddress,
    };
}
