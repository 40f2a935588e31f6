using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Tote.Devalue;

/// <summary>
/// A strict JSON (RFC 8259, as <c>JSON.parse</c>) tokenizer that works on UTF-16 text, so strings
/// with lone surrogates survive, and that never recurses, so deep nesting cannot overflow the stack.
/// </summary>
internal static class JsonTokenizer
{
    /// <summary>
    /// Fills <paramref name="tokens"/> with the values of <paramref name="text"/> in document order, and
    /// <paramref name="rootElements"/> with the token index of each element of the root container; returns the token count.
    /// </summary>
    public static int Tokenize(string text, ref JsonToken[] tokens, ref int[] containers, ref int[] rootElements, int maxDepth)
    {
        // devalue text itself nests two levels (the entry table and an entry); values nest through indexes.
        var jsonDepthLimit = maxDepth + 2;
        ReadOnlySpan<char> span = text;

        // Locals, not the ref parameters: the JIT keeps them in registers and drops most bounds checks.
        var table = tokens;
        var stack = containers;
        var roots = rootElements;
        var count = 0;
        var depth = 0;

        // The open container (-1 at the top level), whether it is an object, and its element count so far.
        var container = -1;
        var inObject = false;
        var elements = 0;
        var position = SkipWhitespace(span, 0);

        while (true)
        {
            // A value starts at position.
            if ((uint)position >= (uint)span.Length)
            {
                throw Unexpected(span, position);
            }

            if ((uint)count >= (uint)table.Length)
            {
                table = Grow(ref tokens);
            }

            if (container == 0)
            {
                // An entry of the devalue table: readers find entries by position, so note where each starts.
                if ((uint)elements >= (uint)roots.Length)
                {
                    roots = Grow(ref rootElements);
                }

                roots[elements] = count;
            }

            ref var token = ref table[count];
            var c = span[position];
            var start = position;
            switch (c)
            {
                case '"':
                    position = ReadString(span, position, out var escaped);
                    token = new JsonToken { Kind = JsonTokenKind.String, HasEscapes = escaped, Start = start, Length = position - start, Next = ++count };
                    break;
                case '[':
                case '{':
                    if (depth == jsonDepthLimit)
                    {
                        throw TooDeep(maxDepth);
                    }

                    var isObject = c == '{';
                    token = new JsonToken { Kind = isObject ? JsonTokenKind.Object : JsonTokenKind.Array };
                    position = SkipWhitespace(span, position + 1);
                    if ((uint)position < (uint)span.Length && span[position] == (isObject ? '}' : ']'))
                    {
                        token.Next = ++count;
                        position++;
                        break;
                    }

                    if (container >= 0)
                    {
                        // The parent's running count waits in its token until the child closes.
                        table[container].Count = elements;
                    }

                    if ((uint)depth >= (uint)stack.Length)
                    {
                        stack = Grow(ref containers);
                    }

                    stack[depth++] = container;
                    container = count++;
                    inObject = isObject;
                    elements = 0;
                    if (isObject)
                    {
                        position = ReadKey(span, position, ref tokens, ref table, ref count);
                    }

                    continue;
                case 't':
                    position = ReadLiteral(span, position, "true");
                    token = new JsonToken { Kind = JsonTokenKind.True, Start = start, Length = 4, Next = ++count };
                    break;
                case 'f':
                    position = ReadLiteral(span, position, "false");
                    token = new JsonToken { Kind = JsonTokenKind.False, Start = start, Length = 5, Next = ++count };
                    break;
                case 'n':
                    position = ReadLiteral(span, position, "null");
                    token = new JsonToken { Kind = JsonTokenKind.Null, Start = start, Length = 4, Next = ++count };
                    break;
                case >= '1' and <= '9' when TryReadSmallInteger(span, ref position, out var integer):
                    token = new JsonToken { Kind = JsonTokenKind.Number, IsSmallInteger = true, Integer = integer, Start = start, Length = position - start, Next = ++count };
                    break;
                default:
                    position = ReadNumber(span, position, ref token);
                    token.Kind = JsonTokenKind.Number;
                    token.Start = start;
                    token.Length = position - start;
                    token.Next = ++count;
                    break;
            }

            // After a value: a separator, or closing brackets.
            while (true)
            {
                position = SkipWhitespace(span, position);
                if (container < 0)
                {
                    if (position != span.Length)
                    {
                        throw Unexpected(span, position);
                    }

                    tokens = table;
                    return count;
                }

                elements++;
                if ((uint)position >= (uint)span.Length)
                {
                    throw Unexpected(span, position);
                }

                c = span[position];
                if (c == ',')
                {
                    position = SkipWhitespace(span, position + 1);
                    if (inObject)
                    {
                        position = ReadKey(span, position, ref tokens, ref table, ref count);
                    }

                    break;
                }

                if (c != (inObject ? '}' : ']'))
                {
                    throw Unexpected(span, position);
                }

                ref var closed = ref table[container];
                closed.Count = elements;
                closed.Next = count;
                position++;
                container = stack[--depth];
                if (container >= 0)
                {
                    inObject = table[container].Kind == JsonTokenKind.Object;
                    elements = table[container].Count;
                }
            }
        }
    }

    // Growing and failing are rare: out of line, they leave the hot loop its registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TItem[] Grow<TItem>(ref TItem[] array)
    {
        // A caller may hand in an empty array; doubling alone would never make room.
        Array.Resize(ref array, Math.Max(8, array.Length * 2));
        return array;
    }

    private static DevalueException TooDeep(int maxDepth) => new(
        "Input nested too deeply",
        $"The devalue text nests JSON more than {maxDepth} levels deep (DevalueOptions.MaxDepth). It is not devalue output; reject it, or raise the limit.",
        path: null);

    public static DevalueException Unexpected(ReadOnlySpan<char> text, int position)
    {
        var found = position < text.Length ? $"token '{text[position]}'" : "end of input";
        return new DevalueException(
            $"Unexpected {found}",
            $"The text is not valid JSON, so it is not devalue: unexpected {found} at position {position.ToString(CultureInfo.InvariantCulture)}.",
            path: null);
    }

    private static int ReadKey(ReadOnlySpan<char> text, int position, ref JsonToken[] tokens, ref JsonToken[] table, ref int count)
    {
        if ((uint)position >= (uint)text.Length || text[position] != '"')
        {
            throw Unexpected(text, position);
        }

        if ((uint)count >= (uint)table.Length)
        {
            table = Grow(ref tokens);
        }

        var start = position;
        position = ReadString(text, position, out var escaped);
        table[count] = new JsonToken { Kind = JsonTokenKind.String, HasEscapes = escaped, Start = start, Length = position - start, Next = ++count };
        position = SkipWhitespace(text, position);
        if ((uint)position >= (uint)text.Length || text[position] != ':')
        {
            throw Unexpected(text, position);
        }

        return SkipWhitespace(text, position + 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadString(ReadOnlySpan<char> text, int position, out bool hasEscapes)
    {
        // Most strings have no escapes: finding the closing quote is all there is to do.
        position = SkipPlainCharacters(text, position + 1);
        if ((uint)position < (uint)text.Length && text[position] == '"')
        {
            hasEscapes = false;
            return position + 1;
        }

        hasEscapes = true;
        return ReadEscapedString(text, position);
    }

    private static int ReadEscapedString(ReadOnlySpan<char> text, int position)
    {
        while (true)
        {
            if ((uint)position >= (uint)text.Length)
            {
                throw Unexpected(text, text.Length);
            }

            var c = text[position];
            if (c == '"')
            {
                return position + 1;
            }

            if (c < ' ')
            {
                // JSON forbids raw control characters inside strings.
                throw Unexpected(text, position);
            }

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

            position = SkipPlainCharacters(text, position);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadSmallInteger(ReadOnlySpan<char> text, ref int position, out int value)
    {
        // Indexes: one to nine digits, not starting with 0, ending the number. Anything else takes the full path.
        var end = position;
        value = 0;
        while ((uint)end < (uint)text.Length && char.IsAsciiDigit(text[end]) && end - position < 9)
        {
            value = (value * 10) + (text[end++] - '0');
        }

        if ((uint)end < (uint)text.Length && text[end] is (>= '0' and <= '9') or '.' or 'e' or 'E')
        {
            return false;
        }

        position = end;
        return true;
    }

    /// <summary>The position of the first quote, backslash or control character at or after <paramref name="position"/>, or the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipPlainCharacters(ReadOnlySpan<char> text, int position)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            // Eight characters a step; the loop condition keeps every load inside the text.
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var space = Vector128.Create((ushort)' ');
            var quote = Vector128.Create((ushort)'"');
            var backslash = Vector128.Create((ushort)'\\');
            while (position <= text.Length - Vector128<ushort>.Count)
            {
                var chunk = Vector128.LoadUnsafe(ref first, (nuint)position);
                // Testing the bit mask, not the vector, spares a round trip between mask and vector registers.
                var stops = (Vector128.LessThan(chunk, space) | Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash)).ExtractMostSignificantBits();
                if (stops != 0)
                {
                    return position + BitOperations.TrailingZeroCount(stops);
                }

                position += Vector128<ushort>.Count;
            }
        }

        while ((uint)position < (uint)text.Length && text[position] is >= ' ' and not ('"' or '\\'))
        {
            position++;
        }

        return position;
    }

    private static int ReadLiteral(ReadOnlySpan<char> text, int position, string literal)
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

    private static int ReadNumber(ReadOnlySpan<char> text, int position, ref JsonToken token)
    {
        var start = position;
        var negative = (uint)position < (uint)text.Length && text[position] == '-';
        if (negative)
        {
            position++;
        }

        if ((uint)position >= (uint)text.Length || !char.IsAsciiDigit(text[position]))
        {
            throw Unexpected(text, position >= text.Length ? start : position);
        }

        // Indexes are small integers: keep their value so resolving one needs no parsing.
        var digitsStart = position;
        var value = 0;
        if (text[position] == '0')
        {
            position++;
        }
        else
        {
            while ((uint)position < (uint)text.Length && char.IsAsciiDigit(text[position]))
            {
                // Only the first nine digits count: more cannot be a small integer, and cannot overflow here.
                if (position - digitsStart < 9)
                {
                    value = (value * 10) + (text[position] - '0');
                }

                position++;
            }
        }

        var isInteger = true;
        if ((uint)position < (uint)text.Length && text[position] == '.')
        {
            isInteger = false;
            var digits = position + 1;
            position = SkipDigits(text, digits);
            if (position == digits)
            {
                throw Unexpected(text, position);
            }
        }

        if ((uint)position < (uint)text.Length && (text[position] == 'e' || text[position] == 'E'))
        {
            isInteger = false;
            position++;
            if ((uint)position < (uint)text.Length && (text[position] == '+' || text[position] == '-'))
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

        if (isInteger && position - digitsStart <= 9 && !(negative && value == 0))
        {
            token = new JsonToken { IsSmallInteger = true, Integer = negative ? -value : value };
        }
        else
        {
            token = default;
        }

        return position;
    }

    private static int SkipDigits(ReadOnlySpan<char> text, int position)
    {
        while ((uint)position < (uint)text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        return position;
    }

    // devalue writes no whitespace: the common case is one inlined comparison.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<char> text, int position) =>
        (uint)position < (uint)text.Length && text[position] > ' ' ? position : SkipWhitespaceSlow(text, position);

    private static int SkipWhitespaceSlow(ReadOnlySpan<char> text, int position)
    {
        while ((uint)position < (uint)text.Length && text[position] is ' ' or '\t' or '\n' or '\r')
        {
            position++;
        }

        return position;
    }
}
