namespace Tote.Devalue;

/// <summary>
/// Writes a <see cref="DevalueFragment"/> by copying its entries from the document's token table
/// into the writer's, renumbering references: what writing the hydrated natural value would do,
/// without building that value. Indexes are taken in the same pre-order and primitives go
/// through the writer's own de-duplication, so the text is byte for byte the same; entries
/// whose natural value would be normalized on the way (see <see cref="DevalueFragment"/>)
/// refuse the copy: the write is abandoned, for the caller to write natural values instead.
/// </summary>
internal readonly struct FragmentCopier
{
    // Slots hold the new reference plus this offset, so that 0 means "not copied yet" and the
    // negative special values (down to -7) still fit.
    private const int SlotOffset = 8;
    private const int PairwiseLimit = 16;

    // What Copy returns once an entry refuses to be copied; every caller passes it straight up.
    private const int Refused = int.MinValue;

    private readonly DevalueWriter _writer;
    private readonly DevalueReader _reader;
    private readonly DevalueConverter<object?> _objects;
    private readonly int[] _copied;

    private FragmentCopier(DevalueWriter writer, DevalueReader reader)
    {
        _writer = writer;
        _reader = reader;
        _objects = writer.Types.GetConverter<object?>();
        _copied = writer.GetFragmentMap(reader);
    }

    /// <summary>
    /// Copies the fragment into <paramref name="writer"/>; <see langword="false"/> when an entry
    /// needs the natural value's normalization (what it wrote so far is then of no use).
    /// </summary>
    public static bool TryWrite(DevalueWriter writer, DevalueFragment fragment, out int reference)
    {
        // Options decide how natural leaves (URLs) are written; a copy under other options would not match.
        reference = ReferenceEquals(fragment.Document.Options, writer.Options)
            ? new FragmentCopier(writer, fragment.Document.Reader).Copy(fragment.Reference)
            : Refused;
        if (reference != Refused)
        {
            return true;
        }

        reference = DevalueWriter.Undefined;
        return false;
    }

    private int Copy(int reference)
    {
        if (reference < 0)
        {
            return reference; // undefined, NaN, ±Infinity and -0 write as themselves
        }

        ref var slot = ref _copied[reference];
        if (slot != 0)
        {
            var repeated = slot - SlotOffset;
            _writer.NoteRepeat(repeated, container: _reader.GetNode(reference) is not (DevalueNode.String or DevalueNode.Number or DevalueNode.Boolean or DevalueNode.Null));
            return repeated;
        }

        var copied = _reader.GetNode(reference) switch
        {
            DevalueNode.String => _writer.WriteString(_reader.GetString(reference)),
            DevalueNode.Number => _writer.WriteNumber(_reader.GetNumber(reference)),
            DevalueNode.Boolean => _writer.WriteBoolean(_reader.GetBoolean(reference)),
            DevalueNode.Null => _writer.WriteNull(),
            DevalueNode.Object => CopyObject(reference, ref slot),
            DevalueNode.Array => CopyArray(reference, ref slot),
            DevalueNode.Set => CopyTagged(reference, ref slot, "Set", pairs: false),
            DevalueNode.Map => CopyTagged(reference, ref slot, "Map", pairs: true),

            // A BigInt written as devalue writes it is copied as text: converting its digits to a
            // number and back would cost more than linear time for a value the caller never read.
            DevalueNode.BigInt when _reader.TryGetCanonicalBigIntDigits(reference, out var digits) => _writer.WriteBigIntegerDigits(digits),

            // Leaves: nothing inside them is shared, so writing their natural value is exact.
            DevalueNode.Date or DevalueNode.RegExp or DevalueNode.BigInt or DevalueNode.Url
                or DevalueNode.UrlSearchParams or DevalueNode.ArrayBuffer => _objects.Write(_writer, _reader.GetNatural(reference)),

            // Sparse arrays, boxes, null-prototype objects and typed arrays are rare in sessions;
            // their natural values take the general path.
            _ => Refused,
        };
        if (copied != Refused)
        {
            slot = copied + SlotOffset;
        }

        return copied;
    }

    /// <summary>Takes the container's index before its members', as devalue does (pre-order), and records it first, so cycles find it.</summary>
    private (int Index, int Mark) BeginContainer(ref int slot)
    {
        var index = _writer.Reserve();
        slot = index + SlotOffset;
        _writer.EnterContainer();
        return (index, _writer.StackMark);
    }

    private int CopyObject(int reference, ref int slot)
    {
        var count = _reader.ElementCount(reference);
        var first = _reader.ElementTokenOfObject(reference);
        if (!KeysKeepTextOrder(first, count))
        {
            return Refused;
        }

        var (index, mark) = BeginContainer(ref slot);
        var token = first;
        for (var i = 0; i < count; i++)
        {
            var valueToken = _reader.NextToken(token);
            if (!TryPush(_reader.ResolveIndex(valueToken)))
            {
                return Refused;
            }

            token = _reader.NextToken(valueToken);
        }

        var children = _writer.Children(mark);
        var start = _writer.BeginEntry();
        _writer.Append('{');
        token = first;
        for (var i = 0; i < count; i++)
        {
            var raw = _reader.TokenRawString(token, out var escaped);
            _writer.AppendProperty(i == 0, escaped ? _reader.TokenString(token) : raw, children[i]);
            token = _reader.NextToken(_reader.NextToken(token));
        }

        _writer.Append('}');
        _writer.EndEntry(index, start);
        _writer.PopTo(mark);
        _writer.ExitContainer();
        return index;
    }

    /// <summary>Copies one member and pushes its reference; <see langword="false"/> when it refuses.</summary>
    private bool TryPush(int reference)
    {
        var copied = Copy(reference);
        _writer.Push(copied);
        return copied != Refused;
    }

    /// <summary>
    /// Whether a natural object keeps these keys in text order: not with array-index keys
    /// (JavaScript lists them first), repeated keys (the last one wins) or <c>__proto__</c>.
    /// </summary>
    private bool KeysKeepTextOrder(int first, int count)
    {
        var token = first;
        var anyEscaped = false;
        for (var i = 0; i < count; i++)
        {
            var raw = _reader.TokenRawString(token, out var escaped);
            anyEscaped |= escaped;
            if (escaped || (raw.Length > 0 && char.IsAsciiDigit(raw[0])) || raw.SequenceEqual("__proto__"))
            {
                var key = escaped ? _reader.TokenString(token) : raw.ToString();
                if (key == "__proto__" || JsPropertyOrder.IsArrayIndex(key))
                {
                    return false;
                }
            }

            token = _reader.NextToken(_reader.NextToken(token));
        }

        if (count < 2)
        {
            return true;
        }

        if (count <= PairwiseLimit && !anyEscaped)
        {
            var outer = first;
            for (var i = 0; i < count; i++)
            {
                var key = _reader.TokenRawString(outer, out _);
                var inner = _reader.NextToken(_reader.NextToken(outer));
                for (var j = i + 1; j < count; j++)
                {
                    if (key.SequenceEqual(_reader.TokenRawString(inner, out _)))
                    {
                        return false;
                    }

                    inner = _reader.NextToken(_reader.NextToken(inner));
                }

                outer = _reader.NextToken(_reader.NextToken(outer));
            }

            return true;
        }

        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        token = first;
        for (var i = 0; i < count; i++)
        {
            if (!seen.Add(_reader.TokenString(token)))
            {
                return false;
            }

            token = _reader.NextToken(_reader.NextToken(token));
        }

        return true;
    }

    private int CopyArray(int reference, ref int slot)
    {
        var (index, mark) = BeginContainer(ref slot);
        var count = _reader.ElementCount(reference);
        var holes = 0;
        var token = count > 0 ? _reader.ElementToken(reference, 0) : -1;
        for (var i = 0; i < count; i++)
        {
            if (_reader.IsInteger(token, DevalueWriter.Hole))
            {
                _writer.Push(DevalueWriter.Hole);
                holes++;
            }
            else if (!TryPush(_reader.ResolveIndex(token)))
            {
                return Refused;
            }

            token = _reader.NextToken(token);
        }

        SequenceWriting.WriteArrayEntry(_writer, index, _writer.Children(mark), holes);
        _writer.PopTo(mark);
        _writer.ExitContainer();
        return index;
    }

    private int CopyTagged(int reference, ref int slot, string tag, bool pairs)
    {
        var (index, mark) = BeginContainer(ref slot);
        var count = _reader.ElementCount(reference) - 1;
        if (pairs && count % 2 != 0)
        {
            throw DevalueReader.InvalidInput();
        }

        var token = count > 0 ? _reader.ElementToken(reference, 1) : -1;
        for (var i = 0; i < count; i++)
        {
            if (!TryPush(_reader.ResolveIndex(token)))
            {
                return Refused;
            }

            token = _reader.NextToken(token);
        }

        if (!MembersDistinct(_writer.Children(mark), pairs ? 2 : 1))
        {
            return Refused;
        }

        _writer.WriteTaggedEntry(index, tag, mark);
        _writer.ExitContainer();
        return index;
    }

    /// <summary>
    /// A Set's members and a Map's keys are distinct by SameValueZero in the natural value. After
    /// renumbering, equal primitives share one reference and one object has one reference, so
    /// equal references mean a repeat; -0 equals an entry 0, so it is refused outright.
    /// </summary>
    private static bool MembersDistinct(ReadOnlySpan<int> children, int stride)
    {
        var members = children.Length / stride;
        if (members <= PairwiseLimit)
        {
            for (var i = 0; i < children.Length; i += stride)
            {
                if (children[i] == DevalueWriter.NegativeZero)
                {
                    return false;
                }

                for (var j = i + stride; j < children.Length; j += stride)
                {
                    if (children[i] == children[j])
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        var seen = new HashSet<int>(members);
        for (var i = 0; i < children.Length; i += stride)
        {
            if (children[i] == DevalueWriter.NegativeZero || !seen.Add(children[i]))
            {
                return false;
            }
        }

        return true;
    }
}
