using Tote.Devalue;
using Tote.Drivers;
using Tote.Serialization;

namespace Tote.Sessions;

/// <summary>
/// A stored session that passed the load checks: its record, its entries, and its size counted
/// against <see cref="ToteOptions.MaxSessionSize"/>: measured at load, or, for text this process
/// wrote (see <see cref="StoreLoad.WrittenByCore"/>), left <paramref name="Unmeasured"/> until a <c>Set</c> needs it.
/// </summary>
/// <param name="Record">The record as the store returned it.</param>
/// <param name="Entries">Its entries, parsed.</param>
/// <param name="ExpandedLength">What it expands to (shared values counted at every reference), when measured; else 0.</param>
/// <param name="Unmeasured">The parsed document still to measure, or <see langword="null"/>.</param>
/// <param name="Slid">Whether the load itself moved the stored expiry.</param>
/// <param name="LoadedAt">When it was loaded.</param>
internal readonly record struct VerifiedRecord(
    SessionRecord Record,
    OrderedDictionary<string, SessionEntry> Entries,
    int ExpandedLength,
    DevalueDocument? Unmeasured,
    bool Slid,
    DateTimeOffset LoadedAt);
