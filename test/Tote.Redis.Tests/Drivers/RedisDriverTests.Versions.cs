using StackExchange.Redis;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

// What compare-and-swap compares (a digest of the stored value), and what a version must not
// carry (the session), and the slide the load script applies with the rule it is handed.
public abstract partial class RedisDriverTests
{
    [Fact]
    public async Task PlainSetByAnotherApp_IsNoticedByCompareAndSwap()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var version = await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        const string astro = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"astro"]""";

        // What Astro's unstorage driver does: a plain SET, which also drops the key's TTL.
        await Database.StringSetAsync(Prefix + id, astro);

        Assert.Null(await store.SaveAsync(id, Record(), version!.Value, TestContext.Current.CancellationToken));
        var loaded = await store.LoadAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(astro, loaded!.Data);
        Assert.NotNull(await store.SaveAsync(id, Record(), loaded.Version, TestContext.Current.CancellationToken));
        Assert.NotNull(await Database.KeyTimeToLiveAsync(Prefix + id));
    }

    [Theory]
    [InlineData(false)] // unstorage's setItem without a ttl: the key loses its TTL
    [InlineData(true)]  // a writer that keeps the key's TTL
    public async Task AstroStyleOverwrite_BetweenLoadAndSave_MakesTheSaveConflict(bool keepTtl)
    {
        var store = CreateStore();
        var id = TestIds.New();
        await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var loaded = await LoadAndSlideAsync(store, id, TimeSpan.FromHours(1), TimeSpan.FromHours(24));
        const string astro = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"astro"]""";

        // The value only: Astro never touches Tote's metadata beside it.
        await Database.StringSetAsync(Prefix + id, astro, expiry: null, keepTtl: keepTtl);
        var saved = await store.SaveAsync(id, Record("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4],"tote"]"""), loaded!.Version, TestContext.Current.CancellationToken);

        Assert.Null(saved);
        Assert.Equal(astro, (string?)await Database.StringGetAsync(Prefix + id));
    }

    [Fact]
    public async Task SaveAfterAnotherWriterPutTheSameValueBack_Succeeds()
    {
        // Versions are digests of values: content that is back to what was loaded is what was loaded.
        var store = CreateStore();
        var id = TestIds.New();
        var version = await store.SaveAsync(id, Record(), SessionVersion.Missing, TestContext.Current.CancellationToken);
        await Database.StringSetAsync(Prefix + id, "[\"other\"]", expiry: null, keepTtl: true);
        await Database.StringSetAsync(Prefix + id, CartRecord, expiry: null, keepTtl: true);

        Assert.NotNull(await store.SaveAsync(id, Record(), version!.Value, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Versions_HoldNoneOfTheRecordsContent()
    {
        var store = CreateStore();
        var id = TestIds.New();
        const string card = "4111111111111111";
        const string record = """[["Map",1,2],"card",{"data":3,"expires":-1},""" + "\"" + card + "\"]";

        var saved = await store.SaveAsync(id, Record(record), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var loaded = await store.LoadAsync(id, TestContext.Current.CancellationToken);
        var slid = await LoadAndSlideAsync(store, id, TimeSpan.FromHours(1), TimeSpan.FromHours(24));

        Assert.Equal(saved, loaded!.Version);
        Assert.Equal(saved, slid!.Version);
        Assert.Matches("^[0-9a-f]{40}$", saved!.Value.Token);
        Assert.DoesNotContain(card, saved.Value.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("card", saved.Value.ToString(), StringComparison.Ordinal);

        // Keyed per store: a version cannot confirm a guess at the session's contents.
        Assert.NotEqual(saved, (await CreateStore().LoadAsync(id, TestContext.Current.CancellationToken))!.Version);
    }

    [Fact]
    public async Task Save_OfTextUtf8CannotHold_FailsWithoutQuotingTheSession()
    {
        var store = CreateStore();
        var record = Record("[\"secret" + '\uD800' + "\"]");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(TestIds.New(), record, SessionVersion.Missing, TestContext.Current.CancellationToken));

        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("D800", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task LoadAndSlide_MovesTheExpiryOnlyByTheMinimumSlideItIsGiven()
    {
        var store = CreateStore();
        var id = TestIds.New();
        var created = Clock.GetUtcNow();
        await store.SaveAsync(id, Record(lifetime: TimeSpan.FromMinutes(30)), SessionVersion.Missing, TestContext.Current.CancellationToken);
        var rule = new SlidingExpiration(TimeSpan.FromMinutes(30), TimeSpan.FromHours(24), MinimumSlide: TimeSpan.FromMinutes(10));

        Clock.Advance(TimeSpan.FromMinutes(9));
        var early = await store.LoadAndSlideAsync(id, rule, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var due = await store.LoadAndSlideAsync(id, rule, TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var always = await store.LoadAndSlideAsync(id, rule with { MinimumSlide = TimeSpan.Zero }, TestContext.Current.CancellationToken);

        Assert.False(early!.Value.Slid);
        Assert.Equal(created + TimeSpan.FromMinutes(30), early.Value.Record.ExpiresAt);
        Assert.True(due!.Value.Slid);
        Assert.Equal(created + TimeSpan.FromMinutes(40), due.Value.Record.ExpiresAt);
        Assert.True(always!.Value.Slid);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(30), always.Value.Record.ExpiresAt);
        Assert.InRange((await Database.KeyTimeToLiveAsync(Prefix + id))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
    }
}
