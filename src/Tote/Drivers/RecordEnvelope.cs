using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Tote.Drivers;

/// <summary>
/// How the <c>fs</c> and <c>distributed-cache</c> drivers lay out one stored session: a header
/// line <c>tote1 {version} {created ticks} {expires ticks}</c>, then the Astro-format data exactly
/// as the core wrote it. The header carries what compare-and-swap and expiry need, so a driver
/// checks them without touching the data.
/// </summary>
/// <remarks>
/// The <c>fs</c> driver adds a fifth header field, <c>0</c> or <c>1</c>: whether the session is
/// established (used again after the request that created it), which its bound on the session
/// count needs. The field is optional, so records written before it existed, and every
/// <c>distributed-cache</c> record, still read.
/// </remarks>
internal static class RecordEnvelope
{
    private const string Magic = "tote1";

    /// <summary>The most bytes a header takes: enough to read it without reading the data.</summary>
    public const int MaxHeaderBytes = 128;

    // Strict decoding: bytes that are not valid UTF-8 make the record malformed, which reads as "not found".
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A fresh version token: random, so a session deleted and created again never reuses one (no ABA).</summary>
    public static SessionVersion NewVersion() => new(Guid.NewGuid().ToString("N"));

    public static byte[] Write(SessionRecord record, SessionVersion version, bool? established = null)
    {
        var header = established is { } flag
            ? string.Create(CultureInfo.InvariantCulture, $"{Magic} {version.Token} {record.CreatedAt.UtcTicks} {record.ExpiresAt.UtcTicks} {(flag ? '1' : '0')}\n")
            : string.Create(CultureInfo.InvariantCulture, $"{Magic} {version.Token} {record.CreatedAt.UtcTicks} {record.ExpiresAt.UtcTicks}\n");
        var bytes = new byte[Encoding.ASCII.GetByteCount(header) + StrictUtf8.GetByteCount(record.Data)];
        var written = Encoding.ASCII.GetBytes(header, bytes);
        StrictUtf8.GetBytes(record.Data, bytes.AsSpan(written));
        return bytes;
    }

    /// <summary>Reads the header only; <see langword="false"/> when it is malformed.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> bytes, out Header header, out int dataStart)
    {
        header = default;
        dataStart = 0;
        var end = bytes[..Math.Min(bytes.Length, MaxHeaderBytes)].IndexOf((byte)'\n');
        if (end < 0)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes[..end]).Split(' ');
        if (parts.Length is not (4 or 5)
            || (parts.Length == 5 && parts[4] is not ("0" or "1"))
            || parts[0] != Magic
            || parts[1].Length == 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var created)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || created > DateTimeOffset.MaxValue.UtcTicks
            || expires > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        header = new Header(
            new SessionVersion(parts[1]),
            new DateTimeOffset(created, TimeSpan.Zero),
            new DateTimeOffset(expires, TimeSpan.Zero),
            parts.Length == 5 ? parts[4] == "1" : null);
        dataStart = end + 1;
        return true;
    }

    /// <summary>Reads a whole record; <see langword="false"/> when it is malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out SessionRecord? record)
        => TryRead(bytes, out record, out _);

    /// <summary>Reads a whole record and its header; <see langword="false"/> when it is malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out SessionRecord? record, out Header header)
    {
        record = null;
        if (!TryReadHeader(bytes, out header, out var dataStart))
        {
            return false;
        }

        string data;
        try
        {
            data = StrictUtf8.GetString(bytes[dataStart..]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        record = new SessionRecord { Data = data, CreatedAt = header.CreatedAt, ExpiresAt = header.ExpiresAt, Version = header.Version };
        return true;
    }

    /// <summary>A live, well-formed record; <see langword="null"/> for an expired or malformed one.</summary>
    public static SessionRecord? ReadLive(ReadOnlySpan<byte> bytes, DateTimeOffset now)
        => TryRead(bytes, out var record) && record.ExpiresAt > now ? record : null;

    /// <summary>
    /// <paramref name="current"/> with a new expiry and the same version: a refresh must not make
    /// a concurrent save conflict.
    /// </summary>
    public static byte[] WriteRefreshed(SessionRecord current, DateTimeOffset expiresAt, bool? established = null)
        => Write(new SessionRecord { Data = current.Data, CreatedAt = current.CreatedAt, ExpiresAt = expiresAt }, current.Version, established);

    /// <summary>The header of a stored record.</summary>
    /// <param name="Version">The record's version.</param>
    /// <param name="CreatedAt">When the session was first stored.</param>
    /// <param name="ExpiresAt">When the session expires.</param>
    /// <param name="Established">The optional fifth field; <see langword="null"/> when the record has none.</param>
    public readonly record struct Header(SessionVersion Version, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, bool? Established = null)
    {
        public bool IsLive(DateTimeOffset now) => ExpiresAt > now;
    }
}
