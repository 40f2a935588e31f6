using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>
/// The two keys of one session: the value at <c>KeyPrefix + id</c>, exactly the record Astro
/// reads and writes, and a string beside it with what only Tote needs (created and expiry times).
/// The hash's name carries the session key as its Redis Cluster hash tag, so both keys live in
/// one hash slot and one Lua script may touch both. Also the key of a user's index
/// (<see cref="User"/>), in a slot of its own.
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

    /// <summary>
    /// The key of a user's index, a hash from session ID to entry:
    /// <c>KeyPrefix + "user:{" + hex(SHA-256(userId)) + "}"</c>. The user ID is hashed, never put
    /// raw into the key: it may hold braces, which would move the hash tag, and any other text;
    /// the hash is also the key's own tag, so the whole index is one slot whichever user it is.
    /// A prefix with a hash tag keeps every key in its slot, the index included. No session key
    /// can collide: those end in a UUID.
    /// </summary>
    public RedisKey User(string userId) => _prefix + "user:{" + Convert.ToHexStringLower(SHA256.HashData(Wtf8(userId))) + "}";

    /// <summary>Whether a prefix keeps both keys in one slot: no braces, or a complete hash tag.</summary>
    public static bool IsUsablePrefix(string prefix)
        => prefix.AsSpan().IndexOfAny('{', '}') < 0 || HasHashTag(prefix);

    // UTF-8, except that a lone surrogate (which UTF-8 cannot hold) takes the three bytes its
    // code point would, so that distinct IDs never share a key as they would if both lone
    // surrogates became U+FFFD. A well-formed ID hashes exactly as its UTF-8 does.
    private static byte[] Wtf8(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) == System.Buffers.OperationStatus.Done)
            {
                var length = rune.EncodeToUtf8(buffer);
                bytes.AddRange(buffer[..length]);
                i += used;
                continue;
            }

            var unit = text[i++];
            bytes.Add((byte)(0xE0 | (unit >> 12)));
            bytes.Add((byte)(0x80 | ((unit >> 6) & 0x3F)));
            bytes.Add((byte)(0x80 | (unit & 0x3F)));
        }

        return [.. bytes];
    }

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
