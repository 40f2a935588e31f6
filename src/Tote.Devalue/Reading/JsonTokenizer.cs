using System.Globalization;

namespace Tote.Devalue;

/// <summary>
/// A strict JSON (RFC 8259, as <c>JSON.parse</c>) tokenizer that works on UTF-16 text, so strings
/// with lone surrogates survive, and that never recurses, so deep nesting cannot overflow the stack.
/// </summary>
internal static class JsonTokenizer
{
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
                        position = ReadNumber(text, position);
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
            var rest = text.AsSpan(position);
            var stop = rest.IndexOfAny('"', '\\');
            var controlLimit = stop < 0 ? rest.Length : stop;
            if (rest[..controlLimit].IndexOfAnyInRange('\u0000', '\u001f') is var control and >= 0)
            {
                throw Unexpected(text, position + control);
            }

            if (stop < 0)
            {
                throw Unexpected(text, text.Length);
            }

            position += stop;
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

    private static int ReadNumber(string text, int position)
    {
        var start = position;
        if (position < text.Length && text[position] == '-')
        {
            position++;
        }

        if (position >= text.Length || !char.IsAsciiDigit(text[position]))
        {
            throw Unexpected(text, position >= text.Length ? start : position);
        }

        if (text[position] == '0')
        {
            position++;
        }
        else
        {
            position = SkipDigits(text, position);
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

    private static int SkipWhitespace(string text, int position)
    {
        while (position < text.Length && text[position] is ' ' or '\t' or '\n' or '\r')
        {
            position++;
        }

        return position;
    }
}
