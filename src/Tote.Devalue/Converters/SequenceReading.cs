namespace Tote.Devalue;

/// <summary>Reads arrays (dense or sparse) and sets element by element for typed collections.</summary>
internal static class SequenceReading
{
    /// <summary>The number of slots the sequence at <paramref name="reference"/> has, or -1 when it is not a sequence.</summary>
    public static int Length(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.Array => reader.ElementCount(reference),
        DevalueNode.Set => reader.ElementCount(reference) - 1,
        DevalueNode.SparseArray => reader.GetSparseLength(reference),
        _ => -1,
    };

    /// <summary>Reads every slot into <paramref name="assign"/>; holes are left alone.</summary>
    public static void ReadInto<TElement, TState>(
        DevalueReader reader, int reference, int length, DevalueConverter<TElement> converter, TState state, Action<TState, int, TElement> assign)
    {
        reader.ChargeArrayLength(length);
        reader.EnterContainer();
        switch (reader.GetNode(reference))
        {
            case DevalueNode.SparseArray:
                foreach (var (position, element) in reader.EnumerateSparse(reference, length))
                {
                    try
                    {
                        assign(state, position, converter.Read(reader, element));
                    }
                    catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(position)))
                    {
                        throw;
                    }
                }

                break;
            default:
                var isSet = reader.GetNode(reference) == DevalueNode.Set;
                var token = reader.ElementToken(reference, isSet ? 1 : 0);

                // One protected region around the loop, not one per element, keeps the loop body
                // tight; the index is still known for the error's path.
                var i = 0;
                try
                {
                    for (; i < length; i++)
                    {
                        if (isSet || !reader.IsInteger(token, DevalueWriter.Hole))
                        {
                            assign(state, i, converter.Read(reader, reader.ResolveIndex(token)));
                        }

                        token = reader.NextToken(token);
                    }
                }
                catch (DevalueException ex) when (ex.AddPathStep(PathSegment.Index(i)))
                {
                    throw;
                }

                break;
        }

        reader.ExitContainer();
    }
}
