using Microsoft.Extensions.Logging;

namespace Tote.Drivers.Hosting;

/// <summary>
/// A driver that <see cref="SessionStoreHostedService"/> looks after while the app runs: it says
/// at startup what an operator must know about it, and may ask to be swept on a timer.
/// </summary>
internal interface IHostedSessionStore
{
    /// <summary>How often to sweep expired sessions; <see langword="null"/> when the store expires them itself.</summary>
    TimeSpan? SweepInterval { get; }

    /// <summary>Writes the driver's startup log line.</summary>
    void Announce(ILogger logger);
}
