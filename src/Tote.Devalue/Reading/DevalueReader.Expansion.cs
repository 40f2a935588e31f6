using System.Buffers;

namespace Tote.Devalue;

/// <content>
/// Measuring what a value expands to: devalue writes a value shared by many places once, but a
/// reader that writes the value out again (as JSON, HTML, or a list per reference) writes it at
/// every place, so a short text can stand for a huge value.
/// </content>
internal sealed partial class DevalueReader
{
    /// <summary>What one hole of a sparse array (<c>[-7,length,…]</c>) counts: the <c>-2,</c> a dense array spends on it.</summary>
    public const int HoleLength = 3;

    private const long BeingMeasured = -1;

    /// <summary>
    /// The expanded length of <paramref name="root"/>: the length of its entry's own text plus the
    /// expanded length of every value it references, counted once per reference. Each entry is
    /// measured once (a shared value is a DAG node, not a subtree), so this is linear in the text
    /// however deep the sharing; a sparse array counts <see cref="HoleLength"/> per declared slot;
    /// a reference back to an entry being measured (a cycle) costs only its reference, as a read
    /// that keeps shared references builds a cycle once. Stops early, answering
    /// <paramref name="cap"/> + 1, as soon as the length passes <paramref name="cap"/>.
    /// </summary>
    /// <remarks>Malformed references (out of range, not numbers) count nothing here; validation refuses them.</remarks>
    public long MeasureExpandedLength(int root, long cap)
    {
        if (root < 0 || root >= _entryCount)
        {
            return 0;
        }

        var over = cap == long.MaxValue ? cap : cap + 1;
        var measured = ArrayPool<long>.Shared.Rent(_entryCount);
        var references = ArrayPool<int>.Shared.Rent(64);
        var frames = ArrayPool<Frame>.Shared.Rent(16);
        Array.Clear(measured, 0, _entryCount);
        try
        {
            var referenceTop = 0;
            var frameTop = 0;
            Enter(root, ref references, ref referenceTop, ref frames, ref frameTop, measured, over);
            while (frameTop > 0)
            {
                ref var frame = ref frames[frameTop - 1];
                if (frame.Sum >= over)
                {
                    return over;
                }

                if (frame.Next < frame.End)
                {
                    var child = references[frame.Next++];
                    var known = measured[child];
                    if (known > 0)
                    {
                        frame.Sum = SaturatingAdd(frame.Sum, known, over);
                    }
                    else if (known == 0)
                    {
                        Enter(child, ref references, ref referenceTop, ref frames, ref frameTop, measured, over);
                    }

                    continue;
                }

                var done = frame;
                measured[done.Entry] = Math.Max(1, done.Sum);
                referenceTop = done.Start;
                frameTop--;
                if (frameTop == 0)
                {
                    return done.Sum;
                }

                ref var parent = ref frames[frameTop - 1];
                parent.Sum = SaturatingAdd(parent.Sum, done.Sum, over);
            }

            return 0;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(measured);
            ArrayPool<int>.Shared.Return(references);
            ArrayPool<Frame>.Shared.Return(frames);
        }
    }

    /// <summary>Starts measuring <paramref name="entry"/>: its own length, and its references pushed for the loop to visit.</summary>
    private void Enter(int entry, ref int[] references, ref int referenceTop, ref Frame[] frames, ref int frameTop, long[] measured, long over)
    {
        measured[entry] = BeingMeasured;
        var start = referenceTop;
        var own = OwnLengthAndReferences(entry, ref references, ref referenceTop, over);
        if (frameTop == frames.Length)
        {
            var larger = ArrayPool<Frame>.Shared.Rent(frames.Length * 2);
            frames.AsSpan(0, frameTop).CopyTo(larger);
            ArrayPool<Frame>.Shared.Return(frames);
            frames = larger;
        }

        frames[frameTop++] = new Frame { Entry = entry, Start = start, Next = start, End = referenceTop, Sum = own };
    }

    private long OwnLengthAndReferences(int entry, ref int[] references, ref int referenceTop, long over)
    {
        var tokenIndex = _entries[entry];
        ref var token = ref _tokens[tokenIndex];
        switch (token.Kind)
        {
            case JsonTokenKind.String or JsonTokenKind.Number:
                return token.Length;
            case JsonTokenKind.True or JsonTokenKind.Null:
                return 4;
            case JsonTokenKind.False:
                return 5;
            case JsonTokenKind.Object:
                return ObjectLengthAndReferences(tokenIndex, ref references, ref referenceTop);
            case JsonTokenKind.Array:
                break;
            default:
                return 1;
        }

        // Which elements are references depends on the tag; the rest are literals (a Date's text, a tag).
        var node = GetNode(entry);
        var (first, step) = node switch
        {
            DevalueNode.Array => (0, 1),
            DevalueNode.Set or DevalueNode.Map or DevalueNode.Boxed or DevalueNode.Url or DevalueNode.TypedArray => (1, 1),
            DevalueNode.NullPrototypeObject => (2, 2),
            DevalueNode.SparseArray => (3, 2),
            _ => (-1, 1),
        };
        var last = node is DevalueNode.Boxed or DevalueNode.Url or DevalueNode.TypedArray ? 1 : int.MaxValue;

        long own = 1 + Math.Max(1, token.Count); // the brackets and the commas
        var current = tokenIndex + 1;
        for (var i = 0; i < token.Count; i++)
        {
            ref var element = ref _tokens[current];
            own += element.Length;
            if (first >= 0 && i >= first && i <= last && (i - first) % step == 0 && TryReference(current, out var target))
            {
                Push(ref references, ref referenceTop, target);
            }

            current = element.Next;
        }

        if (node == DevalueNode.SparseArray && token.Count >= 2)
        {
            own = SaturatingAdd(own, HoleLength * SparseLength(tokenIndex + 1), over);
        }

        return own;
    }

    private long ObjectLengthAndReferences(int tokenIndex, ref int[] references, ref int referenceTop)
    {
        var count = _tokens[tokenIndex].Count;
        long own = 1 + Math.Max(1, count);
        var current = tokenIndex + 1;
        for (var i = 0; i < count; i++)
        {
            ref var key = ref _tokens[current];
            var valueToken = key.Next;
            own += key.Length + 1 + _tokens[valueToken].Length;
            if (TryReference(valueToken, out var target))
            {
                Push(ref references, ref referenceTop, target);
            }

            current = _tokens[valueToken].Next;
        }

        return own;
    }

    /// <summary>The declared length of a sparse array whose <c>-7</c> is at <paramref name="tagToken"/>; 0 when it is not a length.</summary>
    private long SparseLength(int tagToken)
    {
        var lengthToken = _tokens[tagToken].Next;
        if (_tokens[lengthToken].Kind != JsonTokenKind.Number)
        {
            return 0;
        }

        var length = ParseNumber(lengthToken);
        return length > 0 && length <= uint.MaxValue ? (long)length : 0;
    }

    /// <summary>The entry a number token refers to, as <see cref="ResolveIndex"/> reads it, without throwing.</summary>
    private bool TryReference(int tokenIndex, out int target)
    {
        ref var token = ref _tokens[tokenIndex];
        target = -1;
        if (token.Kind != JsonTokenKind.Number)
        {
            return false;
        }

        if (token.IsSmallInteger)
        {
            target = token.Integer;
        }
        else
        {
            var value = JsNumber.Parse(_text.AsSpan(token.Start, token.Length));
            if (value == Math.Floor(value) && value >= 0 && value < _entryCount)
            {
                target = (int)value;
            }
        }

        return target >= 0 && target < _entryCount;
    }

    // Both terms are at most `over`, which may be long.MaxValue: compare before adding.
    private static long SaturatingAdd(long sum, long addend, long over) => sum >= over - addend ? over : sum + addend;

    private static void Push(ref int[] references, ref int top, int value)
    {
        if (top == references.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(references.Length * 2);
            references.AsSpan(0, top).CopyTo(larger);
            ArrayPool<int>.Shared.Return(references);
            references = larger;
        }

        references[top++] = value;
    }

    /// <summary>One entry being measured: its references are <c>[Start, End)</c> of the reference stack.</summary>
    private struct Frame
    {
        public int Entry;
        public int Start;
        public int Next;
        public int End;
        public long Sum;
    }
}
