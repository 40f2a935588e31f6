using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Cookies;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Drivers.Memory;

namespace Tote.Benchmarks.Sessions;

/// <summary>
/// A request's worth of session work over the memory driver, against ASP.NET Core's built-in
/// <see cref="DistributedSession"/> over <see cref="MemoryDistributedCache"/> doing the same work
/// (its values as System.Text.Json bytes, as apps store objects in <c>ISession</c>):
/// <list type="bullet">
/// <item>read-only: load the session, read the cart, finish the request;</item>
/// <item>write: load, read the cart, set a counter, save;</item>
/// <item>cart update: load a 100-item cart, change one item, set it back, save (what <c>POST /cart</c> of the HTTP benchmark does);</item>
/// <item>new session: set a cart on a fresh session and save it (then delete it, in both, to keep the store's size steady).</item>
/// </list>
/// No HTTP: the middleware and cookie are measured by the HTTP load script. Setup runs every
/// benchmark once on a store of its own and checks its answer and what it stored before anything
/// is timed.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SessionCoreBenchmarks : IDisposable
{
    private static readonly SessionKey<List<string>> Cart = new("cart");
    private static readonly List<string> Items = ["apple", "banana", "cherry", "dates", "elderberry"];
    private static readonly List<string> LongCart = [.. Enumerable.Range(0, 100).Select(i => "item-" + (i % 7))];

    private SessionRuntime _runtime = null!;
    private MemorySessionStore _store = null!;
    private string _toteId = null!;
    private MemoryDistributedCache _cache = null!;
    private string _aspNetKey = null!;
    private string _toteCartId = null!;
    private string _aspNetCartKey = null!;
    private int _counter;

    // Set only while setup validates: sees a new session between its save and its delete.
    private Action<string>? _onNewSessionSaved;

    [GlobalSetup]
    public void Setup()
    {
        // Validating writes a counter into the sessions the reads use; the benchmarks then run on
        // a store and sessions built afresh, as they would be without the check.
        Build();
        Validate();
        Build();
        _counter = 0;
    }

    private void Build()
    {
        (_runtime, _store) = MemoryRuntime.Create();

        var session = new Session(_runtime, context: null);
        session.Set(Cart, Items);
        session.SaveAsync().AsTask().GetAwaiter().GetResult();
        _toteId = session.Id!;

        var cartSession = new Session(_runtime, context: null);
        cartSession.Set(Cart, LongCart);
        cartSession.SaveAsync().AsTask().GetAwaiter().GetResult();
        _toteCartId = cartSession.Id!;

        _cache = new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
        _aspNetKey = Guid.NewGuid().ToString();
        var aspNet = NewAspNetSession(_aspNetKey, isNew: true);
        aspNet.Set("cart", JsonSerializer.SerializeToUtf8Bytes(Items));
        aspNet.CommitAsync().GetAwaiter().GetResult();
        _aspNetCartKey = Guid.NewGuid().ToString();
        var aspNetCart = NewAspNetSession(_aspNetCartKey, isNew: true);
        aspNetCart.Set("cart", JsonSerializer.SerializeToUtf8Bytes(LongCart));
        aspNetCart.CommitAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "ASP.NET session: read-only")]
    [BenchmarkCategory("read-only")]
    public async Task<int> AspNetReadOnly()
    {
        var session = NewAspNetSession(_aspNetKey, isNew: false);
        await session.LoadAsync();
        var cart = session.TryGetValue("cart", out var bytes) ? JsonSerializer.Deserialize<List<string>>(bytes) : null;
        await session.CommitAsync();
        return cart!.Count;
    }

    [Benchmark(Description = "Tote: read-only")]
    [BenchmarkCategory("read-only")]
    public async Task<int> ToteReadOnly()
    {
        var session = new Session(_runtime, context: null);
        session.UseCandidate(_toteId);
        var cart = await session.GetAsync(Cart);
        await session.SaveAsync();
        session.ReleaseParsedRecords(); // as the middleware does when the request ends
        return cart!.Count;
    }

    [Benchmark(Baseline = true, Description = "ASP.NET session: write")]
    [BenchmarkCategory("write")]
    public async Task<int> AspNetWrite()
    {
        var session = NewAspNetSession(_aspNetKey, isNew: false);
        await session.LoadAsync();
        var cart = session.TryGetValue("cart", out var bytes) ? JsonSerializer.Deserialize<List<string>>(bytes) : null;
        session.Set("counter", JsonSerializer.SerializeToUtf8Bytes(++_counter));
        await session.CommitAsync();
        return cart!.Count;
    }

    [Benchmark(Description = "Tote: write")]
    [BenchmarkCategory("write")]
    public async Task<int> ToteWrite()
    {
        var session = new Session(_runtime, context: null);
        session.UseCandidate(_toteId);
        var cart = await session.GetAsync(Cart);
        session.Set("counter", ++_counter);
        await session.SaveAsync();
        session.ReleaseParsedRecords(); // as the middleware does when the request ends
        return cart!.Count;
    }

    [Benchmark(Baseline = true, Description = "ASP.NET session: cart update")]
    [BenchmarkCategory("cart update")]
    public async Task<int> AspNetCartUpdate()
    {
        var session = NewAspNetSession(_aspNetCartKey, isNew: false);
        await session.LoadAsync();
        var cart = JsonSerializer.Deserialize<List<string>>(session.TryGetValue("cart", out var bytes) ? bytes : [])!;
        cart[^1] = "item-" + (++_counter % 7);
        session.Set("cart", JsonSerializer.SerializeToUtf8Bytes(cart));
        await session.CommitAsync();
        return cart.Count;
    }

    [Benchmark(Description = "Tote: cart update")]
    [BenchmarkCategory("cart update")]
    public async Task<int> ToteCartUpdate()
    {
        var session = new Session(_runtime, context: null);
        session.UseCandidate(_toteCartId);
        var cart = (await session.GetAsync(Cart))!;
        cart[^1] = "item-" + (++_counter % 7);
        session.Set(Cart, cart);
        await session.SaveAsync();
        session.ReleaseParsedRecords(); // as the middleware does when the request ends
        return cart.Count;
    }

    [Benchmark(Baseline = true, Description = "ASP.NET session: new session")]
    [BenchmarkCategory("new session")]
    public async Task AspNetNewSession()
    {
        var key = Guid.NewGuid().ToString();
        var session = NewAspNetSession(key, isNew: true);
        session.Set("cart", JsonSerializer.SerializeToUtf8Bytes(Items));
        await session.CommitAsync();
        _onNewSessionSaved?.Invoke(key);
        await _cache.RemoveAsync(key);
    }

    [Benchmark(Description = "Tote: new session")]
    [BenchmarkCategory("new session")]
    public async Task ToteNewSession()
    {
        var session = new Session(_runtime, context: null);
        session.Set(Cart, Items);
        await session.SaveAsync();
        session.ReleaseParsedRecords(); // as the middleware does when the request ends
        _onNewSessionSaved?.Invoke(session.Id!);
        await _store.DeleteAsync(session.Id!);
    }

    private static void Check(bool holds, string benchmark, string expected)
    {
        if (!holds)
        {
            throw new InvalidOperationException($"{benchmark} does not do what it measures: expected {expected}. Fix the benchmark before timing it.");
        }
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static T Wait<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();

    // Each benchmark once: its answer, and what a later request finds in the store.
    private void Validate()
    {
        Check(Wait(ToteReadOnly()) == Items.Count, "Tote: read-only", $"the {Items.Count}-item cart");
        Check(Wait(AspNetReadOnly()) == Items.Count, "ASP.NET session: read-only", $"the {Items.Count}-item cart");

        Check(Wait(ToteWrite()) == Items.Count && Wait(LoadTote(_toteId).GetAsync<int>("counter")) == _counter, "Tote: write", $"the cart, and the counter stored as {_counter}");
        Check(Wait(AspNetWrite()) == Items.Count && LoadAspNet(_aspNetKey, "counter") is { } counter && JsonSerializer.Deserialize<int>(counter) == _counter, "ASP.NET session: write", $"the cart, and the counter stored as {_counter}");

        var last = "item-" + ((_counter + 1) % 7);
        Check(Wait(ToteCartUpdate()) == LongCart.Count && Wait(LoadTote(_toteCartId).GetAsync(Cart)) is { } toteCart && toteCart.Count == LongCart.Count && toteCart[^1] == last, "Tote: cart update", $"a {LongCart.Count}-item cart stored with '{last}' last");
        last = "item-" + ((_counter + 1) % 7);
        Check(Wait(AspNetCartUpdate()) == LongCart.Count && LoadAspNet(_aspNetCartKey, "cart") is { } json && JsonSerializer.Deserialize<List<string>>(json) is { } aspNetCart && aspNetCart.Count == LongCart.Count && aspNetCart[^1] == last, "ASP.NET session: cart update", $"a {LongCart.Count}-item cart stored with '{last}' last");

        string? saved = null;
        var sessions = _store.Count;
        _onNewSessionSaved = id => saved = Wait(LoadTote(id).GetAsync(Cart))?.Count == Items.Count ? id : null;
        ToteNewSession().GetAwaiter().GetResult();
        Check(saved is not null && _store.Count == sessions && Wait(_store.LoadAsync(saved)) is null, "Tote: new session", "a session stored with the cart, then deleted");

        saved = null;
        _onNewSessionSaved = key => saved = LoadAspNet(key, "cart") is not null ? key : null;
        AspNetNewSession().GetAwaiter().GetResult();
        Check(saved is not null && _cache.Get(saved) is null, "ASP.NET session: new session", "a session stored with the cart, then deleted");
        _onNewSessionSaved = null;
    }

    private Session LoadTote(string id)
    {
        var session = new Session(_runtime, context: null);
        session.UseCandidate(id);
        return session;
    }

    private byte[]? LoadAspNet(string key, string name)
    {
        var session = NewAspNetSession(key, isNew: false);
        session.LoadAsync().GetAwaiter().GetResult();
        return session.TryGetValue(name, out var bytes) ? bytes : null;
    }

    private DistributedSession NewAspNetSession(string key, bool isNew)
        => new(_cache, key, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), static () => true, NullLoggerFactory.Instance, isNew);
}
