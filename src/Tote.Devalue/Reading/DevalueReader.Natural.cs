using System.Globalization;
using System.Numerics;

namespace Tote.Devalue;

/// <summary>Untyped reads: devalue's <c>hydrate</c>, producing the natural .NET types.</summary>
internal sealed partial class DevalueReader
{
    /// <summary>Hydrates a reference into natural .NET values, sharing repeated entries.</summary>
    public object? GetNatural(int reference)
    {
        if (reference < 0)
        {
            return reference == DevalueWriter.Undefined ? DevalueUndefined.Value : GetNumber(reference);
        }

        if (_state[reference] == Done)
        {
            return _natural[reference].Value;
        }

        EnterContainer();
        try
        {
            return HydrateEntry(reference);
        }
        finally
        {
            ExitContainer();
        }
    }

    private object? HydrateEntry(int index)
    {
        var tokenIndex = _entries[index];
        ref var token = ref _tokens[tokenIndex];
        switch (token.Kind)
        {
            case JsonTokenKind.String:
                return GetString(index);
            case JsonTokenKind.Number:
                return Store(index, ParseNumber(tokenIndex));
            case JsonTokenKind.True:
                return Store(index, true);
            case JsonTokenKind.False:
                return Store(index, false);
            case JsonTokenKind.Null:
                return Store(index, null);
            case JsonTokenKind.Object:
                return HydrateObject(index, tokenIndex);
        }

        return GetNode(index) switch
        {
            DevalueNode.Array => HydrateArray(index, tokenIndex),
            DevalueNode.SparseArray => HydrateSparseArray(index),
            DevalueNode.Date => Store(index, JsDate.ToNatural(GetDateMilliseconds(index))),
            DevalueNode.Set => HydrateSet(index),
            DevalueNode.Map => HydrateMap(index),
            DevalueNode.RegExp => Store(index, ReadRegExp(index)),
            DevalueNode.Boxed => HydrateBoxed(index),
            DevalueNode.BigInt => _checkingOnly ? Store(index, ReadBigInteger(index, convert: false)) : GetBigInteger(index),
            DevalueNode.NullPrototypeObject => HydrateNullPrototypeObject(index),
            DevalueNode.ArrayBuffer => Store(index, new DevalueArrayBuffer(GetArrayBufferBytes(index))),
            DevalueNode.TypedArray => HydrateTypedArray(index),
            DevalueNode.Url => Store(index, GetUri(index)),
            DevalueNode.UrlSearchParams => Store(index, new DevalueUrlSearchParams(GetUrlSearchParamsText(index))),
            _ => throw UnknownType(index),
        };
    }

    private object? Store(int index, object? value)
    {
        _natural[index].Value = value;
        _state[index] = Done;
        return value;
    }

    private OrderedDictionary<string, object?> HydrateObject(int index, int tokenIndex)
    {
        ref var token = ref _tokens[tokenIndex];
        var result = new OrderedDictionary<string, object?>(token.Count, StringComparer.Ordinal);
        Store(index, result);
        var current = tokenIndex + 1;
        var needsOrdering = false;
        for (var i = 0; i < token.Count; i++)
        {
            var key = TokenString(current);
            if (key == "__proto__")
            {
                throw DevalueError("Cannot parse an object with a `__proto__` property");
            }

            needsOrdering |= JsPropertyOrder.IsArrayIndex(key);
            var valueToken = _tokens[current].Next;
            try
            {
                result[key] = GetNatural(ResolveIndex(valueToken));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Key(key)))
            {
                throw;
            }
            current = _tokens[valueToken].Next;
        }

        if (needsOrdering)
        {
            JsPropertyOrder.Apply(result);
        }

        return result;
    }

    private DevalueNullPrototypeObject HydrateNullPrototypeObject(int index)
    {
        var result = new DevalueNullPrototypeObject();
        Store(index, result);
        var count = ElementCount(index);
        var current = NextToken(_entries[index] + 1);
        var needsOrdering = false;
        for (var i = 1; i < count; i += 2)
        {
            if (TokenKind(current) != JsonTokenKind.String)
            {
                throw DevalueError("Cannot parse an object with a non-string key");
            }

            var key = TokenString(current);
            if (key == "__proto__")
            {
                throw DevalueError("Cannot parse an object with a `__proto__` property");
            }

            var valueToken = i + 1 < count ? NextToken(current) : -1;
            if (valueToken < 0)
            {
                throw InvalidInput();
            }

            needsOrdering |= JsPropertyOrder.IsArrayIndex(key);
            try
            {
                result[key] = GetNatural(ResolveIndex(valueToken));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Key(key)))
            {
                throw;
            }
            current = NextToken(valueToken);
        }

        if (needsOrdering)
        {
            JsPropertyOrder.Apply(result);
        }

        return result;
    }

    private List<object?> HydrateArray(int index, int tokenIndex)
    {
        var count = _tokens[tokenIndex].Count;
        ChargeArrayLength(count);
        var result = new List<object?>(count);
        Store(index, result);
        var current = tokenIndex + 1;
        for (var i = 0; i < count; i++)
        {
            if (IsInteger(current, DevalueWriter.Hole))
            {
                result.Add(DevalueHole.Value);
            }
            else
            {
                try
                {
                    result.Add(GetNatural(ResolveIndex(current)));
                }
                catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(i)))
                {
                    throw;
                }
            }

            current = _tokens[current].Next;
        }

        return result;
    }

    private List<object?> HydrateSparseArray(int index)
    {
        var length = GetSparseLength(index);
        ChargeArrayLength(length);
        var result = new List<object?>(length);
        for (var i = 0; i < length; i++)
        {
            result.Add(DevalueHole.Value);
        }

        Store(index, result);
        foreach (var (position, reference) in EnumerateSparse(index, length))
        {
            try
            {
                result[position] = GetNatural(reference);
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(position)))
            {
                throw;
            }
        }

        return result;
    }

    private DevalueSet HydrateSet(int index)
    {
        var count = ElementCount(index) - 1;
        var result = new DevalueSet(count);
        Store(index, result);
        var current = NextToken(_entries[index] + 1);
        for (var i = 0; i < count; i++)
        {
            result.Add(GetNatural(ResolveIndex(current)));
            current = NextToken(current);
        }

        return result;
    }

    private DevalueMap HydrateMap(int index)
    {
        var count = ElementCount(index) - 1;
        var result = new DevalueMap(count / 2);
        Store(index, result);
        var current = NextToken(_entries[index] + 1);
        for (var i = 0; i < count; i += 2)
        {
            var key = GetNatural(ResolveIndex(current));
            if (i + 1 >= count)
            {
                // devalue hydrates the missing value slot, which is not a number.
                throw InvalidInput();
            }

            current = NextToken(current);
            try
            {
                result.Set(key, GetNatural(ResolveIndex(current)));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.MapEntry(key)))
            {
                throw;
            }
            current = NextToken(current);
        }

        return result;
    }

    private DevalueBoxed HydrateBoxed(int index)
    {
        var wrapped = BoxedTarget(index);
        var value = GetNatural(wrapped);
        if (value is not (string or double or bool or BigInteger))
        {
            throw InvalidInput();
        }

        return (DevalueBoxed)Store(index, new DevalueBoxed(value))!;
    }

    /// <summary>The reference a <c>["Object",i]</c> box wraps, refusing what devalue refuses.</summary>
    public int BoxedTarget(int index)
    {
        var argument = ElementToken(index, 1);
        if (argument < 0)
        {
            throw InvalidInput();
        }

        var wrapped = ResolveIndex(argument);
        if (wrapped >= 0)
        {
            var kind = EntryToken(wrapped).Kind;
            if (kind is JsonTokenKind.Object or JsonTokenKind.Null
                || (kind == JsonTokenKind.Array && GetNode(wrapped) != DevalueNode.BigInt))
            {
                // devalue refuses to box an object, to avoid recursing forever on malformed input.
                throw InvalidInput();
            }
        }

        return wrapped;
    }

    private DevalueTypedArray HydrateTypedArray(int index)
    {
        var (kind, bufferReference, byteOffset, length) = GetTypedArrayInfo(index);
        var buffer = GetNatural(bufferReference) as DevalueArrayBuffer ?? throw InvalidData();
        try
        {
            return (DevalueTypedArray)Store(index, new DevalueTypedArray(kind, buffer, byteOffset, length))!;
        }
        catch (DevalueException ex)
        {
            throw new DevalueException(ex.Reason, "The text is not valid devalue: " + ex.Message, path: null, ex);
        }
    }

    /// <summary>The parts of <c>["Uint8Array",buffer,byteOffset,length]</c>, checked as devalue checks them.</summary>
    public (string Kind, int Buffer, int ByteOffset, int? Length) GetTypedArrayInfo(int index)
    {
        var kind = Tag(_entries[index] + 1);
        var bufferToken = ElementToken(index, 1);
        if (bufferToken < 0 || TokenKind(bufferToken) != JsonTokenKind.Number)
        {
            throw TypeErrorReadingZero();
        }

        var raw = ParseNumber(bufferToken);
        if (raw < 0 || raw >= _entryCount || raw != Math.Floor(raw))
        {
            throw TypeErrorReadingZero();
        }

        var buffer = (int)raw;
        if (GetNode(buffer) != DevalueNode.ArrayBuffer)
        {
            // Without this check, malformed input could make a view of a view, or of a huge length.
            throw InvalidData();
        }

        var offsetToken = ElementToken(index, 2);
        var lengthToken = ElementToken(index, 3);
        var byteOffset = offsetToken < 0 ? 0 : ReadSmallInteger(offsetToken);
        int? length = lengthToken < 0 ? null : ReadSmallInteger(lengthToken);
        return (kind, buffer, byteOffset, length);
    }

    public byte[] GetArrayBufferBytes(int index)
    {
        var argument = ElementToken(index, 1);
        if (argument < 0 || TokenKind(argument) != JsonTokenKind.String)
        {
            throw DevalueError("Invalid ArrayBuffer encoding");
        }

        var base64 = TokenString(argument);
        var bytes = new byte[base64.Length / 4 * 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            throw Fail("Invalid ArrayBuffer encoding", "The text is not valid devalue: an ArrayBuffer is not valid base64.");
        }

        return written == bytes.Length ? bytes : bytes[..written];
    }

    public double GetDateMilliseconds(int index)
    {
        var argument = ElementToken(index, 1);
        if (argument < 0)
        {
            return double.NaN;
        }

        if (TokenKind(argument) == JsonTokenKind.String && TokenRawString(argument, out _).Length > MaxUncachedDateLength)
        {
            return GetLongDateMilliseconds(index, argument);
        }

        return TokenKind(argument) switch
        {
            JsonTokenKind.String => JsDate.Parse(TokenRawString(argument, out var escaped) is var raw && !escaped ? raw : TokenString(argument)),
            JsonTokenKind.Number => TimeClip(ParseNumber(argument)),
            JsonTokenKind.Null or JsonTokenKind.False => 0,
            JsonTokenKind.True => 1,
            _ => double.NaN,
        };
    }

    /// <summary>
    /// A Date entry whose text is long, parsed once per read and kept as its natural value:
    /// parsing it again for each of many references would multiply its length by the references.
    /// </summary>
    private double GetLongDateMilliseconds(int index, int argument)
    {
        switch (_state[index] == Done ? _natural[index].Value : null)
        {
            case DateTimeOffset date:
                return date.ToUnixTimeMilliseconds();
            case DevalueDate date:
                return date.EpochMilliseconds;
        }

        var milliseconds = JsDate.Parse(TokenRawString(argument, out var escaped) is var raw && !escaped ? raw : TokenString(argument));
        Store(index, JsDate.ToNatural(milliseconds));
        return milliseconds;
    }

    public DevalueRegExp ReadRegExp(int index)
    {
        var sourceToken = ElementToken(index, 1);
        var flagsToken = ElementToken(index, 2);
        if (sourceToken < 0 || TokenKind(sourceToken) != JsonTokenKind.String
            || (flagsToken >= 0 && TokenKind(flagsToken) != JsonTokenKind.String))
        {
            throw InvalidInput();
        }

        try
        {
            return new DevalueRegExp(TokenString(sourceToken), flagsToken < 0 ? string.Empty : TokenString(flagsToken));
        }
        catch (DevalueException ex)
        {
            throw new DevalueException(ex.Reason, "The text is not valid devalue: " + ex.Message, path: null, ex);
        }
    }

    /// <summary>
    /// The value of a BigInt entry, converted once per read and kept as its natural value, so that
    /// many references to one long BigInt convert it once.
    /// </summary>
    public BigInteger GetBigInteger(int index)
    {
        if (_state[index] == Done && _natural[index].Value is BigInteger cached)
        {
            return cached;
        }

        var value = ReadBigInteger(index, convert: true);
        Store(index, value);
        return value;
    }

    /// <summary>
    /// Checks a BigInt entry as reading it would (throwing what a read throws), and gives its
    /// digits when they are already what devalue writes for its value: a decimal without leading
    /// zeros or whitespace, with a sign only when negative. Such digits can be copied as text,
    /// without the conversion to a number and back, which costs more than linear time.
    /// </summary>
    public bool TryGetCanonicalBigIntDigits(int index, out ReadOnlySpan<char> digits)
    {
        ReadBigInteger(index, convert: false);
        var argument = ElementToken(index, 1);
        digits = default;
        if (TokenKind(argument) != JsonTokenKind.String)
        {
            return false;
        }

        var raw = TokenRawString(argument, out var escaped);
        var magnitude = raw.Length > 0 && raw[0] == '-' ? raw[1..] : raw;
        if (escaped
            || magnitude.IsEmpty
            || magnitude.ContainsAnyExceptInRange('0', '9')
            || (magnitude[0] == '0' && (magnitude.Length > 1 || magnitude.Length != raw.Length)))
        {
            return false;
        }

        digits = raw;
        return true;
    }

    /// <summary>
    /// Checks a BigInt entry as <see cref="GetBigInteger"/> would, its digit count against
    /// <see cref="DevalueOptions.MaxBigIntDigits"/> included, and converts the digits only when
    /// <paramref name="convert"/> is set (otherwise returns zero): checking is linear in the
    /// text, converting decimal digits is not, so a check never converts.
    /// </summary>
    private BigInteger ReadBigInteger(int index, bool convert)
    {
        var argument = ElementToken(index, 1);
        if (argument >= 0 && TokenKind(argument) == JsonTokenKind.String)
        {
            var raw = TokenRawString(argument, out var escaped);
            var text = escaped ? TokenString(argument).AsSpan() : raw;
            if (JsBigInt.TryCheck(text, out var digits))
            {
                if (digits > Options.MaxBigIntDigits)
                {
                    throw new DevalueException(
                        "BigInt too long",
                        $"A BigInt entry has {digits} digits, more than DevalueOptions.MaxBigIntDigits ({Options.MaxBigIntDigits}). Reject the text, or raise the limit.",
                        path: null);
                }

                return convert ? JsBigInt.Parse(text) : BigInteger.Zero;
            }
        }

        if (argument >= 0 && TokenKind(argument) == JsonTokenKind.Number)
        {
            var number = ParseNumber(argument);
            if (number == Math.Floor(number) && !double.IsInfinity(number))
            {
                return convert ? new BigInteger(number) : BigInteger.Zero;
            }
        }

        throw Fail("Cannot convert to BigInt", "The text is not valid devalue: a BigInt entry does not hold an integer.");
    }

    public Uri GetUri(int index)
    {
        var argument = ElementToken(index, 1);
        string? href;
        if (argument >= 0 && TokenKind(argument) == JsonTokenKind.Number)
        {
            // Astro's form: ["URL", i] with the href in entry i, revived by a custom reviver.
            var target = ResolveIndex(argument);
            if (target >= 0 && _state[target] == InProgress)
            {
                throw DevalueError("Invalid circular reference");
            }

            if (target >= 0)
            {
                _state[target] = _state[target] == Done ? Done : InProgress;
            }

            try
            {
                href = GetNatural(target) as string;
            }
            finally
            {
                if (target >= 0 && _state[target] == InProgress)
                {
                    _state[target] = NotStarted;
                }
            }
        }
        else
        {
            href = argument >= 0 && TokenKind(argument) == JsonTokenKind.String ? TokenString(argument) : null;
        }

        if (href is null || !UrlText.TryParse(href, out var uri))
        {
            throw Fail("Invalid URL", "The text is not valid devalue: a URL entry does not hold an absolute URL.");
        }

        return uri;
    }

    public string GetUrlSearchParamsText(int index)
    {
        var argument = ElementToken(index, 1);
        return argument >= 0 && TokenKind(argument) == JsonTokenKind.String ? TokenString(argument) : throw InvalidInput();
    }

    public int GetSparseLength(int index)
    {
        var lengthToken = ElementToken(index, 1);
        if (lengthToken < 0 || TokenKind(lengthToken) != JsonTokenKind.Number)
        {
            throw InvalidInput();
        }

        var length = ParseNumber(lengthToken);
        if (length < 0 || length > uint.MaxValue || length != Math.Floor(length))
        {
            throw InvalidInput();
        }

        if (length > Options.MaxArrayLength)
        {
            ChargeArrayLength((long)length);
        }

        return (int)length;
    }

    /// <summary>The populated slots of a sparse array <c>[-7,length,i,v,…]</c>.</summary>
    public IEnumerable<(int Position, int Reference)> EnumerateSparse(int index, int length)
    {
        var count = ElementCount(index);
        var current = ElementToken(index, 2);
        for (var i = 2; i < count; i += 2)
        {
            if (TokenKind(current) != JsonTokenKind.Number)
            {
                throw InvalidInput();
            }

            var position = ParseNumber(current);
            if (position < 0 || position >= length || position != Math.Floor(position) || i + 1 >= count)
            {
                throw InvalidInput();
            }

            current = NextToken(current);
            yield return ((int)position, ResolveIndex(current));
            current = NextToken(current);
        }
    }

    private int ReadSmallInteger(int tokenIndex)
    {
        if (TokenKind(tokenIndex) != JsonTokenKind.Number)
        {
            throw InvalidData();
        }

        var value = ParseNumber(tokenIndex);
        return value >= 0 && value <= int.MaxValue && value == Math.Floor(value)
            ? (int)value
            : throw Fail("Invalid typed array length", "The text is not valid devalue: a typed array's offset or length is out of range.");
    }

    private static double TimeClip(double milliseconds) =>
        double.IsNaN(milliseconds) || Math.Abs(milliseconds) > JsDate.MaxMilliseconds ? double.NaN : Math.Truncate(milliseconds) + 0d;

    private static DevalueException InvalidData() => DevalueError("Invalid data");

    private static DevalueException TypeErrorReadingZero() =>
        Fail("Cannot read properties of undefined (reading '0')", "The text is not valid devalue: a typed array's buffer index does not point at an entry.");

    private DevalueException UnknownType(int index)
    {
        var tag = Tag(_entries[index] + 1);
        return tag.StartsWith("Temporal.", StringComparison.Ordinal)
            ? Fail($"Unsupported type {tag}", $"The text holds a {tag}, which Tote.Devalue does not support yet: store an ISO string instead.")
            : DevalueError($"Unknown type {tag}");
    }
}
