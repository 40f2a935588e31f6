using System.Globalization;

namespace Tote.Devalue;

/// <summary>
/// JavaScript Date arithmetic over its whole range (±8.64e15 ms, years −271821 to 275760),
/// which is wider than <see cref="DateTimeOffset"/>'s.
/// </summary>
internal static class JsDate
{
    public const double MaxMilliseconds = 8.64e15;
    public const long MinDateTimeOffsetMilliseconds = -62135596800000;
    public const long MaxDateTimeOffsetMilliseconds = 253402300799999;

    private const long MillisecondsPerDay = 86_400_000;

    /// <summary>The value an untyped read gives for a date: a UTC DateTimeOffset when it fits, otherwise a <see cref="DevalueDate"/>.</summary>
    public static object ToNatural(double epochMilliseconds) =>
        !double.IsNaN(epochMilliseconds) && epochMilliseconds >= MinDateTimeOffsetMilliseconds && epochMilliseconds <= MaxDateTimeOffsetMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)epochMilliseconds)
            : new DevalueDate(epochMilliseconds);

    /// <summary>Date.prototype.toISOString: <c>YYYY-MM-DDTHH:mm:ss.sssZ</c>, or <c>±YYYYYY-…</c> outside years 0–9999.</summary>
    public static string ToIsoString(long epochMilliseconds)
    {
        Span<char> buffer = stackalloc char[32];
        return new string(buffer[..FormatIso(epochMilliseconds, buffer)]);
    }

    public static int FormatIso(long epochMilliseconds, Span<char> destination)
    {
        var days = Math.DivRem(epochMilliseconds, MillisecondsPerDay, out var msOfDay);
        if (msOfDay < 0)
        {
            msOfDay += MillisecondsPerDay;
            days--;
        }

        var (year, month, day) = CivilFromDays(days);
        var written = 0;
        if (year is >= 0 and <= 9999)
        {
            written += WriteDigits(year, 4, destination);
        }
        else
        {
            destination[written++] = year < 0 ? '-' : '+';
            written += WriteDigits(Math.Abs(year), 6, destination[written..]);
        }

        destination[written++] = '-';
        written += WriteDigits(month, 2, destination[written..]);
        destination[written++] = '-';
        written += WriteDigits(day, 2, destination[written..]);
        destination[written++] = 'T';
        written += WriteDigits(msOfDay / 3_600_000, 2, destination[written..]);
        destination[written++] = ':';
        written += WriteDigits(msOfDay / 60_000 % 60, 2, destination[written..]);
        destination[written++] = ':';
        written += WriteDigits(msOfDay / 1000 % 60, 2, destination[written..]);
        destination[written++] = '.';
        written += WriteDigits(msOfDay % 1000, 3, destination[written..]);
        destination[written++] = 'Z';
        return written;
    }

    /// <summary>
    /// <c>new Date(text)</c>: the ECMAScript date-time string format (date-only forms are UTC;
    /// a date-time without an offset is also taken as UTC, as on a server running in UTC), with
    /// a lenient fallback for other common forms. NaN when the text is not a date.
    /// </summary>
    public static double Parse(ReadOnlySpan<char> text)
    {
        if (TryParseIso(text, out var milliseconds))
        {
            return milliseconds;
        }

        return DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
            out var parsed)
            ? parsed.ToUnixTimeMilliseconds()
            : double.NaN;
    }

    public static long DaysFromCivil(long year, int month, int day)
    {
        // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar at any year.
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146097) + dayOfEra - 719468;
    }

    private static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var day = (int)(dayOfYear - (((153 * mp) + 2) / 5) + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (yearOfEra + (era * 400) + (month <= 2 ? 1 : 0), month, day);
    }

    private static int WriteDigits(long value, int width, Span<char> destination)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }

        return width;
    }

    private static bool TryParseIso(ReadOnlySpan<char> text, out double milliseconds)
    {
        milliseconds = double.NaN;
        var position = 0;
        long year;
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            if (!TryDigits(text, 1, 6, out year) || (text[0] == '-' && year == 0))
            {
                return false;
            }

            year = text[0] == '-' ? -year : year;
            position = 7;
        }
        else
        {
            if (!TryDigits(text, 0, 4, out year))
            {
                return false;
            }

            position = 4;
        }

        long month = 1, day = 1, hour = 0, minute = 0, second = 0, fraction = 0;
        if (position < text.Length && text[position] == '-')
        {
            if (!TryDigits(text, position + 1, 2, out month))
            {
                return false;
            }

            position += 3;
            if (position < text.Length && text[position] == '-')
            {
                if (!TryDigits(text, position + 1, 2, out day))
                {
                    return false;
                }

                position += 3;
            }
        }

        long offsetMinutes = 0;
        if (position < text.Length && (text[position] == 'T' || text[position] == 't'))
        {
            if (!TryDigits(text, position + 1, 2, out hour) || position + 3 >= text.Length || text[position + 3] != ':'
                || !TryDigits(text, position + 4, 2, out minute))
            {
                return false;
            }

            position += 6;
            if (position < text.Length && text[position] == ':')
            {
                if (!TryDigits(text, position + 1, 2, out second))
                {
                    return false;
                }

                position += 3;
                if (position < text.Length && text[position] == '.')
                {
                    var digitsStart = ++position;
                    while (position < text.Length && char.IsAsciiDigit(text[position]))
                    {
                        if (position - digitsStart < 3)
                        {
                            fraction = (fraction * 10) + (text[position] - '0');
                        }

                        position++;
                    }

                    if (position == digitsStart)
                    {
                        return false;
                    }

                    for (var scale = position - digitsStart; scale < 3; scale++)
                    {
                        fraction *= 10;
                    }
                }
            }

            if (position < text.Length && (text[position] == 'Z' || text[position] == 'z'))
            {
                position++;
            }
            else if (position < text.Length && (text[position] == '+' || text[position] == '-'))
            {
                if (!TryDigits(text, position + 1, 2, out var offsetHours) || position + 3 >= text.Length || text[position + 3] != ':'
                    || !TryDigits(text, position + 4, 2, out var offsetMins) || offsetHours > 23 || offsetMins > 59)
                {
                    return false;
                }

                offsetMinutes = (text[position] == '-' ? -1 : 1) * ((offsetHours * 60) + offsetMins);
                position += 6;
            }
        }

        if (position != text.Length || month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, (int)month)
            || hour > 24 || minute > 59 || second > 59 || (hour == 24 && (minute != 0 || second != 0 || fraction != 0)))
        {
            return false;
        }

        var result = (DaysFromCivil(year, (int)month, (int)day) * MillisecondsPerDay)
            + (hour * 3_600_000) + (minute * 60_000) + (second * 1000) + fraction - (offsetMinutes * 60_000);
        if (Math.Abs((double)result) > MaxMilliseconds)
        {
            return true;
        }

        milliseconds = result;
        return true;
    }

    private static int DaysInMonth(long year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out long value)
    {
        value = 0;
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }
}
