using System.Security.Cryptography;
using System.Text;

namespace Tote.Drivers;

/// <summary>
/// An opaque token a driver hands out with every stored session and checks on every
/// compare-and-swap save. <see cref="Missing"/> is the version of a session that is not stored.
/// </summary>
/// <remarks>
/// Only the driver that issued a token interprets it; the session core only passes it back.
/// Two versions are equal when their tokens are equal (ordinal).
/// </remarks>
public readonly record struct SessionVersion
{
    /// <summary>Creates a version from a driver's token.</summary>
    /// <param name="token">The driver's token: a counter, a row version, a hash; never empty.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public SessionVersion(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
    }

    /// <summary>The version of a session that is not stored: a save that expects it creates the session.</summary>
    public static SessionVersion Missing => default;

    /// <summary>The driver's token; <see langword="null"/> for <see cref="Missing"/>.</summary>
    public string? Token { get; }

    /// <summary>Whether this is <see cref="Missing"/>.</summary>
    public bool IsMissing => Token is null;

    /// <summary>
    /// <c>missing</c>, or <c>version</c> and a short hash of the token that tells versions apart
    /// within this process; never the token itself.
    /// </summary>
    /// <returns>A text for logs and test failures.</returns>
    /// <remarks>
    /// A driver's token may be anything, even the record itself, so printing it could put session
    /// contents in a log. The hash is keyed with a random per-process key, so a log reader cannot
    /// confirm a guess of the contents by hashing it.
    /// </remarks>
    public override string ToString()
    {
        if (Token is null)
        {
            return "missing";
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(HashKey, Encoding.UTF8.GetBytes(Token), hash);
        return "version " + Convert.ToHexStringLower(hash[..4]);
    }

    private static byte[] HashKey { get; } = RandomNumberGenerator.GetBytes(32);
}
