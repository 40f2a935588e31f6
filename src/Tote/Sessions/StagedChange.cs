using Tote.Serialization;

namespace Tote.Sessions;

/// <summary>A staged change to one key: a new entry, a removal, or an atomic update computed at save.</summary>
internal sealed class StagedChange
{
    private readonly Func<SessionEntry?, SessionEntry>? _compute;

    private StagedChange(SessionEntry? entry, Func<SessionEntry?, SessionEntry>? compute)
    {
        Entry = entry;
        _compute = compute;
    }

    public static StagedChange Remove { get; } = new(null, null);

    /// <summary>The staged entry; <see langword="null"/> for a removal or a pending update.</summary>
    public SessionEntry? Entry { get; }

    public bool IsRemoval => Entry is null && _compute is null;

    public static StagedChange Put(SessionEntry entry) => new(entry, null);

    public static StagedChange Compute(Func<SessionEntry?, SessionEntry> compute) => new(null, compute);

    /// <summary>Applies the change to the entries being saved.</summary>
    public void ApplyTo(OrderedDictionary<string, SessionEntry> entries, string key, double now)
    {
        if (_compute is not null)
        {
            var current = entries.TryGetValue(key, out var existing) && !existing.IsExpired(now) ? existing : null;
            entries[key] = _compute(current);
        }
        else if (Entry is not null)
        {
            entries[key] = Entry;
        }
        else
        {
            entries.Remove(key);
        }
    }
}
