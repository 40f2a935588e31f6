using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using Tote.Drivers;

namespace Tote.Redis;

/// <summary>
/// The versions the <c>redis</c> driver issues: a keyed digest of the stored value,
/// <c>sha1hex(key .. sha1hex(value))</c>, which the save script recomputes from what is stored
/// (<see cref="RedisScripts.Save"/>). Any writer that changes the value, including an Astro app
/// that only <c>SET</c>s it, changes the version; a value put back as it was keeps it.
/// </summary>
/// <remarks>
/// A digest rather than the value, so that a version (logged, printed, kept in a dump) never
/// carries session contents; keyed with a random key of this store's, so that a version cannot
/// confirm a guess at a small session either. SHA-1 because it is the one digest Redis, Valkey
/// and Garnet scripts all offer (<c>redis.sha1hex</c>); a version only has to tell apart values
/// written by honest writers, and anyone able to plant colliding values can write the key anyway.
/// The key lives as long as the store: versions are only ever handed back to the store that
/// issued them, between a request's load and its save.
/// </remarks>
internal sealed class RedisSessionVersions
{
    private const int KeyLength = 32;
    private const int HexLength = 2 * SHA1.HashSizeInBytes;

    private readonly byte[] _key = Encoding.ASCII.GetBytes(RandomNumberGenerator.GetHexString(KeyLength, lowercase: true));

    /// <summary>The key, as the save script takes it.</summary>
    public RedisValue Key => _key;

    /// <summary>The version of a session whose stored value is <paramref name="value"/> (its UTF-8 bytes).</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "A change detector that must match the scripts' redis.sha1hex, not a signature or a password hash.")]
    public SessionVersion Of(ReadOnlySpan<byte> value)
    {
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        Span<byte> keyed = stackalloc byte[KeyLength + HexLength];
        Span<char> hex = stackalloc char[HexLength];
        _key.CopyTo(keyed);

        SHA1.HashData(value, digest);
        Convert.TryToHexStringLower(digest, hex, out _);
        Encoding.ASCII.GetBytes(hex, keyed[KeyLength..]);
        SHA1.HashData(keyed, digest);
        return new SessionVersion(Convert.ToHexStringLower(digest));
    }
}
