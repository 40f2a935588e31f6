namespace Tote.Devalue;

/// <summary>
/// Devalue text parsed once and kept: values inside it can be read (typed or natural) by
/// reference as often as needed, and written into other devalue text as
/// <see cref="DevalueFragment"/>s without first becoming .NET objects. Tote's session core
/// keeps a loaded session record this way, so a request binds only the keys it reads and
/// writes the others back by copying their entries.
/// </summary>
/// <remarks>
/// Every read builds a fresh value graph: values returned by two reads never share objects,
/// so a caller may change what it got without affecting later reads. Not thread-safe.
/// </remarks>
internal sealed class DevalueDocument
{
    // Objects with more keys than this are looked up through an index, built on first use.
    private const int MaxScannedProperties = 16;

    private readonly DevalueOptions _options;
    private DevalueReader? _reader;
    private Dictionary<int, Dictionary<string, int>>? _propertyIndexes;

    private DevalueDocument(DevalueReader reader, string text, int root)
    {
        _reader = reader;
        _options = reader.Options;
        Text = text;
        Root = root;
    }

    /// <summary>The text the document was parsed from.</summary>
    public string Text { get; }

    /// <summary>The reference of the root value (an entry index, or a negative special value).</summary>
    public int Root { get; }

    public DevalueOptions Options => _options;

    // After Release the text is parsed again on first use: a released document stays correct,
    // it only costs a parse (a session used after its request ended, say).
    internal DevalueReader Reader => _reader ??= Load(_options, Text, out _);

    /// <summary>Tokenizes <paramref name="text"/>; entries are resolved only when read.</summary>
    /// <exception cref="DevalueException">The text is not devalue's JSON entry table, or breaks a limit.</exception>
    public static DevalueDocument Parse(string text, DevalueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = Load(options ?? DevalueOptions.Default, text, out var root);
        return new DevalueDocument(reader, text, root);
    }

    /// <summary>
    /// Checks everything reachable from the root, refusing exactly what an untyped read would
    /// refuse (without building the values), so that bad text is refused now rather than when a
    /// part of it is first read.
    /// </summary>
    /// <exception cref="DevalueException">The text is not valid devalue.</exception>
    public void Validate() => Reader.Validate(Root);

    /// <summary>
    /// The expanded length of the root value (see <see cref="DevalueExpansion"/>): every shared
    /// value counted at each reference. Linear in the text; at most <paramref name="cap"/> + 1.
    /// </summary>
    public long MeasureExpandedLength(long cap) => Reader.MeasureExpandedLength(Root, cap);

    /// <summary>
    /// Hands the parsed form's buffers back to the thread's reader, for the next document or read
    /// to reuse. Optional: a document never released is simply collected. The owner calls it when
    /// it is done with the document (Tote: when the request ends); not thread-safe with reads in progress.
    /// </summary>
    public void Release()
    {
        var reader = _reader;
        _reader = null;
        if (reader is not null)
        {
            DevalueReader.Return(reader);
        }
    }

    public DevalueNode GetNode(int reference) => Reader.GetNode(reference);

    private static DevalueReader Load(DevalueOptions options, string text, out int root)
    {
        var reader = DevalueReader.Rent(options, text.Length);
        try
        {
            root = reader.Load(text);
            return reader;
        }
        catch
        {
            DevalueReader.Return(reader);
            throw;
        }
    }

    /// <summary>The natural .NET value at <paramref name="reference"/>, as a fresh graph.</summary>
    public object? ReadNatural(int reference)
    {
        Reader.ResetResolved();
        return Reader.GetNatural(reference);
    }

    /// <summary>
    /// Starts one value graph shared by the following <see cref="ReadNaturalInGraph"/> calls, so
    /// that values the text shares between them stay shared.
    /// </summary>
    public void BeginGraph() => Reader.ResetResolved();

    /// <summary>The natural .NET value at <paramref name="reference"/>, in the graph <see cref="BeginGraph"/> started.</summary>
    public object? ReadNaturalInGraph(int reference) => Reader.GetNatural(reference);

    /// <summary>The value at <paramref name="reference"/> bound to <typeparamref name="T"/>, as a fresh graph.</summary>
    public T? Read<T>(int reference)
    {
        var reader = Reader;
        var converter = reader.Types.GetConverter<T>();
        reader.ResetResolved();
        return converter.Read(reader, reference);
    }

    /// <summary>The string at <paramref name="reference"/>, or <see langword="null"/> when it holds something else.</summary>
    public string? GetStringOrNull(int reference) =>
        Reader.GetNode(reference) == DevalueNode.String ? Reader.GetString(reference) : null;

    /// <summary>The number at <paramref name="reference"/>, or <see langword="null"/> when it holds something else.</summary>
    public double? GetNumberOrNull(int reference) =>
        Reader.GetNode(reference) == DevalueNode.Number ? Reader.GetNumber(reference) : null;

    /// <summary>The key and value references of a <c>Map</c> entry, in order; empty when it is not a Map.</summary>
    public MapEntries GetMapEntries(int reference) => new(Reader, reference);

    /// <summary>A <c>Map</c>'s key and value references, walked in place over the token table (no list is built).</summary>
    public readonly struct MapEntries(DevalueReader reader, int reference)
    {
        public Enumerator GetEnumerator() => new(reader, reference);

        /// <summary>Walks the Map's elements two at a time: key, then value.</summary>
        public struct Enumerator
        {
            private readonly DevalueReader _reader;
            private int _remaining;
            private int _token;

            internal Enumerator(DevalueReader reader, int reference)
            {
                _reader = reader;
                if (reader.GetNode(reference) == DevalueNode.Map)
                {
                    _remaining = (reader.ElementCount(reference) - 1) / 2;
                    _token = reader.ElementToken(reference, 1);
                }
            }

            public (int Key, int Value) Current { get; private set; }

            public bool MoveNext()
            {
                if (_remaining == 0)
                {
                    return false;
                }

                _remaining--;
                var key = _reader.ResolveIndex(_token);
                _token = _reader.NextToken(_token);
                Current = (key, _reader.ResolveIndex(_token));
                _token = _reader.NextToken(_token);
                return true;
            }
        }
    }

    /// <summary>
    /// The reference of property <paramref name="name"/> of a plain-object entry (the last one,
    /// when the text repeats a key, as JSON.parse does).
    /// </summary>
    public bool TryGetProperty(int reference, string name, out int value)
    {
        var reader = Reader;
        value = DevalueWriter.Undefined;
        if (reader.GetNode(reference) != DevalueNode.Object)
        {
            return false;
        }

        var count = reader.ElementCount(reference);
        if (count > MaxScannedProperties)
        {
            return TryGetIndexedProperty(reader, reference, name, out value);
        }

        var found = false;
        var token = reader.ElementTokenOfObject(reference);
        for (var i = 0; i < count; i++)
        {
            var raw = reader.TokenRawString(token, out var escaped);
            var valueToken = reader.NextToken(token);
            if (escaped ? reader.TokenString(token) == name : raw.SequenceEqual(name))
            {
                value = reader.ResolveIndex(valueToken);
                found = true;
            }

            token = reader.NextToken(valueToken);
        }

        return found;
    }

    /// <summary>
    /// <see cref="TryGetProperty"/> for a large object: its keys are indexed on the first lookup.
    /// Text may share one object between many places (every value of a Map, say), and scanning
    /// its keys again for each would multiply the keys by the places.
    /// </summary>
    private bool TryGetIndexedProperty(DevalueReader reader, int reference, string name, out int value)
    {
        _propertyIndexes ??= [];
        if (!_propertyIndexes.TryGetValue(reference, out var index))
        {
            var count = reader.ElementCount(reference);
            index = new Dictionary<string, int>(count, StringComparer.Ordinal);
            var token = reader.ElementTokenOfObject(reference);
            for (var i = 0; i < count; i++)
            {
                var valueToken = reader.NextToken(token);
                index[reader.TokenString(token)] = valueToken; // the last of repeated keys wins, as in JSON.parse
                token = reader.NextToken(valueToken);
            }

            _propertyIndexes[reference] = index;
        }

        if (index.TryGetValue(name, out var found))
        {
            value = reader.ResolveIndex(found);
            return true;
        }

        value = DevalueWriter.Undefined;
        return false;
    }
}
