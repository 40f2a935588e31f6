using System.Security.Cryptography;

namespace Tote.Testing;

/// <summary>Session IDs for tests: unique per call, so tests can share one store.</summary>
public static class TestIds
{
    /// <summary>A fresh, well-formed session ID (lowercase UUID v4).</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
