namespace Tote.Devalue;

/// <summary>Writes the natural types that stand for JavaScript-only values (Map, Set, RegExp, …).</summary>
internal static class NaturalConverters
{
    private static readonly HashSet<Type> NaturalTypes =
    [
        typeof(DevalueUndefined), typeof(DevalueHole), typeof(DevalueMap), typeof(DevalueSet), typeof(DevalueRegExp),
        typeof(DevalueBoxed), typeof(DevalueArrayBuffer), typeof(DevalueTypedArray), typeof(DevalueUrlSearchParams),
        typeof(DevalueDate), typeof(DevalueNullPrototypeObject),
    ];

    public static bool IsNatural(Type type) => NaturalTypes.Contains(type);

    /// <summary>The rest of the sentence about a dictionary of <paramref name="type"/> that has the key <c>__proto__</c>.</summary>
    public static string ProtoKey(Type type) =>
        $"is a {TypeNames.FullName(type)} with the key \"__proto__\", which JavaScript would take for the object's prototype. Use another key.";

    public static int Write(DevalueWriter writer, object value, ObjectConverter objects)
    {
        switch (value)
        {
            case DevalueUndefined:
                return DevalueWriter.Undefined;
            case DevalueHole:
                return DevalueWriter.Hole;
            case DevalueMap map:
                return WriteMap(writer, map, objects);
            case DevalueSet set:
                return WriteSet(writer, set, objects);
            case DevalueNullPrototypeObject obj:
                return WriteNullPrototypeObject(writer, obj, objects);
        }

        if (writer.TryReuse(value, out var index))
        {
            return index;
        }

        return value switch
        {
            DevalueRegExp regExp => WriteLeaf(writer, index, "RegExp", regExp.Source, regExp.Flags.Length == 0 ? null : regExp.Flags),
            DevalueUrlSearchParams search => WriteLeaf(writer, index, "URLSearchParams", search.Value, null),
            DevalueDate date => DateTimeOffsetConverter.WriteDate(writer, index, date.IsInvalid ? 0 : (long)date.EpochMilliseconds, date.IsInvalid),
            DevalueArrayBuffer buffer => WriteArrayBufferEntry(writer, index, buffer.Bytes),
            DevalueBoxed boxed => WriteBoxed(writer, index, boxed, objects),
            DevalueTypedArray view => WriteView(writer, index, view, objects),
            _ => throw new InvalidOperationException("Unreachable: not a natural type."),
        };
    }

    public static int WriteArrayBufferEntry(DevalueWriter writer, int index, byte[] bytes)
    {
        var start = writer.BeginEntry();
        writer.Append("[\"ArrayBuffer\",\"");
        writer.Append(Convert.ToBase64String(bytes));
        writer.Append("\"]");
        writer.EndEntry(index, start);
        return index;
    }

    private static int WriteMap(DevalueWriter writer, DevalueMap map, ObjectConverter objects)
    {
        if (writer.TryReuse(map, out var index))
        {
            return index;
        }

        writer.EnterContainer();
        var mark = writer.StackMark;
        foreach (var (key, value) in map)
        {
            try
            {
                writer.Push(objects.Write(writer, key));
                writer.Push(objects.Write(writer, value));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.MapEntry(key)))
            {
                throw;
            }
        }

        writer.WriteTaggedEntry(index, "Map", mark);
        writer.ExitContainer();
        return index;
    }

    private static int WriteSet(DevalueWriter writer, DevalueSet set, ObjectConverter objects)
    {
        if (writer.TryReuse(set, out var index))
        {
            return index;
        }

        writer.EnterContainer();
        var mark = writer.StackMark;
        try
        {
            foreach (var item in set)
            {
                writer.Push(objects.Write(writer, item));
            }
        }
        catch (DevalueException ex) when (ex.AddPathStep(PathSegment.SetItem))
        {
            throw;
        }

        writer.WriteTaggedEntry(index, "Set", mark);
        writer.ExitContainer();
        return index;
    }

    private static int WriteNullPrototypeObject(DevalueWriter writer, DevalueNullPrototypeObject obj, ObjectConverter objects)
    {
        if (writer.TryReuse(obj, out var index))
        {
            return index;
        }

        writer.EnterContainer();
        var keys = JsPropertyOrder.Order(obj.Keys).ToList();
        var mark = writer.StackMark;
        foreach (var key in keys)
        {
            if (key == "__proto__")
            {
                throw DevalueWriter.Fail("Cannot stringify objects with __proto__ keys", ProtoKey(obj.GetType()));
            }

            try
            {
                writer.Push(objects.Write(writer, obj[key]));
            }
            catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Key(key)))
            {
                throw;
            }
        }

        var children = writer.Children(mark);
        var start = writer.BeginEntry();
        writer.Append("[\"null\"");
        for (var i = 0; i < keys.Count; i++)
        {
            writer.Append(',');
            writer.AppendQuoted(keys[i]);
            writer.Append(',');
            writer.AppendInt(children[i]);
        }

        writer.Append(']');
        writer.EndEntry(index, start);
        writer.PopTo(mark);
        writer.ExitContainer();
        return index;
    }

    private static int WriteLeaf(DevalueWriter writer, int index, string tag, string text, string? flags)
    {
        var start = writer.BeginEntry();
        writer.Append("[\"");
        writer.Append(tag);
        writer.Append("\",");
        writer.AppendQuoted(text);
        if (flags is not null)
        {
            writer.Append(",\"");
            writer.Append(flags);
            writer.Append('"');
        }

        writer.Append(']');
        writer.EndEntry(index, start);
        return index;
    }

    private static int WriteBoxed(DevalueWriter writer, int index, DevalueBoxed boxed, ObjectConverter objects)
    {
        var mark = writer.StackMark;
        writer.Push(objects.Write(writer, boxed.Value));
        return writer.WriteTaggedEntry(index, "Object", mark);
    }

    private static int WriteView(DevalueWriter writer, int index, DevalueTypedArray view, ObjectConverter objects)
    {
        var bufferIndex = objects.Write(writer, view.Buffer);
        var start = writer.BeginEntry();
        writer.Append("[\"");
        writer.Append(view.Kind);
        writer.Append("\",");
        writer.AppendInt(bufferIndex);
        if (view.ByteLength != view.Buffer.Bytes.Length)
        {
            writer.Append(',');
            writer.AppendInt(view.ByteOffset);
            writer.Append(',');
            writer.AppendInt(view.Length);
        }

        writer.Append(']');
        writer.EndEntry(index, start);
        return index;
    }
}

/// <summary>A natural type as a declared type: written as itself, read through the untyped reader.</summary>
internal sealed class NaturalConverter<T>(TypeCache cache) : DevalueConverter<T?>
    where T : class
{
    private readonly ObjectConverter _objects = (ObjectConverter)cache.GetConverter<object?>();

    public override int Write(DevalueWriter writer, T? value) =>
        value is null ? writer.WriteNull() : NaturalConverters.Write(writer, value, _objects);

    public override T? Read(DevalueReader reader, int reference) => reader.GetNatural(reference) switch
    {
        T value => value,
        null => null,
        DevalueUndefined when typeof(T) != typeof(DevalueUndefined) => null,
        _ => throw reader.Mismatch(reference, typeof(T)),
    };
}
