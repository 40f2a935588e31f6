using System.Globalization;
using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>
/// Reads the metadata string the scripts write beside a session's value:
/// <c>"&lt;created&gt; &lt;expires&gt;"</c>, both epoch milliseconds (<see cref="RedisScripts"/>).
/// </summary>
internal static class RedisSessionMetadata
{
    /// <summary>The earliest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds (<see cref="RedisScripts"/> has its own copy).</summary>
    public const long MinTime = -62_135_596_800_000;

    /// <summary>The latest time a <see cref="DateTimeOffset"/> can hold, in epoch milliseconds (<see cref="RedisScripts"/> has its own copy).</summary>
    public const long MaxTime = 253_402_300_799_999;

    /// <summary>The longest TTL a session's keys get, in milliseconds: a century, whatever the session's expiry (<see cref="RedisScripts"/> has its own copy).</summary>
    public const long MaxKeyTtl = 100L * 365 * 24 * 60 * 60 * 1000;

    /// <summary>
    /// Reads created and expiry times; <see langword="false"/> when the metadata is missing or not
    /// Tote's. A number too long for a <see cref="long"/> saturates, so that
    /// <see cref="HoldsDates"/> refuses it rather than the metadata counting as none.
    /// </summary>
    public static bool TryParse(RedisValue metadata, out long created, out long expires)
    {
        created = expires = 0;
        if (metadata.IsNull)
        {
            return false;
        }

        var text = ((string)metadata!).AsSpan();
        var space = text.IndexOf(' ');

        // Exactly what the scripts' pattern accepts: digits with an optional minus sign.
        return space > 0
            && TryParseNumber(text[..space], out created)
            && TryParseNumber(text[(space + 1)..], out expires);
    }

    /// <summary>Whether both times are ones a <see cref="DateTimeOffset"/> can hold; no writer stores others.</summary>
    public static bool HoldsDates(long created, long expires)
        => created is >= MinTime and <= MaxTime && expires is >= MinTime and <= MaxTime;

    private static bool TryParseNumber(ReadOnlySpan<char> text, out long value)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            value = 0;
            return false;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            value = digits.Length == text.Length ? long.MaxValue : long.MinValue;
        }

        return true;
    }
}
