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
/// No HTTP: the middleware and cookie are measured by the HTTP load script.
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

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        var options = new ToteOptions();
        _store = new MemorySessionStore(new MemorySessionStoreOptions(), time);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var client = new SessionStoreClient(_store, MemorySessionStore.DriverName, options.StoreTimeout, time, new ToteTelemetry(meters, MemorySessionStore.DriverName), NullLogger.Instance);
        _runtime = new SessionRuntime(options, client, time, NullLogger.Instance, new SessionIdTransport(options, environment: null, NullLogger.Instance));

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
        await _store.DeleteAsync(session.Id!);
    }

    private DistributedSession NewAspNetSession(string key, bool isNew)
        => new(_cache, key, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), static () => true, NullLoggerFactory.Instance, isNew);
}
