using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;

namespace Tote.Testing;

/// <summary>
/// A real ASP.NET Core pipeline on TestServer with Tote, a fake clock and captured logs: the one
/// way pipeline tests build a host.
/// </summary>
public sealed class ToteTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ToteTestHost(WebApplication app, FakeTimeProvider clock)
    {
        _app = app;
        Clock = clock;
    }

    /// <summary>The clock Tote and the driver read; advance it to expire things.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Every log line written, at every level.</summary>
    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    /// <summary>The driver the app uses.</summary>
    public ISessionStore Store => _app.Services.GetRequiredService<ISessionStore>();

    /// <summary>Builds and starts a host with the given endpoints.</summary>
    /// <param name="endpoints">Maps the endpoints under test.</param>
    /// <param name="configure">Sets options, driver, services and extra middleware.</param>
    /// <returns>The started host.</returns>
    public static async Task<ToteTestHost> StartAsync(Action<WebApplication> endpoints, Action<ToteTestHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new ToteTestHostOptions();
        configure?.Invoke(options);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = options.Environment,
        });
        if (options.UseKestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Configuration.AddInMemoryCollection(options.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();

        var clock = TestClock.Create();
        builder.Services.AddSingleton<TimeProvider>(clock);
        if (options.AddTote)
        {
            var tote = builder.Services.AddTote(options.Tote);
            options.Driver?.Invoke(tote);
        }

        options.Services?.Invoke(builder.Services);
        var app = builder.Build();
        options.BeforeTote?.Invoke(app);
        if (options.UseTote)
        {
            app.UseTote();
        }

        endpoints(app);
        await app.StartAsync();
        return new ToteTestHost(app, clock);
    }

    /// <summary>A client that keeps the session cookie between requests, as a browser does.</summary>
    public SessionClient CreateClient()
    {
        var http = _app.Services.GetRequiredService<IServer>() is TestServer server
            ? server.CreateClient()
            : new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        return new(http, Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ToteOptions>>().Value.Cookie.Name);
    }

    /// <summary>Collects the measurements of one Tote instrument from now on.</summary>
    /// <param name="instrument">The instrument's name, such as <c>tote.sessions.created</c>.</param>
    public MetricCollector<T> Metric<T>(string instrument)
        where T : struct
        => new(Services.GetRequiredService<IMeterFactory>(), "Tote", instrument, Clock);

    /// <summary>
    /// A task that completes once the timed sweeps of the store (every
    /// <see cref="ISessionStoreSweeper.SweepInterval"/> on <see cref="Clock"/>) that finish after
    /// this call have removed at least <paramref name="sessions"/> sessions in all. Call it before
    /// moving the clock. Counted in all, not per sweep: a sweep the timer started on the way may
    /// have read the clock before it passed the expiry, and the tick that moved it past runs another.
    /// </summary>
    /// <param name="sessions">How many sessions the sweeps must remove; at least one.</param>
    /// <returns>The number of sessions the sweeps removed, once it reaches <paramref name="sessions"/>.</returns>
    public Task<int> SweepRemovingSessions(int sessions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sessions, 1);
        var removed = 0;
        var reached = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Services.GetServices<IHostedService>().OfType<Drivers.Hosting.SessionStoreHostedService>().Single().Swept += count =>
        {
            var total = Interlocked.Add(ref removed, count);
            if (total >= sessions)
            {
                reached.TrySetResult(total);
            }
        };
        return reached.Task;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
