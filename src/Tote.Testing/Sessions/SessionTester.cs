using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;

namespace Tote.Testing;

/// <summary>
/// Unit-tests code that takes a <see cref="Session"/> (or calls <c>HttpContext.GetSession()</c>)
/// without a server: each run is one request of one visitor, through Tote's real middleware over a
/// <see cref="DefaultHttpContext"/>, on the real memory driver and a fake clock. The tester keeps the
/// visitor's session cookie between runs, as a browser would, so a test can seed a session, run the
/// code under test, and check what was saved and what the response did with the cookie.
/// </summary>
/// <remarks>
/// <para>
/// Saving, strict session IDs, expiry and the cookie decision are Tote's own code, not a
/// re-implementation: a handler behaves here as it does in the app. Requests are
/// <c>GET https://localhost/</c> unless a run changes them; Tote's options are the defaults
/// (Production rules) plus what the constructor's delegate sets.
/// </para>
/// <para>Runs are sequential by default; concurrent runs share the store and the clock, as concurrent requests of one visitor would.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var tester = new SessionTester();
/// await tester.SeedAsync(session =&gt; session.Set(Keys.Cart, ["apple"]));
///
/// var result = await tester.RunAsync(session =&gt; CartHandlers.AddAsync(session, "pear"));
///
/// Assert.Equal(SessionCookieDecision.None, result.Cookie);
/// Assert.Equal(["apple", "pear"], (await tester.LoadSavedAsync())!.Get(Keys.Cart));
/// </code>
/// </example>
public sealed class SessionTester : IAsyncDisposable, IDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _cookieName;

    /// <summary>Creates a tester with its own memory store and fake clock.</summary>
    /// <param name="configure">Sets Tote's options (idle timeout, cookie <c>Max-Age</c>, default key TTL …), as <c>AddTote(configure)</c> would.</param>
    /// <param name="services">Adds services the code under test resolves from <see cref="HttpContext.RequestServices"/>.</param>
    /// <exception cref="OptionsValidationException">The options are not valid; the message lists every error.</exception>
    public SessionTester(Action<ToteOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        Clock = TestClock.Create();
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(Clock);
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        collection.AddTote(configure).UseMemory();
        services?.Invoke(collection);
        _services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        // Read the options now, so that invalid ones fail here with every error listed.
        _cookieName = _services.GetRequiredService<IOptions<ToteOptions>>().Value.Cookie.Name;
        Store = _services.GetRequiredService<ISessionStore>();
    }

    /// <summary>The clock Tote and the memory driver read; advance it to expire sessions and keys.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>The services of the tester's app: Tote's, and those the constructor added.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Every log line Tote wrote, at Debug level and above.</summary>
    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    /// <summary>The memory driver holding the sessions.</summary>
    public ISessionStore Store { get; }

    /// <summary>
    /// The session cookie the visitor sends with the next run; <see langword="null"/> for none. Each
    /// run updates it from the response, as a browser does; set it to forge, share or drop the cookie.
    /// </summary>
    public string? SessionId { get; set; }

    /// <summary>Runs one request in which <paramref name="seed"/> sets up the visitor's session, and keeps its cookie.</summary>
    /// <param name="seed">Sets keys on the session, such as <c>session =&gt; session.Set(Keys.Cart, ["apple"])</c>.</param>
    /// <returns>The request's result.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="seed"/> left the visitor without a session (it set nothing).</exception>
    public async Task<SessionTestResult> SeedAsync(Action<Session> seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var result = await RunAsync(seed);
        if (result.SessionId is null)
        {
            throw new InvalidOperationException("The seed left the visitor without a session. Set at least one key in it, such as session => session.Set(Keys.Cart, [\"apple\"]).");
        }

        return result;
    }

    /// <summary>Runs one request of the visitor in which <paramref name="handler"/> uses the session.</summary>
    /// <param name="handler">The code under test, such as <c>session =&gt; CartHandlers.AddAsync(session, "pear")</c>.</param>
    /// <returns>The request's result, once the session is saved.</returns>
    public Task<SessionTestResult> RunAsync(Func<Session, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunRequestAsync(context => handler(context.GetSession()));
    }

    /// <summary>Runs one request of the visitor in which <paramref name="handler"/> uses the session synchronously (<c>Set</c>, <c>Delete</c>, <c>Destroy</c>).</summary>
    /// <param name="handler">The code under test.</param>
    /// <returns>The request's result, once the session is saved.</returns>
    public Task<SessionTestResult> RunAsync(Action<Session> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunRequestAsync(context =>
        {
            handler(context.GetSession());
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Runs one request of the visitor through Tote's middleware to <paramref name="endpoint"/>, for
    /// code that takes the <see cref="HttpContext"/> (<c>context.GetSession()</c>, a middleware, an
    /// <c>IResult</c> executed with <c>ExecuteAsync(context)</c>).
    /// </summary>
    /// <param name="endpoint">The code under test, run where the endpoint would be.</param>
    /// <param name="request">Changes the request before it runs (method, path, headers); by default <c>GET https://localhost/</c> with the visitor's cookie.</param>
    /// <returns>The request's result, once the session is saved; its body is kept for <see cref="SessionTestResult.ReadResponseBody"/>.</returns>
    public async Task<SessionTestResult> RunRequestAsync(RequestDelegate endpoint, Action<HttpRequest>? request = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = "/";
        if (SessionId is not null)
        {
            context.Request.Headers.Cookie = $"{_cookieName}={SessionId}";
        }

        context.Response.Body = new MemoryStream();
        request?.Invoke(context.Request);

        var app = new ApplicationBuilder(_services);
        app.UseTote();
        app.Run(endpoint);
        await app.Build()(context);

        var (decision, cookie) = ReadCookieDecision(context.Response);
        if (decision != SessionCookieDecision.None)
        {
            SessionId = decision == SessionCookieDecision.Issued ? cookie!.Value : null;
        }

        return new SessionTestResult(context, decision, cookie, SessionId);
    }

    /// <summary>
    /// Reads a session as the store holds it, without sliding its expiry or issuing a cookie: what
    /// the runs so far saved.
    /// </summary>
    /// <param name="id">The session ID; defaults to the visitor's (<see cref="SessionId"/>).</param>
    /// <returns>The saved session, or <see langword="null"/> when the store holds none under the ID (never created, destroyed, regenerated away or expired).</returns>
    public async Task<SavedSession?> LoadSavedAsync(string? id = null)
    {
        id ??= SessionId;
        if (id is null)
        {
            return null;
        }

        var record = await Store.LoadAsync(id);
        return record is null ? null : new SavedSession(id, record, Clock.GetUtcNow());
    }

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    // Tote makes one cookie decision per response; the last header for the cookie is what a browser keeps.
    private (SessionCookieDecision Decision, SetCookie? Cookie) ReadCookieDecision(HttpResponse response)
    {
        SetCookie? last = null;
        foreach (var header in response.Headers.SetCookie)
        {
            if (header is not null && new SetCookie(header) is var cookie && cookie.Name == _cookieName)
            {
                last = cookie;
            }
        }

        return last switch
        {
            null => (SessionCookieDecision.None, null),
            { Expired: true } or { Value.Length: 0 } => (SessionCookieDecision.Cleared, last),
            _ => (SessionCookieDecision.Issued, last),
        };
    }
}
