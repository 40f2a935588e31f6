using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// The conformance tests of <see cref="ISessionStoreEnumerator"/>. A driver that implements the
/// interface inherits this class beside <see cref="SessionStoreConformanceTests"/>, saying only how
/// to create the driver.
/// </summary>
public abstract class SessionStoreEnumeratorConformanceTests : SessionStoreTestBase
{
    /// <summary>The listing holds a live session and never one whose expiry has passed, swept or not.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Enumerate_ListsLiveSessionsOnly()
    {
        var enumerator = Assert.IsAssignableFrom<ISessionStoreEnumerator>(Store);
        var (expired, live) = await CreateExpiredAndLiveAsync();

        var ids = new List<string>();
        await foreach (var id in enumerator.GetSessionIdsAsync(TestContext.Current.CancellationToken))
        {
            ids.Add(id);
        }

        Assert.Contains(live, ids);
        Assert.DoesNotContain(expired, ids);
    }
}
