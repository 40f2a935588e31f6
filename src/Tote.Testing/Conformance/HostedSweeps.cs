using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tote.Drivers.Hosting;

namespace Tote.Testing;

/// <summary>
/// Waits for the timed sweeps a host runs on its fake clock, through the hosted service's
/// <c>Swept</c> hook: a driver's sweeper test awaits this instead of polling its storage.
/// </summary>
internal static class HostedSweeps
{
    /// <summary>
    /// Completes once the timed sweeps that finish after this call have removed at least
    /// <paramref name="sessions"/> sessions in all. Call it before moving the clock. Counted in
    /// all, not per sweep: a sweep the timer started on the way may have read the clock before it
    /// passed the expiry, and the tick that moved it past then runs another.
    /// </summary>
    /// <param name="host">A host whose driver the hosted service sweeps.</param>
    /// <param name="sessions">How many sessions the sweeps must remove.</param>
    /// <returns>The number removed, once it reaches <paramref name="sessions"/>.</returns>
    public static Task<int> RemovedAsync(ToteTestHost host, int sessions)
    {
        var removed = 0;
        var reached = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetServices<IHostedService>().OfType<SessionStoreHostedService>().Single().Swept += count =>
        {
            var total = Interlocked.Add(ref removed, count);
            if (total >= sessions)
            {
                reached.TrySetResult(total);
            }
        };
        return reached.Task;
    }
}
