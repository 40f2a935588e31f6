using System.Runtime.InteropServices;

namespace Tote.Devalue;

/// <summary>Writes arrays as devalue does, choosing between hole (<c>-2</c>) and sparse (<c>-7</c>) encodings.</summary>
internal static class SequenceWriting
{
    public static int WriteElements<TElement>(DevalueWriter writer, int index, IEnumerable<TElement> items, DevalueConverter<TElement> converter)
    {
        writer.EnterContainer();
        var mark = writer.StackMark;
        var holes = 0;

        // Lists and arrays are walked as spans: no enumerator, no interface calls.
        if (items is List<TElement> list)
        {
            holes = WriteSpan(writer, CollectionsMarshal.AsSpan(list), converter);
        }
        else if (items is TElement[] array)
        {
            holes = WriteSpan(writer, array, converter);
        }
        else
        {
            var position = 0;
            foreach (var item in items)
            {
                holes += WriteElement(writer, position++, item, converter);
            }
        }

        WriteArrayEntry(writer, index, writer.Children(mark), holes);
        writer.PopTo(mark);
        writer.ExitContainer();
        return index;
    }

    private static int WriteSpan<TElement>(DevalueWriter writer, ReadOnlySpan<TElement> items, DevalueConverter<TElement> converter)
    {
        // One protected region around the whole loop, not one per element, keeps the loop body
        // small enough for the JIT to inline the push; the index is still known for the path.
        var holes = 0;
        var i = 0;
        try
        {
            for (; i < items.Length; i++)
            {
                var child = converter.Write(writer, items[i]);
                writer.Push(child);
                if (child == DevalueWriter.Hole)
                {
                    holes++;
                }
            }
        }
        catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(i)))
        {
            throw;
        }

        return holes;
    }

    /// <summary>Writes one element and pushes its index; returns 1 for a hole.</summary>
    private static int WriteElement<TElement>(DevalueWriter writer, int position, TElement item, DevalueConverter<TElement> converter)
    {
        int child;
        try
        {
            child = converter.Write(writer, item);
        }
        catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(position)))
        {
            throw;
        }

        writer.Push(child);
        return child == DevalueWriter.Hole ? 1 : 0;
    }

    public static void WriteArrayEntry(DevalueWriter writer, int index, ReadOnlySpan<int> children, int holes)
    {
        var start = writer.BeginEntry();
        var length = children.Length;
        var population = length - holes;
        var digits = length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

        // devalue's rule: sparse when listing the populated slots is shorter than writing every hole.
        if (holes > 0 && holes * 3 > 4 + digits + (population * (digits + 1)))
        {
            writer.Append("[-7,");
            writer.AppendInt(length);
            writer.NoteHoles(length);
            for (var i = 0; i < length; i++)
            {
                if (children[i] != DevalueWriter.Hole)
                {
                    writer.Append(',');
                    writer.AppendInt(i);
                    writer.Append(',');
                    writer.AppendInt(children[i]);
                }
            }

            writer.Append(']');
        }
        else
        {
            writer.AppendChildList(children, '[', ']');
        }

        writer.EndEntry(index, start);
    }
}
