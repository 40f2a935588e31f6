using System.Globalization;

namespace Tote.Devalue;

/// <content>Entries and their tokens: resolving an index, reading a primitive entry, walking a container's tokens.</content>
internal sealed partial class DevalueReader
{
    /// <summary>Resolves the index written at <paramref name="tokenIndex"/> as devalue's <c>hydrate</c> does.</summary>
    public int ResolveIndex(int tokenIndex)
    {
        ref var token = ref _tokens[tokenIndex];
        if (token.Kind != JsonTokenKind.Number)
        {
            throw InvalidInput();
        }

        int index;
        if (token.IsSmallInteger)
        {
            index = token.Integer;
        }
        else
        {
            var value = JsNumber.Parse(_text.AsSpan(token.Start, token.Length));
            if (value >= _entryCount)
            {
                throw InvalidInput();
            }

            // Fractions and other negatives read a missing array slot in JavaScript: undefined.
            if (value != Math.Floor(value) || value < -7)
            {
                return DevalueWriter.Undefined;
            }

            index = (int)value;
        }

        if (index >= _entryCount)
        {
            throw InvalidInput();
        }

        return index switch
        {
            >= 0 => index,
            DevalueWriter.NaN or DevalueWriter.PositiveInfinity or DevalueWriter.NegativeInfinity or DevalueWriter.NegativeZero => index,
            _ => DevalueWriter.Undefined,
        };
    }

    public double GetNumber(int reference)
    {
        switch (reference)
        {
            case DevalueWriter.NaN:
                return double.NaN;
            case DevalueWriter.PositiveInfinity:
                return double.PositiveInfinity;
            case DevalueWriter.NegativeInfinity:
                return double.NegativeInfinity;
            case DevalueWriter.NegativeZero:
                return -0d;
        }

        ref var token = ref EntryToken(reference);
        return token.IsSmallInteger ? token.Integer
            : token.Length <= MaxUncachedNumberLength ? ParseNumber(_entries[reference])
            : GetLongNumber(reference);
    }

    /// <summary>
    /// A number entry of a long text, parsed once per read and kept as its natural value: text may
    /// refer to one entry many times, and parsing it again for each reference would multiply its
    /// length by the references (a million digits read a hundred thousand times).
    /// </summary>
    private double GetLongNumber(int reference)
        => _state[reference] == Done && _natural[reference].Value is double cached ? cached : KeepResolved(reference, ParseNumber(_entries[reference]));

    /// <summary>The value of a number entry written as a plain integer of at most nine digits.</summary>
    public bool TryGetSmallInteger(int reference, out int value)
    {
        if (reference >= 0)
        {
            ref var token = ref EntryToken(reference);
            if (token.IsSmallInteger)
            {
                value = token.Integer;
                return true;
            }
        }

        value = 0;
        return false;
    }

    public ReadOnlySpan<char> GetRawNumber(int reference)
    {
        ref var token = ref EntryToken(reference);
        return _text.AsSpan(token.Start, token.Length);
    }

    public bool GetBoolean(int reference) => EntryToken(reference).Kind == JsonTokenKind.True;

    public string GetString(int reference)
        => _state[reference] == Done && _natural[reference].Value is string cached ? cached : KeepResolved(reference, TokenString(_entries[reference]));

    /// <summary>Keeps a primitive entry's value for the rest of the read; text may refer to it many times.</summary>
    private T KeepResolved<T>(int reference, T value)
    {
        _natural[reference].Value = value;
        _state[reference] = Done;
        return value;
    }

    /// <summary>The token index of element <paramref name="position"/> of an array entry, or -1.</summary>
    public int ElementToken(int reference, int position)
    {
        ref var token = ref EntryToken(reference);
        if (position >= token.Count)
        {
            return -1;
        }

        var current = _entries[reference] + 1;
        for (var i = 0; i < position; i++)
        {
            current = _tokens[current].Next;
        }

        return current;
    }

    public int ElementCount(int reference) => EntryToken(reference).Count;

    /// <summary>The token of the first key of an object entry.</summary>
    public int ElementTokenOfObject(int reference) => _entries[reference] + 1;

    public JsonTokenKind TokenKind(int tokenIndex) => _tokens[tokenIndex].Kind;

    public int NextToken(int tokenIndex) => _tokens[tokenIndex].Next;

    public string TokenString(int tokenIndex)
    {
        ref var token = ref _tokens[tokenIndex];
        var raw = _text.AsSpan(token.Start + 1, token.Length - 2);
        return token.HasEscapes ? Unescape(raw) : new string(raw);
    }

    /// <summary>The raw characters of a string token without quotes; valid as a key only when <paramref name="hasEscapes"/> is false.</summary>
    public ReadOnlySpan<char> TokenRawString(int tokenIndex, out bool hasEscapes)
    {
        ref var token = ref _tokens[tokenIndex];
        hasEscapes = token.HasEscapes;
        return _text.AsSpan(token.Start + 1, token.Length - 2);
    }

    /// <summary>Whether the token is the integer <paramref name="value"/> written plainly (so <c>-2</c>, not <c>-2.0</c>).</summary>
    public bool IsInteger(int tokenIndex, int value)
    {
        ref var token = ref _tokens[tokenIndex];
        return token.Kind == JsonTokenKind.Number && token.IsSmallInteger && token.Integer == value;
    }

    public double ParseNumber(int tokenIndex)
    {
        ref var token = ref _tokens[tokenIndex];
        return JsNumber.Parse(_text.AsSpan(token.Start, token.Length));
    }

    private static string Unescape(ReadOnlySpan<char> raw)
    {
        var result = raw.Length <= 256 ? stackalloc char[raw.Length] : new char[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\')
            {
                result[length++] = c;
                continue;
            }

            c = raw[++i];
            result[length++] = c switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => (char)int.Parse(raw.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                _ => c,
            };
            if (c == 'u')
            {
                i += 4;
            }
        }

        return new string(result[..length]);
    }
}
