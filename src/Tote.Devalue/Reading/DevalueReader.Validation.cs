using System.Buffers;

namespace Tote.Devalue;

/// <summary>Checking text as an untyped read would, without building the value.</summary>
internal sealed partial class DevalueReader
{
    // While validating, BigInt entries are checked but not converted (a zero stands in): a key
    // the application never reads must not cost the conversion of its digits on every load.
    private bool _checkingOnly;

    /// <summary>
    /// Throws the <see cref="DevalueException"/> an untyped read of <paramref name="root"/> would
    /// throw, if any. Objects, arrays, Sets, Maps and primitives, which make up nearly every
    /// session, are walked without allocating, in the order and at the depth the untyped read
    /// visits them; every other node is checked by reading it (a BigInt without converting its
    /// digits); and a null-prototype object or a
    /// sparse array, whose members the walk would meet at another depth than the read, sends
    /// the whole text through the untyped read instead.
    /// </summary>
    public void Validate(int root)
    {
        var visited = ArrayPool<bool>.Shared.Rent(Math.Max(1, _entryCount));
        Array.Clear(visited, 0, _entryCount);
        try
        {
            ResetResolved();
            _checkingOnly = true;
            if (!TryWalk(root, visited))
            {
                ResetResolved();
                GetNatural(root);
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(visited);
            _checkingOnly = false;
            ResetResolved();
        }
    }

    /// <summary>Walks one reference; false when the text must be read instead.</summary>
    private bool TryWalk(int reference, bool[] visited)
    {
        if (reference < 0 || visited[reference])
        {
            return true;
        }

        visited[reference] = true;
        EnterContainer();
        try
        {
            var tokenIndex = _entries[reference];
            switch (_tokens[tokenIndex].Kind)
            {
                case JsonTokenKind.String or JsonTokenKind.Number or JsonTokenKind.True or JsonTokenKind.False or JsonTokenKind.Null:
                    return true;
                case JsonTokenKind.Object:
                    return TryWalkObject(tokenIndex, visited);
            }

            switch (GetNode(reference))
            {
                case DevalueNode.Array:
                    return TryWalkArray(tokenIndex, visited);
                case DevalueNode.Set:
                    return TryWalkMembers(reference, visited, pairs: false);
                case DevalueNode.Map:
                    return TryWalkMembers(reference, visited, pairs: true);
                case DevalueNode.NullPrototypeObject or DevalueNode.SparseArray:
                    return false;
                default:
                    // Leaves and boxes: reading them is the check (an unknown tag throws here).
                    ExitContainer();
                    try
                    {
                        GetNatural(reference);
                    }
                    finally
                    {
                        EnterContainer();
                    }

                    return true;
            }
        }
        finally
        {
            ExitContainer();
        }
    }

    private bool TryWalkObject(int tokenIndex, bool[] visited)
    {
        var count = _tokens[tokenIndex].Count;
        var current = tokenIndex + 1;
        for (var i = 0; i < count; i++)
        {
            var key = TokenRawString(current, out var escaped);
            if (escaped ? TokenString(current) == "__proto__" : key.SequenceEqual("__proto__"))
            {
                throw DevalueError("Cannot parse an object with a `__proto__` property");
            }

            var valueToken = _tokens[current].Next;
            if (!TryWalk(ResolveIndex(valueToken), visited))
            {
                return false;
            }

            current = _tokens[valueToken].Next;
        }

        return true;
    }

    private bool TryWalkArray(int tokenIndex, bool[] visited)
    {
        var count = _tokens[tokenIndex].Count;
        ChargeArrayLength(count);
        var current = tokenIndex + 1;
        for (var i = 0; i < count; i++)
        {
            if (!IsInteger(current, DevalueWriter.Hole) && !TryWalk(ResolveIndex(current), visited))
            {
                return false;
            }

            current = _tokens[current].Next;
        }

        return true;
    }

    private bool TryWalkMembers(int reference, bool[] visited, bool pairs)
    {
        var count = ElementCount(reference) - 1;
        var current = count > 0 ? NextToken(_entries[reference] + 1) : -1;
        for (var i = 0; i < count; i++)
        {
            if (!TryWalk(ResolveIndex(current), visited))
            {
                return false;
            }

            if (pairs && i % 2 == 0 && i + 1 >= count)
            {
                throw InvalidInput(); // a Map key without its value
            }

            current = NextToken(current);
        }

        return true;
    }
}
