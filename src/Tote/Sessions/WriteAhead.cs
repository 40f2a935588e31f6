using Tote.Devalue;
using Tote.Serialization;

namespace Tote.Sessions;

/// <summary>
/// A whole session record written at <c>Set</c>, for the usual request that loads a session,
/// sets one key and saves: the new value is written once, straight into the record, instead of
/// into text of its own that the save would parse and copy again. The save stores it while
/// nothing it was written from has changed (see <see cref="IsCurrent"/>); otherwise the save
/// writes the record as usual, reading the value back from this one.
/// </summary>
// Kept because it pays: it spares the usual write request a serialize-parse-copy round (bench/README.md).
internal sealed class WriteAhead(string record, OrderedDictionary<string, SessionEntry> writtenFrom, string key, StagedChange change, double earliestExpiry, int expandedLength)
{
    public string Record { get; } = record;

    /// <summary>The change to stage for the key: its entry reads the value back from <see cref="Record"/>.</summary>
    public StagedChange Change { get; } = change;

    public int ExpandedLength { get; } = expandedLength;

    /// <summary>
    /// Writes the record of <paramref name="entries"/> (the stored entries <paramref name="stored"/>,
    /// composed, with nothing else staged) with <paramref name="value"/> set under <paramref name="key"/>.
    /// <see langword="null"/> when the value cannot be written: the caller then reports that as usual.
    /// </summary>
    /// <exception cref="SessionTooLargeException">The record would exceed <paramref name="limit"/>.</exception>
    public static WriteAhead? TryWrite<T>(OrderedDictionary<string, SessionEntry> stored, OrderedDictionary<string, SessionEntry> entries, int storedLength, string key, T value, double? expires, int limit)
    {
        entries[key] = SessionEntry.Pending(value, expires);
        string record;
        long expanded;
        try
        {
            record = SessionRecordFormat.Write(entries, limit, out expanded);
        }
        catch (DevalueException)
        {
            return null;
        }

        // devalue writes a shared value once, but every reader that writes the value out again
        // (JSON, HTML) repeats it at each reference: the limit holds for that size too.
        var size = Math.Max(record.Length, expanded);
        if (size > limit)
        {
            throw new SessionTooLargeException(
                key,
                size,
                limit,
                $"Setting session key '{key}' would grow the session to {(record.Length > limit ? record.Length + " characters" : "more than " + limit + " characters once values it shares are counted every time they are used")}, over the limit of {limit} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.");
        }

        var earliestExpiry = double.PositiveInfinity;
        foreach (var (_, entry) in entries)
        {
            if (entry.Expires is { } at && at < earliestExpiry)
            {
                earliestExpiry = at;
            }
        }

        var written = SessionEntry.FromRecord(record, key, expires, (int)expanded - storedLength);
        return new WriteAhead(record, stored, key, StagedChange.Put(written), earliestExpiry, (int)expanded);
    }

    /// <summary>Whether the record is still what writing the entries would give: same stored state, only this change, no key expired since.</summary>
    public bool IsCurrent(OrderedDictionary<string, SessionEntry> stored, OrderedDictionary<string, StagedChange> changes, double now)
        => ReferenceEquals(stored, writtenFrom)
            && changes.Count == 1
            && changes.TryGetValue(key, out var staged)
            && ReferenceEquals(staged, Change)
            && now <= earliestExpiry;
}
