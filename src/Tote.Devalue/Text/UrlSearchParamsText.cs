using System.Text;

namespace Tote.Devalue;

/// <summary>
/// The WHATWG <c>application/x-www-form-urlencoded</c> parser and serializer, so that query text
/// reads and writes as JavaScript's <c>new URLSearchParams(text).toString()</c> gives it.
/// </summary>
internal static class UrlSearchParamsText
{
    public static string Normalize(string query)
    {
        var text = query.AsSpan();
        if (text.StartsWith('?'))
        {
            text = text[1..];
        }

        var builder = new StringBuilder(text.Length);
        foreach (var range in text.Split('&'))
        {
            var pair = text[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            Encode(Decode(name), builder);
            builder.Append('=');
            Encode(Decode(value), builder);
        }

        return builder.ToString();
    }

    private static string Decode(ReadOnlySpan<char> text)
    {
        // Percent-decoding works on UTF-8 bytes; invalid sequences become U+FFFD, as in browsers.
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(text.Slice(i + 1, 2).ToString(), 16));
                i += 2;
            }
            else
            {
                var length = char.IsSurrogate(c) && i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1])
                    ? Encoding.UTF8.GetBytes(text.Slice(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.Slice(i, 1), utf8);
                for (var b = 0; b < length; b++)
                {
                    bytes.Add(utf8[b]);
                }
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static void Encode(string text, StringBuilder builder)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'*' or (byte)'-' or (byte)'.' or (byte)'_')
            {
                builder.Append((char)b);
            }
            else if (b == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
