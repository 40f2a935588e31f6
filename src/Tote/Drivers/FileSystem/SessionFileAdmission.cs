namespace Tote.Drivers.FileSystem;

/// <summary>
/// What the <c>fs</c> driver knows, in this process, about how full its directory is and which
/// session files to evict first: a count of session files and two queues of eviction candidates.
/// </summary>
/// <remarks>
/// <para>Listing a directory of many files per request would make a flood cost more with every
/// file it leaves, so the count is kept here: set from the directory when the store starts and
/// at every sweep (which reads every file anyway, including other processes' files), and moved
/// by this process's creations and deletions in between. With several processes on one
/// directory the count misses the others' changes until the next sweep, so the bound is
/// approximate by that much.</para>
/// <para>Candidates are only hints: the store re-reads a candidate's file under its lock before
/// it deletes it. <em>Probation</em> holds sessions used by one request only (this process's
/// creations, oldest first, plus those a sweep or rescan found); <em>protected</em> holds
/// established sessions, closest to expiry first, filled by a rescan only when probation is empty.</para>
/// </remarks>
internal sealed class SessionFileAdmission
{
    private readonly Lock _gate = new();
    private Queue<string> _probation = new();
    private Queue<string> _protected = new();
    private long _count;

    // Monotonic, so that a sweep can add what changed while it was listing the directory.
    private long _created;
    private long _removed;
    private long _sequence;
    private readonly Queue<(string Id, long Sequence)> _recent = new();

    public SessionFileAdmission(int maxSessions, long count)
    {
        MaxSessions = maxSessions;
        _count = count;
    }

    /// <summary>The bound: <see cref="FileSessionStoreOptions.MaxSessions"/>.</summary>
    public int MaxSessions { get; }

    /// <summary>The number of session files, as this process knows it.</summary>
    public long Count => Volatile.Read(ref _count);

    public bool IsOver => Count > MaxSessions;

    /// <summary>A new session file: counted, and the newest probation candidate.</summary>
    public void Created(string id)
    {
        lock (_gate)
        {
            _count++;
            _created++;
            _probation.Enqueue(id);
            _recent.Enqueue((id, ++_sequence));

            // Candidates only hint, and the oldest ones are the likeliest to be gone already: the
            // queues stay within the bound rather than growing with every session ever created.
            TrimTo(_probation, MaxSessions);
            while (_recent.Count > MaxSessions)
            {
                _recent.Dequeue();
            }
        }
    }

    /// <summary>Puts a probation candidate that was passed over back at the end of the queue.</summary>
    public void Requeue(string id)
    {
        lock (_gate)
        {
            _probation.Enqueue(id);
            TrimTo(_probation, MaxSessions);
        }
    }

    /// <summary>A session file this process deleted.</summary>
    public void Removed()
    {
        lock (_gate)
        {
            _count = Math.Max(0, _count - 1);
            _removed++;
        }
    }

    /// <summary>The next candidate, probation first; <see langword="false"/> when both queues are empty.</summary>
    public bool TryTakeCandidate(out string id, out bool isProtected)
    {
        lock (_gate)
        {
            isProtected = false;
            if (_probation.TryDequeue(out id!))
            {
                return true;
            }

            isProtected = true;
            return _protected.TryDequeue(out id!);
        }
    }

    /// <summary>Where a listing of the directory starts, for <see cref="Reset"/>.</summary>
    public Mark Begin()
    {
        lock (_gate)
        {
            return new Mark(_created, _removed, _sequence);
        }
    }

    /// <summary>
    /// Replaces what this process knew with a listing that started at <paramref name="mark"/>,
    /// keeping the creations and deletions made since.
    /// </summary>
    /// <param name="mark">Taken before the listing started.</param>
    /// <param name="count">The live session files the listing found.</param>
    /// <param name="probation">The sessions used once it found, oldest first.</param>
    /// <param name="established">Established sessions, closest to expiry first, as eviction candidates for when probation runs out.</param>
    public void Reset(Mark mark, long count, IEnumerable<string> probation, IEnumerable<string> established)
    {
        lock (_gate)
        {
            _count = Math.Max(0, count + (_created - mark.Created) - (_removed - mark.Removed));
            _probation = new Queue<string>(probation);
            while (_recent.TryPeek(out var recent) && recent.Sequence <= mark.Sequence)
            {
                _recent.Dequeue();
            }

            foreach (var (id, _) in _recent)
            {
                _probation.Enqueue(id);
            }

            TrimTo(_probation, MaxSessions);
            _protected = new Queue<string>(established);
        }
    }

    private static void TrimTo(Queue<string> queue, int count)
    {
        while (queue.Count > count)
        {
            queue.Dequeue();
        }
    }

    /// <summary>The counters when a listing of the directory started.</summary>
    public readonly record struct Mark(long Created, long Removed, long Sequence);
}
