using System.Globalization;
using StackExchange.Redis;

namespace Tote.Redis.Drivers;

/// <summary>
/// Reads the metadata string the scripts write beside a session's value:
/// <c>"&lt;created&gt; &lt;expires&gt;"</c>, both epoch milliseconds (<see cref="RedisScripts"/>).
/// </summary>
internal static class RedisSessionMetadata
{
    /// <summary>The metadata string for <paramref name="created"/> and <paramref name="expires"/>, as the scripts write it.</summary>
    public static string Format(long created, long expires)
        => string.Create(CultureInfo.InvariantCulture, $"{created} {expires}");

    /// <summary>Reads created and expiry times; <see langword="false"/> when the metadata is missing or not Tote's.</summary>
    public static bool TryParse(RedisValue metadata, out long created, out long expires)
    {
        created = expires = 0;
        if (metadata.IsNull)
        {
            return false;
        }

        var text = (string)metadata!;
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        // Exactly what the scripts' pattern accepts: digits with an optional minus sign.
        return space > 0
            && !text.Contains('+', StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(0, space), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out created)
            && long.TryParse(text.AsSpan(space + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out expires);
    }
}
