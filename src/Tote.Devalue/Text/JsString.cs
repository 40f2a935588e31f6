using System.Buffers;

namespace Tote.Devalue;

/// <summary>
/// devalue's string escaping: JSON's, plus <c>&lt;</c>, U+2028 and U+2029 as <c>\u</c> escapes;
/// optionally also lone surrogates, as well-formed <c>JSON.stringify</c> escapes them.
/// </summary>
internal static class JsString
{
    // '<' is escaped so devalue output can be inlined in an HTML <script> tag; U+2028/U+2029
    // because older JavaScript engines treat them as line breaks inside string literals.
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\<\u2028\u2029\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    // devalue 5.9.4 writes a lone surrogate raw, which no UTF-8 text can hold (Node's encoder
    // turns it into U+FFFD, .NET's strict one throws). Escaped as \udXXX it is plain ASCII that
    // JSON.parse, and so devalue, reads back to the very same string.
    private static readonly SearchValues<char> NeedsEscapeWellFormed = SearchValues.Create(
        "\"\\<\u2028\u2029\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + string.Create(0x800, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)(0xD800 + i);
            }
        }));

    /// <summary>The most characters <see cref="Write"/> can produce for a string of the given length.</summary>
    public static int MaxEscapedLength(int length) => (length * 6) + 2;

    /// <summary>Writes the quoted, escaped string; returns the number of characters written.</summary>
    /// <param name="value">The string.</param>
    /// <param name="destination">Room for <see cref="MaxEscapedLength"/> characters.</param>
    /// <param name="wellFormed">Whether to escape lone surrogates, so that the text encodes to UTF-8; devalue does not.</param>
    public static int Write(ReadOnlySpan<char> value, Span<char> destination, bool wellFormed = false)
    {
        // Only a string holding a surrogate needs the larger search set; one vectorized range
        // check tells, so every other string is searched exactly as devalue's text is.
        var needsEscape = wellFormed && value.ContainsAnyInRange('\ud800', '\udfff') ? NeedsEscapeWellFormed : NeedsEscape;
        var written = 0;
        destination[written++] = '"';
        while (true)
        {
            var next = value.IndexOfAny(needsEscape);
            if (next < 0)
            {
                value.CopyTo(destination[written..]);
                written += value.Length;
                break;
            }

            value[..next].CopyTo(destination[written..]);
            written += next;
            if (char.IsHighSurrogate(value[next]) && next + 1 < value.Length && char.IsLowSurrogate(value[next + 1]))
            {
                // A pair is one character: written as it is.
                destination[written++] = value[next];
                destination[written++] = value[next + 1];
                value = value[(next + 2)..];
                continue;
            }

            written += WriteEscape(value[next], destination[written..]);
            value = value[(next + 1)..];
        }

        destination[written++] = '"';
        return written;
    }

    public static string Quote(string value)
    {
        var buffer = value.Length < 256 ? stackalloc char[MaxEscapedLength(value.Length)] : new char[MaxEscapedLength(value.Length)];
        return new string(buffer[..Write(value, buffer)]);
    }

    private static int WriteEscape(char c, Span<char> destination)
    {
        destination[0] = '\\';
        var shortForm = c switch
        {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\b' => 'b',
            '\f' => 'f',
            _ => '\0',
        };
        if (shortForm != '\0')
        {
            destination[1] = shortForm;
            return 2;
        }

        // '<' is written with an uppercase hex digit, as devalue does; the rest in lowercase.
        const string LowerHex = "0123456789abcdef";
        destination[1] = 'u';
        destination[2] = LowerHex[c >> 12];
        destination[3] = LowerHex[(c >> 8) & 0xF];
        destination[4] = c == '<' ? '3' : LowerHex[(c >> 4) & 0xF];
        destination[5] = c == '<' ? 'C' : LowerHex[c & 0xF];
        return 6;
    }
}
