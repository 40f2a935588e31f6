using System.Runtime.InteropServices;

namespace Tote.Devalue;

internal sealed class ArrayConverter<TElement>(TypeCache cache) : DevalueConverter<TElement[]?>
{
    private DevalueConverter<TElement>? _element;

    private DevalueConverter<TElement> Element => _element ??= cache.GetConverter<TElement>();

    public override int Write(DevalueWriter writer, TElement[]? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        return writer.TryReuse(value, out var index) ? index : SequenceWriting.WriteElements(writer, index, value, Element);
    }

    public override TElement[]? Read(DevalueReader reader, int reference)
    {
        if (IsNullish(reader, reference))
        {
            return null;
        }

        if (reader.TryGetTyped<TElement[]>(reference, out var existing))
        {
            return existing;
        }

        var length = SequenceReading.Length(reader, reference);
        if (length < 0)
        {
            throw reader.Mismatch(reference, typeof(TElement[]));
        }

        var result = new TElement[length];
        reader.SetTyped(reference, result);
        SequenceReading.ReadInto(reader, reference, length, Element, result, static (array, i, item) => array[i] = item);
        return result;
    }
}

/// <summary>Lists and other sequences: any <see cref="IEnumerable{T}"/> writes as an array; reads fill a new collection.</summary>
internal sealed class ListConverter<TCollection, TElement>(TypeCache cache) : DevalueConverter<TCollection?>
    where TCollection : IEnumerable<TElement>
{
    private readonly Func<int, ICollection<TElement>>? _create = CollectionFactory.ForCollection<TCollection, TElement>();
    private DevalueConverter<TElement>? _element;

    private DevalueConverter<TElement> Element => _element ??= cache.GetConverter<TElement>();

    public override int Write(DevalueWriter writer, TCollection? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        return writer.TryReuse(value, out var index) ? index : SequenceWriting.WriteElements(writer, index, value, Element);
    }

    public override TCollection? Read(DevalueReader reader, int reference)
    {
        if (IsNullish(reader, reference))
        {
            return default;
        }

        if (reader.TryGetTyped<TCollection>(reference, out var existing))
        {
            return existing;
        }

        var length = SequenceReading.Length(reader, reference);
        if (length < 0 || _create is null)
        {
            throw reader.Mismatch(reference, typeof(TCollection), _create is null ? "The collection type has no way to be created; use List<T> or an array." : null);
        }

        var collection = _create(length);
        reader.SetTyped(reference, collection);
        if (collection is List<TElement> list)
        {
            // Holes read as default values, so the list has every slot.
            CollectionsMarshal.SetCount(list, length);
            SequenceReading.ReadInto(reader, reference, length, Element, list, static (l, i, item) => l[i] = item);
        }
        else
        {
            var slots = new TElement[length];
            SequenceReading.ReadInto(reader, reference, length, Element, slots, static (array, i, item) => array[i] = item);
            foreach (var item in slots)
            {
                collection.Add(item);
            }
        }

        return (TCollection)collection;
    }
}

/// <summary>Sets: any <see cref="ISet{T}"/> writes as a JavaScript <c>Set</c>; reads accept a Set or an array.</summary>
internal sealed class SetConverter<TSet, TElement>(TypeCache cache) : DevalueConverter<TSet?>
    where TSet : IEnumerable<TElement>
{
    private readonly Func<int, ICollection<TElement>>? _create = CollectionFactory.ForSet<TSet, TElement>();
    private DevalueConverter<TElement>? _element;

    private DevalueConverter<TElement> Element => _element ??= cache.GetConverter<TElement>();

    public override int Write(DevalueWriter writer, TSet? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        if (writer.TryReuse(value, out var index))
        {
            return index;
        }

        writer.EnterContainer();
        var mark = writer.StackMark;
        try
        {
            if (value is HashSet<TElement> hashSet)
            {
                // The concrete type's struct enumerator: no allocation, no interface calls.
                foreach (var item in hashSet)
                {
                    writer.Push(Element.Write(writer, item));
                }
            }
            else
            {
                foreach (var item in value)
                {
                    writer.Push(Element.Write(writer, item));
                }
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

    public override TSet? Read(DevalueReader reader, int reference)
    {
        if (IsNullish(reader, reference))
        {
            return default;
        }

        if (reader.TryGetTyped<TSet>(reference, out var existing))
        {
            return existing;
        }

        var length = SequenceReading.Length(reader, reference);
        if (length < 0 || _create is null)
        {
            throw reader.Mismatch(reference, typeof(TSet));
        }

        var set = _create(length);
        reader.SetTyped(reference, set);
        SequenceReading.ReadInto(reader, reference, length, Element, set, static (s, _, item) => s.Add(item));
        return (TSet)set;
    }
}
