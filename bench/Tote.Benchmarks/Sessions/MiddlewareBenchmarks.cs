using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tote.Benchmarks.Sessions;

/// <summary>
/// One request through the middleware pipeline, without sockets or Kestrel: what the session
/// stack adds to a request, in nanoseconds, where the HTTP load test (<c>eng/bench-http.sh</c>)
/// can only see it as a share of a whole request's cost. Three pipelines serve the HTTP
/// benchmark's <c>GET /nosession</c>, <c>GET /cart</c> and <c>POST /cart</c>: no session at all (the handler answers
/// <c>0</c>, the <c>/plain</c> baseline), Tote on the memory driver, and the built-in session on
/// <c>AddDistributedMemoryCache</c> (its cart as JSON), each with the cookie of a session created
/// in setup with one item in its cart (as the HTTP benchmark's sessions). The write benchmarks set
/// the cart back unchanged, so the stored size stays steady. Setup sends every benchmark's request
/// once and checks its status, body and cookie before anything is timed.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MiddlewareBenchmarks : IDisposable
{
    private static readonly SessionKey<List<string>> Cart = new("cart");

    private Pipeline _none = null!;
    private Pipeline _tote = null!;
    private Pipeline _builtin = null!;

    [GlobalSetup]
    public void Setup()
    {
        _none = new Pipeline(services => { }, app => app.Run(static context => context.Response.WriteAsync(IsUntouched(context) ? "ok" : "0")));

        _tote = new Pipeline(
            services => services.AddTote().UseMemory(),
            app =>
            {
                app.UseTote();
                app.Run(static async context =>
                {
                    if (IsUntouched(context))
                    {
                        await context.Response.WriteAsync("ok");
                        return;
                    }

                    var session = context.Features.GetRequiredFeature<Session>();
                    var items = await session.GetAsync(Cart) ?? [];
                    if (HttpMethods.IsPost(context.Request.Method))
                    {
                        AddSeedItem(context, items);
                        session.Set(Cart, items);
                    }

                    await context.Response.WriteAsync(items.Count.ToString(CultureInfo.InvariantCulture));
                });
            });

        _builtin = new Pipeline(
            services => services.AddDistributedMemoryCache().AddSession(),
            app =>
            {
                app.UseSession();
                app.Run(static async context =>
                {
                    if (IsUntouched(context))
                    {
                        await context.Response.WriteAsync("ok");
                        return;
                    }

                    await context.Session.LoadAsync();
                    var items = context.Session.GetString("cart") is { } json ? JsonSerializer.Deserialize<List<string>>(json) ?? [] : [];
                    if (HttpMethods.IsPost(context.Request.Method))
                    {
                        AddSeedItem(context, items);
                        context.Session.SetString("cart", JsonSerializer.Serialize(items));
                    }

                    await context.Response.WriteAsync(items.Count.ToString(CultureInfo.InvariantCulture));
                });
            });

        _tote.CreateSession();
        _builtin.CreateSession();
        Validate();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _none?.Dispose();
        _tote?.Dispose();
        _builtin?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "no session: GET /nosession")]
    [BenchmarkCategory("untouched")]
    public Task NoSessionUntouched() => _none.SendAsync(HttpMethods.Get, "/nosession");

    [Benchmark(Description = "Tote memory: GET /nosession")]
    [BenchmarkCategory("untouched")]
    public Task ToteUntouched() => _tote.SendAsync(HttpMethods.Get, "/nosession");

    [Benchmark(Description = "built-in session: GET /nosession")]
    [BenchmarkCategory("untouched")]
    public Task BuiltinUntouched() => _builtin.SendAsync(HttpMethods.Get, "/nosession");

    [Benchmark(Baseline = true, Description = "no session: GET /cart")]
    [BenchmarkCategory("read")]
    public Task NoSessionRead() => _none.SendAsync(HttpMethods.Get);

    [Benchmark(Description = "Tote memory: GET /cart")]
    [BenchmarkCategory("read")]
    public Task ToteRead() => _tote.SendAsync(HttpMethods.Get);

    [Benchmark(Description = "built-in session: GET /cart")]
    [BenchmarkCategory("read")]
    public Task BuiltinRead() => _builtin.SendAsync(HttpMethods.Get);

    [Benchmark(Baseline = true, Description = "no session: POST /cart")]
    [BenchmarkCategory("write")]
    public Task NoSessionWrite() => _none.SendAsync(HttpMethods.Post);

    [Benchmark(Description = "Tote memory: POST /cart")]
    [BenchmarkCategory("write")]
    public Task ToteWrite() => _tote.SendAsync(HttpMethods.Post);

    [Benchmark(Description = "built-in session: POST /cart")]
    [BenchmarkCategory("write")]
    public Task BuiltinWrite() => _builtin.SendAsync(HttpMethods.Post);

    // The HTTP benchmark's /nosession: the session middleware runs, the handler ignores the session.
    private static bool IsUntouched(HttpContext context) => context.Request.Path.Equals("/nosession", StringComparison.Ordinal);

    // Only CreateSession sends ?item=: the timed writes send none and set the cart back unchanged.
    // Checking for a query string first keeps the timed requests from parsing one.
    private static void AddSeedItem(HttpContext context, List<string> items)
    {
        if (context.Request.QueryString.HasValue && context.Request.Query["item"] is [{ } item])
        {
            items.Add(item);
        }
    }

    // Every benchmark's request, once: a pipeline that answers 200 with the wrong body (a session
    // not found reads as an empty cart) would otherwise be timed as a fast one.
    private void Validate()
    {
        foreach (var (name, pipeline, cart) in new[] { ("no session", _none, "0"), ("Tote memory", _tote, "1"), ("built-in session", _builtin, "1") })
        {
            pipeline.Expect(name, HttpMethods.Get, "/nosession", "ok");
            pipeline.Expect(name, HttpMethods.Get, "/cart", cart);
            pipeline.Expect(name, HttpMethods.Post, "/cart", cart);
            pipeline.Expect(name, HttpMethods.Get, "/cart", cart); // the write kept the session and its one item
        }
    }

    /// <summary>A built middleware pipeline, and the cookie of the session it serves.</summary>
    private sealed class Pipeline : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly RequestDelegate _app;
        private string _cookie = string.Empty;

        public Pipeline(Action<IServiceCollection> configureServices, Action<IApplicationBuilder> configure)
        {
            // Tote binds its options from configuration, as in any host.
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            configureServices(services);
            _services = services.BuildServiceProvider();
            var app = new ApplicationBuilder(_services);
            configure(app);
            _app = app.Build();
        }

        /// <summary>Sends one <c>POST /cart?item=seed</c> with no cookie and keeps the session cookie it sets.</summary>
        public void CreateSession()
        {
            var context = NewContext(HttpMethods.Post, cookie: null, "/cart", Stream.Null);
            context.Request.QueryString = new QueryString("?item=seed");
            _app(context).GetAwaiter().GetResult();
            context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().GetAwaiter().GetResult();
            var setCookie = context.Response.Headers.SetCookie.ToString();
            if (setCookie.IndexOf(';', StringComparison.Ordinal) is not (> 0 and var end))
            {
                throw new InvalidOperationException($"POST /cart?item=seed with no cookie set no session cookie (Set-Cookie: '{setCookie}').");
            }

            _cookie = setCookie[..end];
        }

        public async Task SendAsync(string method, string path = "/cart")
        {
            var context = NewContext(method, _cookie, path, Stream.Null);
            await _app(context);
            await context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync();
        }

        /// <summary>Sends what <see cref="SendAsync"/> sends and throws unless it answers 200 with <paramref name="body"/> and sets no new cookie.</summary>
        public void Expect(string pipeline, string method, string path, string body)
        {
            using var captured = new MemoryStream();
            var context = NewContext(method, _cookie, path, captured);
            _app(context).GetAwaiter().GetResult();
            context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().GetAwaiter().GetResult();
            var answered = System.Text.Encoding.UTF8.GetString(captured.ToArray());
            var setCookie = context.Response.Headers.SetCookie.ToString();
            if (context.Response.StatusCode != StatusCodes.Status200OK || answered != body || setCookie.Length > 0)
            {
                throw new InvalidOperationException(
                    $"{pipeline}: {method} {path} with the session cookie answered {context.Response.StatusCode} '{answered}' (Set-Cookie: '{setCookie}'); expected 200 '{body}' and no new cookie. Fix the pipeline before timing it.");
            }
        }

        public void Dispose() => _services.Dispose();

        private DefaultHttpContext NewContext(string method, string? cookie, string path, Stream body)
        {
            var context = new DefaultHttpContext { RequestServices = _services };
            context.Request.Method = method;
            context.Request.Path = path;
            context.Request.Scheme = "https";
            if (cookie is not null)
            {
                context.Request.Headers.Cookie = cookie;
            }

            var response = new ServerResponse(body);
            context.Features.Set<IHttpResponseFeature>(response);
            context.Features.Set<IHttpResponseBodyFeature>(response);
            return context;
        }
    }

    /// <summary>
    /// The response side of a server, as far as a session stack sees it: the response starts at
    /// the first write or at completion, running the <c>OnStarting</c> callbacks (last registered
    /// first, as Kestrel does); the body goes to <c>Stream.Null</c>, or to a buffer when setup checks the answer.
    /// </summary>
    private sealed class ServerResponse(Stream body) : HttpResponseFeature, IHttpResponseBodyFeature
    {
        private readonly StreamResponseBodyFeature _body = new(body);
        private List<(Func<object, Task> Callback, object State)>? _onStarting;
        private bool _started;

        public override bool HasStarted => _started;

        public Stream Stream => _body.Stream;

        public System.IO.Pipelines.PipeWriter Writer => _body.Writer;

        public override void OnStarting(Func<object, Task> callback, object state) => (_onStarting ??= []).Add((callback, state));

        public void DisableBuffering() => _body.DisableBuffering();

        public async Task StartAsync(CancellationToken cancellationToken = default)
        {
            if (_started)
            {
                return;
            }

            if (_onStarting is { } callbacks)
            {
                for (var i = callbacks.Count - 1; i >= 0; i--)
                {
                    await callbacks[i].Callback(callbacks[i].State);
                }
            }

            _started = true;
            await _body.StartAsync(cancellationToken);
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
            => _body.SendFileAsync(path, offset, count, cancellationToken);

        public async Task CompleteAsync()
        {
            await StartAsync();
            await _body.CompleteAsync();
        }
    }
}
