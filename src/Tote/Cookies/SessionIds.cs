using System.Buffers;
using System.Security.Cryptography;

namespace Tote.Cookies;

/// <summary>Session IDs: lowercase UUID v4 strings, as Astro's <c>crypto.randomUUID()</c> makes them.</summary>
internal static class SessionIds
{
    public const int Length = 36;

    // Checked in one vectorized pass; where the hyphens go is checked apart.
    private static readonly SearchValues<char> Alphabet = SearchValues.Create("0123456789abcdef-");

    /// <summary>A new ID from the operating system's cryptographic generator: 122 random bits, unguessable.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    /// <summary>
    /// Whether <paramref name="value"/> has exactly the form <see cref="New"/> produces. Anything else
    /// from a client is ignored without a store call (docs/architecture.md#strict-ids).
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value) =>
        value.Length == Length
        && !value.ContainsAnyExcept(Alphabet)
        && value[8] == '-' && value[13] == '-' && value[18] == '-' && value[23] == '-'
        && value[14] == '4'
        && value[19] is '8' or '9' or 'a' or 'b'
        && value.Count('-') == 4;
}
