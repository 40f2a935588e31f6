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

    /// <summary>An entry is listed under its user with every field as written.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_ThenList_ReturnsTheEntryAsWritten()
    {
        var id = TestIds.New();
        var entry = Entry(id, userAgent: LongUserAgent, ipAddress: "2001:db8::1");

        await Index.SetUserSessionAsync("ada", entry, TestContext.Current.CancellationToken);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken));
        Assert.Equal(id, listed.SessionId);
        Assert.Equal(entry.SignedInAt, listed.SignedInAt);
        Assert.Equal(entry.LastSeenAt, listed.LastSeenAt);
        Assert.Equal(entry.ExpiresAt, listed.ExpiresAt);
        Assert.Equal(LongUserAgent, listed.UserAgent);
        Assert.Equal("2001:db8::1", listed.IpAddress);
    }

    /// <summary>Optional fields stay absent: no user agent and no IP address read back as <see langword="null"/>.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_WithoutUserAgentOrIp_ListsThemAsNull()
    {
        await Index.SetUserSessionAsync("ada", Entry(TestIds.New()), TestContext.Current.CancellationToken);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken));
        Assert.Null(listed.UserAgent);
        Assert.Null(listed.IpAddress);
    }

    /// <summary>Writing a session's entry again replaces it (the refresh after a slide): one entry, the newer times.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Set_TheSameSessionAgain_ReplacesItsEntry()
    {
        var id = TestIds.New();
        await Index.SetUserSessionAsync("ada", Entry(id), TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(7));

        await Index.SetUserSessionAsync("ada", Entry(id), TestContext.Current.CancellationToken);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken));
        Assert.Equal(Clock.GetUtcNow(), listed.LastSeenAt);
    }

    /// <summary>Removing an entry takes it off the list and leaves the user's other entries; removing a missing one does nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Remove_TakesOnlyThatEntry()
    {
        var (gone, kept) = (TestIds.New(), TestIds.New());
        await Index.SetUserSessionAsync("ada", Entry(gone), TestContext.Current.CancellationToken);
        await Index.SetUserSessionAsync("ada", Entry(kept), TestContext.Current.CancellationToken);

        await Index.RemoveUserSessionAsync("ada", gone, TestContext.Current.CancellationToken);
        await Index.RemoveUserSessionAsync("ada", TestIds.New(), TestContext.Current.CancellationToken);
        await Index.RemoveUserSessionAsync("nobody", kept, TestContext.Current.CancellationToken);

        var listed = Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken));
        Assert.Equal(kept, listed.SessionId);
    }

    /// <summary>Each user sees only their own entries; an unknown user has an empty list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task List_KeepsUsersApart()
    {
        var (ada, grace) = (TestIds.New(), TestIds.New());
        await Index.SetUserSessionAsync("ada", Entry(ada), TestContext.Current.CancellationToken);
        await Index.SetUserSessionAsync("grace", Entry(grace), TestContext.Current.CancellationToken);

        Assert.Equal(ada, Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken)).SessionId);
        Assert.Equal(grace, Assert.Single(await Index.ListUserSessionsAsync("grace", TestContext.Current.CancellationToken)).SessionId);
        Assert.Empty(await Index.ListUserSessionsAsync("linus", TestContext.Current.CancellationToken));
    }

    /// <summary>Concurrent sign-ins of one user on many devices all land in the list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ConcurrentSets_ForOneUser_AllLand()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => TestIds.New()).ToArray();

        await Task.WhenAll(ids.Select(id => Index.SetUserSessionAsync("ada", Entry(id), TestContext.Current.CancellationToken).AsTask()));

        var listed = await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(e => e.SessionId).Order(StringComparer.Ordinal));
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
        var id = TestIds.New();
        await CreateAsync(id, lifetime: TimeSpan.FromHours(2));
        await Index.SetUserSessionAsync("ada", Entry(id, lifetime: TimeSpan.FromMinutes(5)), TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(30));

        if (Store is ISessionStoreSweeper sweeper)
        {
            await sweeper.SweepAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(id, Assert.Single(await Index.ListUserSessionsAsync("ada", TestContext.Current.CancellationToken)).SessionId);
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
