using Tote.Devalue;

namespace Tote.Serialization;

/// <summary>
/// Astro's session record (DESIGN §5.1, fixed): one devalue string of a JavaScript <c>Map</c>
/// from key to <c>{ data, expires }</c>, where <c>expires</c> is epoch milliseconds or
/// <c>undefined</c>. For example <c>[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]</c>.
/// </summary>
internal static class SessionRecordFormat
{
    // Astro's serializer: devalue with Astro's URL reducer, which is DevalueOptions' default form.
    public static DevalueOptions Devalue => DevalueOptions.Default;

    public static string Write(IEnumerable<KeyValuePair<string, SessionEntry>> entries)
    {
        var map = new DevalueMap();
        foreach (var (key, entry) in entries)
        {
            // Property order matters for byte-exactness: Astro writes { data, expires }.
            map.Set(key, new OrderedDictionary<string, object?>
            {
                ["data"] = entry.GetNatural(),
                ["expires"] = entry.Expires is { } expires ? expires : DevalueUndefined.Value,
            });
        }

        return DevalueSerializer.Serialize(map, Devalue);
    }

    /// <summary>Reads a stored record.</summary>
    /// <exception cref="FormatException">The text is not a devalue <c>Map</c> of <c>{ data, expires }</c>.</exception>
    public static OrderedDictionary<string, SessionEntry> Read(string text)
    {
        object? root;
        try
        {
            root = DevalueSerializer.Deserialize(text, Devalue);
        }
        catch (DevalueException ex)
        {
            throw new FormatException($"It is not devalue text: {ex.Reason}", ex);
        }

        if (root is not DevalueMap map)
        {
            throw new FormatException("It is devalue, but not a Map.");
        }

        var entries = new OrderedDictionary<string, SessionEntry>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (key is not string name || name.Length == 0)
            {
                throw new FormatException("A key of the Map is not a non-empty string.");
            }

            if (value is not IReadOnlyDictionary<string, object?> item || !item.TryGetValue("data", out var data))
            {
                throw new FormatException("A value of the Map is not an object with a 'data' property.");
            }

            double? expires = item.TryGetValue("expires", out var e) ? e switch
            {
                null or DevalueUndefined => null,
                double ms when double.IsFinite(ms) => ms,
                _ => throw new FormatException("An 'expires' property is neither epoch milliseconds nor undefined."),
            } : null;
            entries[name] = SessionEntry.FromNatural(data, expires);
        }

        return entries;
    }
}
