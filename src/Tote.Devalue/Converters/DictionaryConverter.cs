namespace Tote.Devalue;

/// <summary>
/// Dictionaries: string keys write a plain object (in JavaScript's property order), other keys a
/// <c>Map</c>. Reads accept an object, a null-prototype object or a Map.
/// </summary>
internal sealed class DictionaryConverter<TDictionary, TKey, TValue>(TypeCache cache) : DevalueConverter<TDictionary?>
    where TKey : notnull
{
    private static readonly bool StringKeys = typeof(TKey) == typeof(string);
    private readonly Func<int, IDictionary<TKey, TValue>>? _create = typeof(TDictionary).IsAssignableFrom(typeof(Dictionary<TKey, TValue>))
        ? static capacity => new Dictionary<TKey, TValue>(capacity)
        : CollectionFactory.Concrete<TDictionary, IDictionary<TKey, TValue>>();

    private DevalueConverter<TKey>? _key;
    private DevalueConverter<TValue>? _value;

    private DevalueConverter<TKey> KeyConverter => _key ??= cache.GetConverter<TKey>();

    private DevalueConverter<TValue> ValueConverter => _value ??= cache.GetConverter<TValue>();

    public override int Write(DevalueWriter writer, TDictionary? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        if (writer.TryReuse(value, out var index))
        {
            return index;
        }

        var pairs = (IEnumerable<KeyValuePair<TKey, TValue>>)value;
        writer.EnterContainer();
        if (StringKeys)
        {
            WriteObject(writer, index, pairs);
        }
        else
        {
            WriteMap(writer, index, pairs);
        }

        writer.ExitContainer();
        return index;
    }

    public override TDictionary? Read(DevalueReader reader, int reference)
    {
        if (IsNullish(reader, reference))
        {
            return default;
        }

        if (reader.TryGetTyped<TDictionary>(reference, out var existing))
        {
            return existing;
        }

        var node = reader.GetNode(reference);
        if (_create is null || node is not (DevalueNode.Object or DevalueNode.NullPrototypeObject or DevalueNode.Map)
            || (!StringKeys && node != DevalueNode.Map))
        {
            throw reader.Mismatch(reference, typeof(TDictionary), StringKeys ? null : "Dictionaries with non-string keys read from a Map.");
        }

        var count = reader.ElementCount(reference);
        var result = _create(node == DevalueNode.Object ? count : count / 2);
        reader.SetTyped(reference, result);
        reader.EnterContainer();
        if (node == DevalueNode.Map)
        {
            var token = reader.ElementToken(reference, 1);
            for (var i = 1; i + 1 < count; i += 2)
            {
                var keyReference = reader.ResolveIndex(token);
                var key = KeyConverter.Read(reader, keyReference);
                if (key is null)
                {
                    throw DevalueReader.Fail(
                        "Null dictionary key",
                        $"A Map key is {reader.Describe(keyReference)}, which a {TypeNames.Describe(typeof(TDictionary))} cannot hold as a key. Read the Map as a DevalueMap instead.");
                }

                token = reader.NextToken(token);
                try
                {
                    result[key] = ValueConverter.Read(reader, reader.ResolveIndex(token));
                }
                catch (DevalueException ex) when (ex.AddPathStep(PathSegment.MapEntry(key)))
                {
                    throw;
                }
                token = reader.NextToken(token);
            }
        }
        else
        {
            var isObject = node == DevalueNode.Object;
            var token = isObject ? reader.ElementTokenOfObject(reference) : reader.ElementToken(reference, 1);
            var pairs = isObject ? count : (count - 1) / 2;
            for (var i = 0; i < pairs; i++)
            {
                if (reader.TokenKind(token) != JsonTokenKind.String)
                {
                    // Only a null-prototype object's keys can be other JSON: devalue refuses them too.
                    throw DevalueReader.DevalueError("Cannot parse an object with a non-string key");
                }

                var key = reader.TokenString(token);
                token = reader.NextToken(token);
                try
                {
                    result[(TKey)(object)key] = ValueConverter.Read(reader, reader.ResolveIndex(token));
                }
                catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Key(key)))
                {
                    throw;
                }
                token = reader.NextToken(token);
            }
        }

        reader.ExitContainer();
        return (TDictionary)result;
    }

    private void WriteObject(DevalueWriter writer, int index, IEnumerable<KeyValuePair<TKey, TValue>> pairs)
    {
        // Enumerate once to write the values, again to write the keys: both in the same order.
        IEnumerable<KeyValuePair<TKey, TValue>> ordered = pairs;
        foreach (var pair in pairs)
        {
            var key = (string)(object)pair.Key;
            if (key == "__proto__")
            {
                throw DevalueWriter.Fail("Cannot stringify objects with __proto__ keys", NaturalConverters.ProtoKey(typeof(TDictionary)));
            }

            if (JsPropertyOrder.IsArrayIndex(key))
            {
                var all = pairs.ToList();
                ordered = [.. all.Where(p => JsPropertyOrder.IsArrayIndex((string)(object)p.Key))
                    .OrderBy(p => ulong.Parse((string)(object)p.Key, System.Globalization.CultureInfo.InvariantCulture))
                    .Concat(all.Where(p => !JsPropertyOrder.IsArrayIndex((string)(object)p.Key)))];
                break;
            }
        }

        var mark = writer.StackMark;
        foreach (var pair in ordered)
        {
            try
            {
                writer.Push(ValueConverter.Write(writer, pair.Value));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Key((string)(object)pair.Key)))
            {
                throw;
            }
        }

        var children = writer.Children(mark);
        var start = writer.BeginEntry();
        writer.Append('{');
        var i = 0;
        foreach (var pair in ordered)
        {
            writer.AppendProperty(i == 0, (string)(object)pair.Key, children[i]);
            i++;
        }

        writer.Append('}');
        writer.EndEntry(index, start);
        writer.PopTo(mark);
    }

    private void WriteMap(DevalueWriter writer, int index, IEnumerable<KeyValuePair<TKey, TValue>> pairs)
    {
        var mark = writer.StackMark;
        foreach (var pair in pairs)
        {
            try
            {
                writer.Push(KeyConverter.Write(writer, pair.Key));
                writer.Push(ValueConverter.Write(writer, pair.Value));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.MapEntry(pair.Key)))
            {
                throw;
            }
        }

        writer.WriteTaggedEntry(index, "Map", mark);
    }
}
