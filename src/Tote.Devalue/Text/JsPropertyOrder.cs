namespace Tote.Devalue;

/// <summary>
/// JavaScript's own-property order: keys that are array indices ("0" to "4294967294") first, in
/// ascending numeric order, then every other key in insertion order.
/// </summary>
internal static class JsPropertyOrder
{
    public static bool IsArrayIndex(string key)
    {
        if (key.Length is 0 or > 10 || (key.Length > 1 && key[0] == '0'))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return ulong.Parse(key, System.Globalization.CultureInfo.InvariantCulture) <= 4294967294UL;
    }

    /// <summary>Reorders <paramref name="dictionary"/> in place into JavaScript's property order.</summary>
    public static void Apply(OrderedDictionary<string, object?> dictionary)
    {
        var ordered = Order(dictionary.Select(p => p.Key)).Select(k => KeyValuePair.Create(k, dictionary[k])).ToList();
        dictionary.Clear();
        foreach (var pair in ordered)
        {
            dictionary.Add(pair.Key, pair.Value);
        }
    }

    /// <summary>The keys in JavaScript's property order.</summary>
    public static IEnumerable<string> Order(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        return list.Where(IsArrayIndex)
            .OrderBy(k => ulong.Parse(k, System.Globalization.CultureInfo.InvariantCulture))
            .Concat(list.Where(k => !IsArrayIndex(k)));
    }
}
