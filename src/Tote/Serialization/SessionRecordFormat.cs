using Tote.Devalue;

namespace Tote.Serialization;

/// <summary>
/// Astro's session record (fixed; docs/architecture.md#record-format): one devalue string of a JavaScript <c>Map</c>
/// from key to <c>{ data, expires }</c>, where <c>expires</c> is epoch milliseconds or
/// <c>undefined</c>. For example <c>[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]</c>.
/// </summary>
internal static class SessionRecordFormat
{
    // Astro's serializer: devalue with Astro's URL reducer, which is DevalueOptions' default form.
    public static DevalueOptions Devalue => DevalueOptions.Default;

    /// <summary>Writes the record: each key's value is copied from the text it lives in.</summary>
    public static string Write(OrderedDictionary<string, SessionEntry> entries) => Write(entries, long.MaxValue - 1, out _);

    /// <summary>Writes the record, and gives its expanded length (see <see cref="DevalueExpansion"/>), at most <paramref name="cap"/> + 1.</summary>
    public static string Write(OrderedDictionary<string, SessionEntry> entries, long cap, out long expandedLength)
    {
        var text = WriteRecord(entries, out var repeats);
        expandedLength = DevalueExpansion.Of(text, repeats, Devalue, cap);
        return text;
    }

    private static string WriteRecord(OrderedDictionary<string, SessionEntry> entries, out DevalueRepeats repeats)
    {
        if (DevalueMapWriter.TryWrite(Devalue, entries, static (map, entries) => AddEntries(map, entries, static entry => entry.ToWritable()), out var text, out repeats))
        {
            return text;
        }

        // A value devalue would normalize on the way (a repeated Set member, numeric object
        // keys, a sparse array, …) cannot be copied: write natural values, keeping what keys of
        // one record share.
        foreach (var (_, entry) in entries)
        {
            entry.BeginNaturalGraph();
        }

        return DevalueMapWriter.Write(Devalue, entries, static (map, entries) => AddEntries(map, entries, static entry => entry.ReadNaturalInGraph()), out repeats);
    }

    /// <summary>Reads a stored record, checking all of it, so a malformed record is refused at load.</summary>
    /// <param name="text">The record.</param>
    /// <exception cref="FormatException">The text is not a devalue <c>Map</c> of <c>{ data, expires }</c>.</exception>
    public static OrderedDictionary<string, SessionEntry> Read(string text) => Read(text, checkAll: true, out _);

    /// <summary>Reads a stored record, as <see cref="Read(string)"/>, and hands out the document every entry reads from.</summary>
    /// <param name="text">The record.</param>
    /// <param name="checkAll">
    /// Whether to check every value, not only the record's own shape; <see langword="false"/> only
    /// for text this process wrote and an in-process store handed back untouched.
    /// </param>
    /// <param name="document">The parsed record, for its owner to release when done with it.</param>
    /// <exception cref="FormatException">The text is not a devalue <c>Map</c> of <c>{ data, expires }</c>.</exception>
    public static OrderedDictionary<string, SessionEntry> Read(string text, bool checkAll, out DevalueDocument document)
    {
        try
        {
            document = DevalueDocument.Parse(text, Devalue);
            if (checkAll)
            {
                document.Validate();
            }
        }
        catch (DevalueException ex)
        {
            throw new FormatException($"The devalue reader refused it (not devalue text, or over the codec's limits): {ex.Reason}", ex);
        }

        if (document.GetNode(document.Root) != DevalueNode.Map)
        {
            throw new FormatException("It is devalue, but not a Map.");
        }

        var entries = new OrderedDictionary<string, SessionEntry>((document.Reader.ElementCount(document.Root) - 1) / 2, StringComparer.Ordinal);
        foreach (var (key, value) in document.GetMapEntries(document.Root))
        {
            if (document.GetStringOrNull(key) is not { Length: > 0 } name)
            {
                throw new FormatException("A key of the Map is not a non-empty string.");
            }

            if (!document.TryGetProperty(value, "data", out var data))
            {
                throw new FormatException("A value of the Map is not an object with a 'data' property.");
            }

            double? expires = null;
            if (document.TryGetProperty(value, "expires", out var expiry) && document.GetNode(expiry) is not (DevalueNode.Undefined or DevalueNode.Null))
            {
                expires = document.GetNumberOrNull(expiry) is { } ms && double.IsFinite(ms)
                    ? ms
                    : throw new FormatException("An 'expires' property is neither epoch milliseconds nor undefined.");
            }

            entries[name] = SessionEntry.FromDocument(document, data, expires);
        }

        return entries;
    }

    /// <summary>The reference of <paramref name="key"/>'s data in a record this process wrote.</summary>
    public static int FindData(DevalueDocument record, string key)
    {
        foreach (var (name, value) in record.GetMapEntries(record.Root))
        {
            if (record.GetStringOrNull(name) == key && record.TryGetProperty(value, "data", out var data))
            {
                return data;
            }
        }

        throw new InvalidOperationException($"The session record written for key '{key}' does not hold it.");
    }

    private static void AddEntries(DevalueMapWriter map, OrderedDictionary<string, SessionEntry> entries, Func<SessionEntry, object?> value)
    {
        foreach (var (key, entry) in entries)
        {
            var expires = entry.Expires is { } at ? at : (object)DevalueUndefined.Value;
            if (!map.Add(key, ("data", value(entry)), ("expires", expires)))
            {
                return;
            }
        }
    }
}
