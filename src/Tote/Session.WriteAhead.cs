using Tote.Devalue;
using Tote.Serialization;

namespace Tote;

/// <content>
/// Writing the record ahead: the usual request loads a session, sets one key and saves. For that
/// request the record to store is fully known at <c>Set</c>, so it is written right then, with
/// the new value written once, straight into it, instead of into text of its own that the save
/// would parse and copy again. The save stores that record as long as nothing it depends on has
/// changed since; otherwise it composes the record as usual, reading the value back from it.
/// </content>
public sealed partial class Session
{
    private WriteAhead? _writtenAhead;

    /// <summary>
    /// Writes the whole record with <paramref name="value"/> set, when this is the request's
    /// first change to a session whose stored state is known; <see langword="null"/> otherwise,
    /// or when the value cannot be written (the caller then reports that with the usual error).
    /// </summary>
    private WriteAhead? TryWriteAhead<T>(string key, T value, double? expires)
    {
        _writtenAhead = null;
        if (_state is not (SessionState.Existing or SessionState.Fresh) || HasChanges)
        {
            return null;
        }

        var now = NowMilliseconds();
        var entries = Compose(now);
        entries[key] = SessionEntry.Pending(value, expires);
        var limit = _runtime.Options.MaxSessionSize;
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

        if (record.Length > limit)
        {
            throw new SessionTooLargeException(
                key,
                record.Length,
                limit,
                $"Setting session key '{key}' would grow the session to {record.Length} characters, over the limit of {limit} (ToteOptions.MaxSessionSize). Store less in the session, or raise the limit.");
        }

        if (expanded > limit)
        {
            // devalue writes a shared value once, but every reader that writes the value out
            // again (JSON, HTML) repeats it at each reference: the limit holds for that size too.
            throw new SessionTooLargeException(
                key,
                expanded,
                limit,
                $"Setting session key '{key}' would grow the session past {limit} characters once values it shares are counted every time they are used (it is {record.Length} characters as stored), over the limit of ToteOptions.MaxSessionSize. Store less in the session, or raise the limit.");
        }

        var earliestExpiry = double.PositiveInfinity;
        foreach (var (_, entry) in entries)
        {
            if (entry.Expires is { } at && at < earliestExpiry)
            {
                earliestExpiry = at;
            }
        }

        var written = SessionEntry.FromRecord(record, key, expires, (int)expanded - _baseLength);
        return new WriteAhead(record, _base, key, StagedChange.Put(written), earliestExpiry, (int)expanded);
    }

    private void StageWrittenAhead(string key, WriteAhead ahead)
    {
        (_changes ??= new(StringComparer.Ordinal))[key] = ahead.Change;
        _writtenAhead = ahead;
    }

    /// <summary>
    /// The record written at <c>Set</c>, if it is still what composing would write now: same
    /// stored state, that one change and nothing else, and no key expired since.
    /// </summary>
    private string? WrittenAheadRecord(double now)
    {
        if (_writtenAhead is not { } ahead)
        {
            return null;
        }

        var current = ReferenceEquals(_base, ahead.Base)
            && _changes is { Count: 1 } changes
            && changes.TryGetValue(ahead.Key, out var change)
            && ReferenceEquals(change, ahead.Change)
            && now <= ahead.EarliestExpiry;
        if (!current)
        {
            _writtenAhead = null;
            return null;
        }

        return ahead.Record;
    }

    /// <summary>
    /// The record to save: the one written at <c>Set</c> when it is still current, else the
    /// entries written now; with its expanded length (see <see cref="DevalueExpansion"/>).
    /// </summary>
    private string ComposeRecord(OrderedDictionary<string, SessionEntry> entries, double now, out long expandedLength)
    {
        if (WrittenAheadRecord(now) is { } record)
        {
            expandedLength = _writtenAhead!.ExpandedLength;
            return record;
        }

        return SessionRecordFormat.Write(entries, _runtime.Options.MaxSessionSize, out expandedLength);
    }

    private sealed record WriteAhead(string Record, OrderedDictionary<string, SessionEntry> Base, string Key, StagedChange Change, double EarliestExpiry, int ExpandedLength);
}
