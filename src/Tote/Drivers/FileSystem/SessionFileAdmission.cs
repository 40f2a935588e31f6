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
/// creations, oldest first, plus those a listing found); <em>protected</em> holds established
/// sessions, closest to expiry first, filled by each listing and used only right after a listing
/// found no session used once.</para>
/// </remarks>
internal sealed class SessionFileAdmission
{
    private readonly Lock _gate = new();
    private Queue<string> _probation = new();
    private Queue<string> _protected = new();
    private long _count;

    // What changed while a listing was under way, by ID: a file created or removed during the
    // listing may or may not be in it, so counting changes by number would count some twice.
    private long _sequence;
    private readonly Queue<(string Id, long Sequence)> _created = new();
    private readonly Queue<(string Id, long Sequence)> _removed = new();

    public SessionFileAdmission(int maxSessions, long count)
    {
        MaxSessions = maxSessions;
        _count = count;
    }

    /// <summary>The bound: <see cref="FileSessionStoreOptions.MaxSessions"/>.</summary>
    public int MaxSessions { get; }

    // Room for the bound's worth of candidates plus the stale ones (promoted, deleted) and those
    // of concurrent creations; a hint dropped beyond it is found again by the next listing.
    private int HintCapacity => (int)Math.Min(int.MaxValue, (2L * MaxSessions) + 1024);

    /// <summary>The number of session files, as this process knows it.</summary>
    public long Count => Volatile.Read(ref _count);

    public bool IsOver => Count > MaxSessions;

    /// <summary>A new session file: counted, and the newest probation candidate.</summary>
    public void Created(string id)
    {
        lock (_gate)
        {
            _count++;
            _probation.Enqueue(id);
            _created.Enqueue((id, ++_sequence));

            // Candidates only hint, and the oldest ones are the likeliest to be gone already: the
            // queues stay within the bound rather than growing with every session ever created.
            TrimTo(_probation, HintCapacity);
            TrimTo(_created, HintCapacity);
        }
    }

    /// <summary>Puts a probation candidate that was passed over back at the end of the queue.</summary>
    public void Requeue(string id)
    {
        lock (_gate)
        {
            _probation.Enqueue(id);
            TrimTo(_probation, HintCapacity);
        }
    }

    /// <summary>A session file this process deleted.</summary>
    public void Removed(string id)
    {
        lock (_gate)
        {
            _count = Math.Max(0, _count - 1);
            _removed.Enqueue((id, ++_sequence));
            TrimTo(_removed, HintCapacity);
        }
    }

    /// <summary>The oldest probation candidate; <see langword="false"/> when there is none.</summary>
    public bool TryTakeProbation(out string id)
    {
        lock (_gate)
        {
            return _probation.TryDequeue(out id!);
        }
    }

    /// <summary>
    /// The established session closest to expiry that the last listing found. Only right after a
    /// listing found no probationary file does this mean probation is really empty: a probation
    /// queue that ran dry may only have lost its hints (trimmed, or another evictor's new session).
    /// </summary>
    public bool TryTakeProtected(out string id)
    {
        lock (_gate)
        {
            return _protected.TryDequeue(out id!);
        }
    }

    /// <summary>Where a listing of the directory starts, for <see cref="Reset"/>.</summary>
    public Mark Begin()
    {
        lock (_gate)
        {
            return new Mark(_sequence);
        }
    }

    /// <summary>
    /// Replaces what this process knew with a listing that started at <paramref name="mark"/>,
    /// keeping the creations and deletions made since.
    /// </summary>
    /// <param name="mark">Taken before the listing started.</param>
    /// <param name="live">The IDs of the live session files the listing found.</param>
    /// <param name="probation">The sessions used once it found, oldest first.</param>
    /// <param name="established">Established sessions, closest to expiry first, as eviction candidates for when probation runs out.</param>
    public void Reset(Mark mark, HashSet<string> live, IEnumerable<string> probation, IEnumerable<string> established)
    {
        lock (_gate)
        {
            DropUpTo(_created, mark.Sequence);
            DropUpTo(_removed, mark.Sequence);
            foreach (var (id, _) in _created)
            {
                live.Add(id);
            }

            foreach (var (id, _) in _removed)
            {
                live.Remove(id);
            }

            _count = live.Count;
            _probation = new Queue<string>(probation);
            foreach (var (id, _) in _created)
            {
                _probation.Enqueue(id);
            }

            TrimTo(_probation, HintCapacity);
            _protected = new Queue<string>(established);
        }
    }

    private static void DropUpTo(Queue<(string Id, long Sequence)> changes, long sequence)
    {
        while (changes.TryPeek(out var change) && change.Sequence <= sequence)
        {
            changes.Dequeue();
        }
    }

    private static void TrimTo<T>(Queue<T> queue, int count)
    {
        while (queue.Count > count)
        {
            queue.Dequeue();
        }
    }

    /// <summary>The counters when a listing of the directory started.</summary>
    public readonly record struct Mark(long Sequence);
}
