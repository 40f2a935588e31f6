using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>
/// The two keys of one session: the value at <c>KeyPrefix + id</c>, exactly the record Astro
/// reads and writes, and a string beside it with what only Tote needs (created and expiry times).
/// The hash's name carries the session key as its Redis Cluster hash tag, so both keys live in
/// one hash slot and one Lua script may touch both.
/// </summary>
internal readonly struct RedisSessionKeys
{
    private const string MetadataSuffix = ":tote";

    private readonly string _prefix;
    private readonly bool _prefixHasTag;

    public RedisSessionKeys(string prefix)
    {
        _prefix = prefix;
        _prefixHasTag = HasHashTag(prefix);
    }

    /// <summary>The key of the session's value.</summary>
    public RedisKey Value(string id) => _prefix + id;

    /// <summary>
    /// The key of the session's metadata. When the prefix has a hash tag, the session key is
    /// already slotted by it and the suffix alone keeps the slot; otherwise the whole session key
    /// becomes the tag, which Redis hashes to the same slot as the key itself.
    /// </summary>
    public RedisKey Metadata(string id) => _prefixHasTag
        ? _prefix + id + MetadataSuffix
        : "{" + _prefix + id + "}" + MetadataSuffix;

    /// <summary>Whether a prefix keeps both keys in one slot: no braces, or a complete hash tag.</summary>
    public static bool IsUsablePrefix(string prefix)
        => prefix.AsSpan().IndexOfAny('{', '}') < 0 || HasHashTag(prefix);

    // Redis Cluster's rule: the first '{', then the first '}' after it, with something between.
    private static bool HasHashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return false;
        }

        var close = key.IndexOf('}', open + 1);
        return close > open + 1;
    }
}
