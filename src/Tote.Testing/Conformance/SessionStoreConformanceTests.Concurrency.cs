using System.Globalization;
using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <content>Concurrent writers: what every driver promises, and what compare-and-swap adds.</content>
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>
    /// Concurrent saves expecting one version leave the whole record of one save that succeeded, and
    /// the versions of the other successful saves conflict afterwards; with compare-and-swap exactly
    /// one save succeeds.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ConcurrentSaves_WithTheSameVersion_LeaveOneWholeRecord()
    {
        var id = TestIds.New();
        var version = await CreateAsync(id);
        var written = Enumerable.Range(0, 20).Select(i => $$"""[["Map",1,2],"n",{"data":3,"expires":-1},{{i}}]""").ToList();

        var results = await Task.WhenAll(written.Select(data => Task.Run(async () =>
            (Data: data, Version: await Store.SaveAsync(id, Record(data), version, TestContext.Current.CancellationToken)))));
        var succeeded = results.Where(r => r.Version is not null).Select(r => new SuccessfulSave(r.Version!.Value, r.Data)).ToList();

        if (SupportsCompareAndSwap)
        {
            Assert.Single(succeeded);
        }

        await AssertStoresOneSuccessfulSaveWholeAsync(id, succeeded);
    }

    /// <summary>
    /// Fifty concurrent load-increment-save loops leave fifty where the driver can compare-and-swap;
    /// where it cannot, they leave the whole record of one successful save.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ConcurrentCompareAndSwapLoops_LoseNoUpdateWhereTheDriverCanCompare()
    {
        var id = TestIds.New();
        await CreateAsync(id, data: "0");

        var succeeded = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var current = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
                var next = (int.Parse(current!.Data, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                if (await Store.SaveAsync(id, Record(next), current.Version, TestContext.Current.CancellationToken) is { } saved)
                {
                    return new SuccessfulSave(saved, next);
                }
            }
        })));

        if (SupportsCompareAndSwap)
        {
            Assert.Equal("50", (await Store.LoadAsync(id, TestContext.Current.CancellationToken))!.Data);
        }

        await AssertStoresOneSuccessfulSaveWholeAsync(id, succeeded);
    }

    /// <summary>
    /// What a driver promises after concurrent saves even when the last writer wins: the stored
    /// record is the data of one save that succeeded under the version that save returned (never
    /// one save's data under another's version), and the version check, which only a racing
    /// write slips past, refuses every version that record replaced and leaves it alone.
    /// </summary>
    private async Task AssertStoresOneSuccessfulSaveWholeAsync(string id, IReadOnlyCollection<SuccessfulSave> succeeded)
    {
        // The first save to check its expected version finds it: no write can come before every check.
        Assert.NotEmpty(succeeded);
        var stored = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.Contains(new SuccessfulSave(stored.Version, stored.Data), succeeded);

        foreach (var replaced in succeeded.Where(s => s.Version != stored.Version))
        {
            Assert.Null(await Store.SaveAsync(id, Record("""[["Map"]]"""), replaced.Version, TestContext.Current.CancellationToken));
        }

        var after = await Store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(stored.Data, after!.Data);
        Assert.Equal(stored.Version, after.Version);
    }

    /// <summary>A save that returned a version, and the data it wrote.</summary>
    private readonly record struct SuccessfulSave(SessionVersion Version, string Data);
}
