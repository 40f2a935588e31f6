using System.Globalization;

namespace Tote.Devalue;

/// <summary>
/// A strict JSON (RFC 8259, as <c>JSON.parse</c>) tokenizer that works on UTF-16 text, so strings
/// with lone surrogates survive, and that never recurses, so deep nesting cannot overflow the stack.
/// </summary>
internal static class JsonTokenizer
{
    private static readonly System.Buffers.SearchValues<char> StringStops = System.Buffers.SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    public static int Tokenize(string text, ref JsonToken[] tokens, ref int[] containers, int maxDepth)
    {
        // devalue text itself nests two levels (the entry table and an entry); values nest through indexes.
        var jsonDepthLimit = maxDepth + 2;
        return Tokenize(text, ref tokens, ref containers, jsonDepthLimit, maxDepth);
    }

    private static int Tokenize(string text, ref JsonToken[] tokens, ref int[] containers, int jsonDepthLimit, int maxDepth)
    {
        var count = 0;
        var depth = 0;
        var position = SkipWhitespace(text, 0);
        var expectValue = true;

        while (true)
        {
            if (expectValue)
            {
                if (position >= text.Length)
                {
                    throw Unexpected(text, position);
                }

                if (count == tokens.Length)
                {
                    Array.Resize(ref tokens, tokens.Length * 2);
                }

                ref var token = ref tokens[count];
                token = default;
                token.Start = position;
                var c = text[position];
                switch (c)
                {
                    case '[':
                    case '{':
                        if (depth == jsonDepthLimit)
                        {
                            throw new DevalueException(
                                "Input nested too deeply",
                                $"The devalue text nests JSON more than {maxDepth} levels deep (DevalueOptions.MaxDepth). It is not devalue output; reject it, or raise the limit.",
                                path: null);
                        }

                        token.Kind = c == '[' ? JsonTokenKind.Array : JsonTokenKind.Object;
                        if (depth == containers.Length)
                        {
                            Array.Resize(ref containers, containers.Length * 2);
                        }

                        containers[depth++] = count++;
                        position = SkipWhitespace(text, position + 1);
                        if (position < text.Length && text[position] == (c == '[' ? ']' : '}'))
                        {
                            expectValue = false;
                            break;
                        }

                        if (c == '{')
                        {
                            position = ReadKey(text, position, ref tokens, ref count);
                        }

                        continue;
                    case '"':
                        token.Kind = JsonTokenKind.String;
                        position = ReadString(text, position, ref token);
                        count++;
                        break;
                    case 't':
                        position = ReadLiteral(text, position, "true");
                        token.Kind = JsonTokenKind.True;
                        count++;
                        break;
                    case 'f':
                        position = ReadLiteral(text, position, "false");
                        token.Kind = JsonTokenKind.False;
                        count++;
                        break;
                    case 'n':
                        position = ReadLiteral(text, position, "null");
                        token.Kind = JsonTokenKind.Null;
                        count++;
                        break;
                    default:
                        position = ReadNumber(text, position, ref token);
                        token.Kind = JsonTokenKind.Number;
                        count++;
                        break;
                }

                tokens[count - 1].Length = position - tokens[count - 1].Start;
                tokens[count - 1].Next = count;
                expectValue = false;
            }

            // After a value, or at an empty container's closing bracket.
            position = SkipWhitespace(text, position);
            if (depth == 0)
            {
                if (position != text.Length)
                {
                    throw Unexpected(text, position);
                }

                return count;
            }

            ref var container = ref tokens[containers[depth - 1]];
            var isArray = container.Kind == JsonTokenKind.Array;
            if (position >= text.Length)
            {
                throw Unexpected(text, position);
            }

            var next = text[position];
            var closesEmpty = container.Count == 0 && containers[depth - 1] == count - 1;
            if (!closesEmpty)
            {
                container.Count++;
            }

            if (next == ',' && !closesEmpty)
            {
                position = SkipWhitespace(text, position + 1);
                if (!isArray)
                {
                    position = ReadKey(text, position, ref tokens, ref count);
                }

                expectValue = true;
                continue;
            }

            if (next == (isArray ? ']' : '}'))
            {
                container.Next = count;
                container.Length = position + 1 - container.Start;
                depth--;
                position++;
                continue;
            }

            throw Unexpected(text, position);
        }
    }

    public static DevalueException Unexpected(string text, int position)
    {
        var found = position < text.Length ? $"token '{text[position]}'" : "end of input";
        return new DevalueException(
            $"Unexpected {found}",
            $"The text is not valid JSON, so it is not devalue: unexpected {found} at position {position.ToString(CultureInfo.InvariantCulture)}.",
            path: null);
    }

    private static int ReadKey(string text, int position, ref JsonToken[] tokens, ref int count)
    {
        if (position >= text.Length || text[position] != '"')
        {
            throw Unexpected(text, position);
        }

        if (count == tokens.Length)
        {
            Array.Resize(ref tokens, tokens.Length * 2);
        }

        ref var key = ref tokens[count];
        key = default;
        key.Kind = JsonTokenKind.String;
        key.Start = position;
        position = ReadString(text, position, ref key);
        key.Length = position - key.Start;
        key.Next = ++count;
        position = SkipWhitespace(text, position);
        if (position >= text.Length || text[position] != ':')
        {
            throw Unexpected(text, position);
        }

        return SkipWhitespace(text, position + 1);
    }

    private static int ReadString(string text, int position, ref JsonToken token)
    {
        position++;
        while (true)
        {
            // Most strings are short: a plain loop beats a vectorized search until it gets going.
            var scanEnd = Math.Min(text.Length, position + 16);
            while (position < scanEnd && text[position] is not ('"' or '\\') && text[position] >= ' ')
            {
                position++;
            }

            if (position == scanEnd)
            {
                var stop = text.AsSpan(position).IndexOfAny(StringStops);
                if (stop < 0)
                {
                    throw Unexpected(text, text.Length);
                }

                position += stop;
            }

            if (text[position] < ' ')
            {
                // JSON forbids raw control characters inside strings.
                throw Unexpected(text, position);
            }

            if (text[position] == '"')
            {
                return position + 1;
            }

            token.HasEscapes = true;
            if (position + 1 >= text.Length)
            {
                throw Unexpected(text, text.Length);
            }

            switch (text[position + 1])
            {
                case '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't':
                    position += 2;
                    break;
                case 'u':
                    for (var i = 2; i < 6; i++)
                    {
                        if (position + i >= text.Length || !char.IsAsciiHexDigit(text[position + i]))
                        {
                            throw Unexpected(text, Math.Min(position + i, text.Length));
                        }
                    }

                    position += 6;
                    break;
                default:
                    throw Unexpected(text, position + 1);
            }
        }
    }

    private static int ReadLiteral(string text, int position, string literal)
    {
        for (var i = 0; i < literal.Length; i++)
        {
            if (position + i >= text.Length || text[position + i] != literal[i])
            {
                throw Unexpected(text, Math.Min(position + i, text.Length));
            }
        }

        return position + literal.Length;
    }

    private static int ReadNumber(string text, int position, ref JsonToken token)
    {
        var start = position;
        var negative = position < text.Length && text[position] == '-';
        if (negative)
        {
            position++;
        }

        if (position >= text.Length || !char.IsAsciiDigit(text[position]))
        {
            throw Unexpected(text, position >= text.Length ? start : position);
        }

        var digitsStart = position;
        if (text[position] == '0')
        {
            position++;
        }
        else
        {
            position = SkipDigits(text, position);
        }

        // Indexes are small integers: keep their value so resolving one needs no parsing.
        if (position - digitsStart <= 9 && (position >= text.Length || text[position] is not ('.' or 'e' or 'E')))
        {
            var value = 0;
            for (var i = digitsStart; i < position; i++)
            {
                value = (value * 10) + (text[i] - '0');
            }

            token.IsSmallInteger = !(negative && value == 0);
            token.Integer = negative ? -value : value;
        }

        if (position < text.Length && text[position] == '.')
        {
            var digits = position + 1;
            position = SkipDigits(text, digits);
            if (position == digits)
            {
                throw Unexpected(text, position);
            }
        }

        if (position < text.Length && (text[position] == 'e' || text[position] == 'E'))
        {
            position++;
            if (position < text.Length && (text[position] == '+' || text[position] == '-'))
            {
                position++;
            }

            var digits = position;
            position = SkipDigits(text, digits);
            if (position == digits)
            {
                throw Unexpected(text, position);
            }
        }

        return position;
    }

    private static int SkipDigits(string text, int position)
    {
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        return position;
    }

    // devalue writes no whitespace: the common case is one inlined comparison.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(string text, int position) =>
        (uint)position < (uint)text.Length && text[position] > ' ' ? position : SkipWhitespaceSlow(text, position);

    private static int SkipWhitespaceSlow(string text, int position)
    {
        while (position < text.Length && text[position] is ' ' or '\t' or '\n' or '\r')
        {
            position++;
        }

        return position;
    }
}
