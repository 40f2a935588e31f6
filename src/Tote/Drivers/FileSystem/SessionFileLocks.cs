namespace Tote.Drivers.FileSystem;

/// <summary>
/// Mutual exclusion for writers of one session, within this process and between processes on
/// the machine. Sessions are spread over 256 lock files by the first two hex digits of their ID;
/// a writer holds its lock file open with <see cref="FileShare.None"/> (an exclusive
/// <c>flock</c> on Unix, a sharing lock on Windows) while it checks the version and renames.
/// </summary>
/// <remarks>
/// Lock files are never deleted: deleting one while another process has it open would let two
/// writers each lock a different file under the same name. In this process a semaphore per
/// stripe queues writers first, so they wait without polling the file lock.
/// </remarks>
internal sealed class SessionFileLocks : IDisposable
{
    private const int Stripes = 256;

    // Back-off while another process holds the lock file: short, since a holder keeps it for one write.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly SemaphoreSlim[] _local = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];

    public SessionFileLocks(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public async ValueTask<Held> AcquireAsync(string id, CancellationToken cancellationToken)
    {
        var stripe = Stripe(id);
        var local = _local[stripe];
        await local.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var path = Path.Combine(_directory, stripe.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + ".lock");
            var backoff = TimeSpan.FromMilliseconds(1);
            var waited = TimeSpan.Zero;
            while (true)
            {
                try
                {
                    return new Held(local, new FileStream(path, PrivateFile.OpenOrCreateExclusive()));
                }
                catch (IOException) when (waited < MaxWait)
                {
                    // Another process holds this stripe. Real time, not the injected clock: this waits
                    // for another process, which a fake clock in a test would never let go.
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    waited += backoff;
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
        catch
        {
            local.Release();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var semaphore in _local)
        {
            semaphore.Dispose();
        }
    }

    // The store only passes IDs that start with two hex digits (FileSessionStore.IsFileSafe); they
    // spread random IDs evenly and, unlike a string hash, are the same in every process.
    private static int Stripe(string id) => Convert.ToInt32(id[..2], 16);

    /// <summary>A held lock; disposing it releases the file and then the stripe.</summary>
    public readonly struct Held(SemaphoreSlim local, FileStream file) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            local.Release();
        }
    }
}
