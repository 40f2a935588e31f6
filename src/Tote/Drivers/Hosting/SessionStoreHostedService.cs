using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Cookies;
using Tote.Diagnostics;

namespace Tote.Drivers.Hosting;

/// <summary>
/// Creates the chosen driver when the app starts (so a bad directory or a missing cache fails the
/// start, not the first request), checks once that the store answers (a Warning with the driver's
/// error when it does not, never a failed start: the store may come up later), loading the key of
/// session handles in the same call when the store keeps one (<see cref="Users.HandleKeyRecord"/>), and sweeps any
/// <see cref="ISessionStoreSweeper"/>, built in or not, every <see cref="ISessionStoreSweeper.SweepInterval"/>
/// on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SessionStoreHostedService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ISessionStoreSweeper? _sweeper;
    private PeriodicTimer? _timer;
    private Task _probe = Task.CompletedTask;

    public SessionStoreHostedService(IServiceProvider services, TimeProvider time, ILoggerFactory loggers)
    {
        _services = services;
        _time = time;
        _logger = loggers.CreateLogger("Tote");
    }

    /// <summary>Test hook: raised after each timed sweep with the number of sessions removed.</summary>
    internal event Action<int>? Swept;

    /// <summary>Test hook: the startup check of the store, complete once it has answered, failed or been stopped.</summary>
    internal Task StartupProbe => _probe;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the store creates it, so a bad directory or a missing cache fails the start here.
        if (_services.GetRequiredService<ISessionStore>() is ISessionStoreSweeper sweeper)
        {
            var interval = sweeper.SweepInterval;
            if (interval != Timeout.InfiniteTimeSpan)
            {
                if (interval <= TimeSpan.Zero)
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The session store {sweeper.GetType().FullName} asks to be swept every {interval}; ISessionStoreSweeper.SweepInterval must be positive, or Timeout.InfiniteTimeSpan for a store that is never swept on a timer."));
                }

                // Created here rather than in ExecuteAsync so the first period counts from the start.
                _sweeper = sweeper;
                _timer = new PeriodicTimer(interval, _time);
            }
        }

        // Started, not awaited: a store that hangs must not hold up the app's start (the check is
        // bounded by the store timeout anyway). A store that answers at once has answered by the
        // time this returns, so the check comes before any request's store call.
        if (_services.GetService<SessionRuntime>() is { } runtime)
        {
            _probe = ProbeAsync(runtime, _stopping.Token);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A driver that ignores cancellation must not hold up the shutdown past its deadline.
            await _probe.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();

        // Cancelled, not disposed, as BackgroundService treats its own token: a host may stop a
        // service after disposing it (WebApplicationFactory does).
        _stopping.Cancel();
        base.Dispose();
    }

    /// <summary>
    /// Checks that the store answers with one load through the store client (so the timeout applies
    /// and a failure counts towards failing fast): of the key of session handles when the store
    /// keeps it, which loads that key too (<see cref="Users.HandleKeySource.PreloadAsync"/>), else of
    /// a random, well-formed ID, as the health check does.
    /// </summary>
    private async Task ProbeAsync(SessionRuntime runtime, CancellationToken stopping)
    {
        try
        {
            if (runtime.Users.HandleKey.IsStored)
            {
                await runtime.Users.HandleKey.PreloadAsync(stopping).ConfigureAwait(false);
            }
            else
            {
                await runtime.Store.LoadAsync(SessionIds.New(), slide: null, stopping).ConfigureAwait(false);
            }

            Log.StoreReachableAtStartup(_logger, runtime.Store.Driver);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException ex)
        {
            // The store answered; what it holds is a configuration problem the operator must fix.
            Log.StoreReachableAtStartup(_logger, runtime.Store.Driver);
            Log.HandleKeyUnreadable(_logger, ex, ex.Message);
        }
        catch (Exception ex)
        {
            // The ID is the reserved or a random one, so the driver's error names no visitor's session.
            Log.StoreUnreachableAtStartup(_logger, ex, runtime.Store.Driver, runtime.Options.StoreFailureStatusCode, ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is null || _sweeper is null)
        {
            return;
        }

        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                int removed;
                try
                {
                    removed = await _sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed sweep is retried at the next tick; it must not stop the app.
                    Log.SweepFailed(_logger, ex);
                    continue;
                }

                Log.Swept(_logger, removed);
                Swept?.Invoke(removed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
