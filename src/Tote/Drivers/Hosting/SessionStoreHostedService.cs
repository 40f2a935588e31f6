using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tote.Diagnostics;

namespace Tote.Drivers.Hosting;

/// <summary>
/// Creates the chosen driver when the app starts (so a bad directory or a missing cache fails the
/// start, not the first request), lets it announce itself, and sweeps it on a timer from the
/// injected <see cref="TimeProvider"/> when it asks to be swept.
/// </summary>
internal sealed class SessionStoreHostedService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ISessionStoreSweeper? _sweeper;
    private PeriodicTimer? _timer;

    public SessionStoreHostedService(IServiceProvider services, TimeProvider time, ILoggerFactory loggers)
    {
        _services = services;
        _time = time;
        _logger = loggers.CreateLogger("Tote");
    }

    /// <summary>Test hook: raised after each timed sweep with the number of sessions removed.</summary>
    internal event Action<int>? Swept;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var store = _services.GetRequiredService<ISessionStore>();
        if (store is IHostedSessionStore hosted)
        {
            hosted.Announce(_logger);
            if (hosted.SweepInterval is { } interval && store is ISessionStoreSweeper sweeper)
            {
                // Created here rather than in ExecuteAsync so the first period counts from the start.
                _sweeper = sweeper;
                _timer = new PeriodicTimer(interval, _time);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
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
