using System.Text.Json;

namespace Tote.Drivers.FileSystem;

/// <summary>
/// The content of one per-user index entry file of the <c>fs</c> driver: a small JSON object,
/// <c>{"v":1,"signedIn":…,"lastSeen":…,"expires":…,"ua":…,"ip":…}</c>, times in UTC ticks,
/// <c>ua</c> and <c>ip</c> left out when absent. The session ID is the file's name.
/// </summary>
/// <remarks>
/// JSON because the user agent and IP address are free text (a newline-separated format would
/// need escaping of its own). JSON holds no lone surrogate: the writer stores one (a user agent
/// cut at 256 characters may end in half a pair) as U+FFFD. Read defensively: the store's content may be hostile, so a file that
/// is too long, not JSON, of another version or missing a field reads as <see langword="null"/>.
/// </remarks>
internal static class UserIndexEntryFile
{
    /// <summary>Longer files are not entries: 256 user agent characters escaped six bytes each, an IP address and the rest fit easily.</summary>
    public const int MaxBytes = 4096;

    private const int Version = 1;

    public static byte[] Write(UserSessionIndexEntry entry)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            writer.WriteNumber("signedIn", entry.SignedInAt.UtcTicks);
            writer.WriteNumber("lastSeen", entry.LastSeenAt.UtcTicks);
            writer.WriteNumber("expires", entry.ExpiresAt.UtcTicks);
            if (entry.UserAgent is { } userAgent)
            {
                writer.WriteString("ua", userAgent);
            }

            if (entry.IpAddress is { } ipAddress)
            {
                writer.WriteString("ip", ipAddress);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The entry stored at <paramref name="path"/> (its <see cref="UserSessionIndexEntry.SessionId"/> empty: the caller knows it); <see langword="null"/> when missing or not an entry.</summary>
    public static UserSessionIndexEntry? Read(string path)
    {
        Span<byte> bytes = stackalloc byte[MaxBytes + 1];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return read <= MaxBytes ? Parse(bytes[..read]) : null;
    }

    internal static UserSessionIndexEntry? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return ParseCore(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static UserSessionIndexEntry? ParseCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        int? version = null;
        long? signedIn = null, lastSeen = null, expires = null;
        string? userAgent = null, ipAddress = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            if (!reader.Read())
            {
                return null;
            }

            switch (name)
            {
                case "v": version = reader.GetInt32(); break;
                case "signedIn": signedIn = reader.GetInt64(); break;
                case "lastSeen": lastSeen = reader.GetInt64(); break;
                case "expires": expires = reader.GetInt64(); break;
                case "ua": userAgent = reader.GetString(); break;
                case "ip": ipAddress = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || version != Version || signedIn is null || lastSeen is null || expires is null)
        {
            return null;
        }

        return new UserSessionIndexEntry
        {
            SessionId = string.Empty,
            SignedInAt = new DateTimeOffset(signedIn.Value, TimeSpan.Zero),
            LastSeenAt = new DateTimeOffset(lastSeen.Value, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(expires.Value, TimeSpan.Zero),
            UserAgent = userAgent,
            IpAddress = ipAddress,
        };
    }
}
