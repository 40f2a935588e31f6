using Tote.Serialization;

namespace Tote.Sessions;

/// <summary>
/// What this request changed and has not saved yet: the staged keys, the stored values a typed
/// read found unreadable (dropped at save), the sessions to delete, and the record written ahead
/// at <c>Set</c> (see <see cref="WriteAhead"/>). It composes the entries to save from the latest
/// stored ones, so that a save after a conflict merges only this request's changes.
/// </summary>
internal sealed class StagedChanges
{
    private OrderedDictionary<string, StagedChange>? _changes;
    private Dictionary<string, UnreadableValue>? _unreadable;
    private List<string>? _deletes;
    private WriteAhead? _writtenAhead;

    /// <summary>Whether any key was changed.</summary>
    public bool Any => _changes is { Count: > 0 };

    /// <summary>Whether a session is to be deleted at save.</summary>
    public bool HasDeletes => _deletes is { Count: > 0 };

    /// <summary>Whether a change would store a value (a removal alone never creates a session).</summary>
    public bool HasPuts => _changes is not null && _changes.Values.Any(c => !c.IsRemoval);

    /// <summary>The changed keys, in the order first changed.</summary>
    public IReadOnlyList<string> Keys => _changes is null ? [] : [.. _changes.Keys];

    public bool TryGet(string key, out StagedChange change)
    {
        change = null!;
        return _changes is not null && _changes.TryGetValue(key, out change!);
    }

    public void Stage(string key, StagedChange change)
    {
        (_changes ??= new(StringComparer.Ordinal))[key] = change;
        _writtenAhead = null;
    }

    /// <summary>Stages the one change a record was written ahead for, keeping that record for the save.</summary>
    public void Stage(string key, WriteAhead ahead)
    {
        Stage(key, ahead.Change);
        _writtenAhead = ahead;
    }

    public void Unstage(string key)
    {
        _changes?.Remove(key);
        _writtenAhead = null;
    }

    /// <summary>Drops the changed keys (the sessions to delete stay).</summary>
    public void DropChanges()
    {
        _changes = null;
        _writtenAhead = null;
    }

    /// <summary>Drops the changed keys and the unreadable values: saved, or the session is gone.</summary>
    public void Discard()
    {
        DropChanges();
        _unreadable = null;
    }

    /// <summary>Forgets the unreadable values, which belonged to a session this request no longer has.</summary>
    public void ForgetUnreadable() => _unreadable = null;

    public void DeleteAtSave(string id) => (_deletes ??= []).Add(id);

    /// <summary>The sessions still to delete; each is taken off with <see cref="Deleted"/> once gone.</summary>
    public string[] PendingDeletes => _deletes is { Count: > 0 } deletes ? [.. deletes] : [];

    public void Deleted(string id) => _deletes?.Remove(id);

    /// <summary>
    /// Marks a stored value to be dropped at save, because a typed read could not bind it; returns
    /// <see langword="false"/> when that was already known for this very entry.
    /// </summary>
    public bool MarkUnreadable(string key, SessionEntry entry, Func<SessionEntry, bool> stillUnreadable)
    {
        if (_unreadable is not null && _unreadable.TryGetValue(key, out var known) && ReferenceEquals(known.Entry, entry))
        {
            return false;
        }

        (_unreadable ??= new(StringComparer.Ordinal))[key] = new UnreadableValue(entry, stillUnreadable);
        _writtenAhead = null; // a record written ahead still holds the key
        return true;
    }

    /// <summary>The sum of the known sizes of the values staged under keys other than <paramref name="key"/>.</summary>
    public long KnownLengthExcept(string key)
    {
        long size = 0;
        if (_changes is not null)
        {
            foreach (var (other, change) in _changes)
            {
                if (other != key && change.Entry?.KnownLength is { } length)
                {
                    size += length;
                }
            }
        }

        return size;
    }

    /// <summary>The live entry under <paramref name="key"/>: the staged one when the key was changed, else the stored one.</summary>
    public SessionEntry? Find(OrderedDictionary<string, SessionEntry> stored, string key, double now)
    {
        if (_changes is not null && _changes.TryGetValue(key, out var change))
        {
            return change.Entry is { } staged && !staged.IsExpired(now) ? staged : null;
        }

        return stored.TryGetValue(key, out var entry) && !entry.IsExpired(now) ? entry : null;
    }

    /// <summary>The live entries, stored keys first in their order, then keys this request added.</summary>
    public IEnumerable<KeyValuePair<string, SessionEntry>> Live(OrderedDictionary<string, SessionEntry> stored, double now)
    {
        foreach (var (key, entry) in stored)
        {
            var current = _changes is not null && _changes.TryGetValue(key, out var change) ? change.Entry : entry;
            if (current is not null && !current.IsExpired(now))
            {
                yield return new(key, current);
            }
        }

        if (_changes is null)
        {
            yield break;
        }

        foreach (var (key, change) in _changes)
        {
            if (!stored.ContainsKey(key) && change.Entry is { } entry && !entry.IsExpired(now))
            {
                yield return new(key, entry);
            }
        }
    }

    /// <summary>The latest stored entries with this request's changes applied and expired keys dropped.</summary>
    public OrderedDictionary<string, SessionEntry> Compose(OrderedDictionary<string, SessionEntry> stored, double now)
    {
        var entries = new OrderedDictionary<string, SessionEntry>(stored.Count + (_changes?.Count ?? 0), StringComparer.Ordinal);
        foreach (var (key, entry) in stored)
        {
            if (!entry.IsExpired(now))
            {
                entries.Add(key, entry);
            }
        }

        if (_unreadable is not null)
        {
            // Only a value that still does not fit goes: one a concurrent request stored since
            // this request read the key is newer and readable, and is kept.
            foreach (var (key, unreadable) in _unreadable)
            {
                if (_changes?.ContainsKey(key) != true && entries.TryGetValue(key, out var current) && unreadable.Covers(current))
                {
                    entries.Remove(key);
                }
            }
        }

        if (_changes is not null)
        {
            foreach (var (key, change) in _changes)
            {
                change.ApplyTo(entries, key, now);
            }
        }

        return entries;
    }

    /// <summary>
    /// The record to save for <paramref name="entries"/> (composed from <paramref name="stored"/>):
    /// the one written ahead at <c>Set</c> while it is still what writing them would give, else
    /// written now; with its expanded length (see <see cref="Devalue.DevalueExpansion"/>).
    /// </summary>
    public string WriteRecord(OrderedDictionary<string, SessionEntry> stored, OrderedDictionary<string, SessionEntry> entries, double now, int limit, out long expandedLength)
    {
        if (_writtenAhead is { } ahead && _changes is { } changes && ahead.IsCurrent(stored, changes, now))
        {
            expandedLength = ahead.ExpandedLength;
            return ahead.Record;
        }

        _writtenAhead = null;
        return SessionRecordFormat.Write(entries, limit, out expandedLength);
    }

    /// <summary>
    /// A stored entry a typed read could not bind, to be dropped at the next save: the entry that
    /// failed, and whether an entry found under the key at save (after a conflict, a newer one)
    /// still does not fit that type.
    /// </summary>
    private sealed record UnreadableValue(SessionEntry Entry, Func<SessionEntry, bool> StillUnreadable)
    {
        public bool Covers(SessionEntry stored) => ReferenceEquals(stored, Entry) || StillUnreadable(stored);
    }
}
