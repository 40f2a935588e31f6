using System.Globalization;
using System.Text;
using StackExchange.Redis;
using Tote.Drivers;

namespace Tote.Redis;

/// <summary>
/// The value of one field of a user's index hash (<see cref="RedisSessionKeys.User"/>): an entry
/// as one line of text, <c>"&lt;signedIn&gt; &lt;lastSeen&gt; &lt;expires&gt; &lt;ipLength&gt; &lt;userAgentLength&gt; &lt;ip&gt;&lt;userAgent&gt;"</c>,
/// times in epoch milliseconds, lengths in UTF-16 code units or <c>-1</c> for none. The expiry is
/// third so that a Lua script can read it with one pattern (<see cref="RedisUserIndexScripts"/>).
/// </summary>
internal static class RedisUserIndexEntries
{
    private const int Numbers = 5;

    /// <summary>The entry as stored.</summary>
    public static string Encode(UserSessionIndexEntry entry)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{entry.SignedInAt.ToUnixTimeMilliseconds()} {entry.LastSeenAt.ToUnixTimeMilliseconds()} {entry.ExpiresAt.ToUnixTimeMilliseconds()} {entry.IpAddress?.Length ?? -1} {entry.UserAgent?.Length ?? -1} {entry.IpAddress}{entry.UserAgent}");

    /// <summary>The entry stored under <paramref name="sessionId"/>, or <see langword="null"/> when the value is not one <see cref="Encode"/> wrote.</summary>
    public static UserSessionIndexEntry? TryDecode(string sessionId, RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        // Lenient UTF-8: a lone surrogate in a user agent was stored as U+FFFD, one code unit
        // either way, so the lengths still hold.
        var text = Encoding.UTF8.GetString((byte[])value!).AsSpan();
        Span<long> numbers = stackalloc long[Numbers];
        for (var i = 0; i < Numbers; i++)
        {
            var space = text.IndexOf(' ');
            if (space <= 0 || !long.TryParse(text[..space], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }

            text = text[(space + 1)..];
        }

        var (ipLength, userAgentLength) = (numbers[3], numbers[4]);
        if (!IsTime(numbers[0]) || !IsTime(numbers[1]) || !IsTime(numbers[2])
            || ipLength < -1 || userAgentLength < -1 || Math.Max(ipLength, 0) + Math.Max(userAgentLength, 0) != text.Length)
        {
            return null;
        }

        var ip = ipLength < 0 ? null : text[..(int)ipLength].ToString();
        var userAgent = userAgentLength < 0 ? null : text[(int)Math.Max(ipLength, 0)..].ToString();
        return new UserSessionIndexEntry
        {
            SessionId = sessionId,
            SignedInAt = DateTimeOffset.FromUnixTimeMilliseconds(numbers[0]),
            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(numbers[1]),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(numbers[2]),
            UserAgent = userAgent,
            IpAddress = ip,
        };
    }

    private static bool IsTime(long milliseconds) => milliseconds is >= RedisSessionMetadata.MinTime and <= RedisSessionMetadata.MaxTime;
}
