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
/// in setup. The write benchmarks set the cart back unchanged, so the stored size stays steady.
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
                        context.Session.SetString("cart", JsonSerializer.Serialize(items));
                    }

                    await context.Response.WriteAsync(items.Count.ToString(CultureInfo.InvariantCulture));
                });
            });

        _tote.CreateSession();
        _builtin.CreateSession();
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

        /// <summary>Sends one <c>POST /cart</c> with no cookie and keeps the session cookie it sets.</summary>
        public void CreateSession()
        {
            var context = NewContext(HttpMethods.Post, cookie: null);
            _app(context).GetAwaiter().GetResult();
            context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync().GetAwaiter().GetResult();
            var setCookie = context.Response.Headers.SetCookie.ToString();
            _cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        }

        public async Task SendAsync(string method, string path = "/cart")
        {
            var context = NewContext(method, _cookie, path);
            await _app(context);
            await context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().CompleteAsync();
        }

        public void Dispose() => _services.Dispose();

        private DefaultHttpContext NewContext(string method, string? cookie, string path = "/cart")
        {
            var context = new DefaultHttpContext { RequestServices = _services };
            context.Request.Method = method;
            context.Request.Path = path;
            context.Request.Scheme = "https";
            if (cookie is not null)
            {
                context.Request.Headers.Cookie = cookie;
            }

            var response = new ServerResponse();
            context.Features.Set<IHttpResponseFeature>(response);
            context.Features.Set<IHttpResponseBodyFeature>(response);
            return context;
        }
    }

    /// <summary>
    /// The response side of a server, as far as a session stack sees it: the response starts at
    /// the first write or at completion, running the <c>OnStarting</c> callbacks (last registered
    /// first, as Kestrel does); the body goes nowhere.
    /// </summary>
    private sealed class ServerResponse : HttpResponseFeature, IHttpResponseBodyFeature
    {
        private readonly StreamResponseBodyFeature _body = new(Stream.Null);
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
