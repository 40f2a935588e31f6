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
    private readonly DevalueReader _reader;

    private DevalueDocument(DevalueReader reader, string text, int root)
    {
        _reader = reader;
        Text = text;
        Root = root;
    }

    /// <summary>The text the document was parsed from.</summary>
    public string Text { get; }

    /// <summary>The reference of the root value (an entry index, or a negative special value).</summary>
    public int Root { get; }

    public DevalueOptions Options => _reader.Options;

    internal DevalueReader Reader => _reader;

    /// <summary>Tokenizes <paramref name="text"/>; entries are resolved only when read.</summary>
    /// <exception cref="DevalueException">The text is not devalue's JSON entry table, or breaks a limit.</exception>
    public static DevalueDocument Parse(string text, DevalueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = DevalueReader.CreateDetached(options ?? DevalueOptions.Default, text.Length);
        var root = reader.Load(text);
        return new DevalueDocument(reader, text, root);
    }

    /// <summary>
    /// Checks everything reachable from the root, refusing exactly what an untyped read would
    /// refuse (without building the values), so that bad text is refused now rather than when a
    /// part of it is first read.
    /// </summary>
    /// <exception cref="DevalueException">The text is not valid devalue.</exception>
    public void Validate() => _reader.Validate(Root);

    public DevalueNode GetNode(int reference) => _reader.GetNode(reference);

    /// <summary>The natural .NET value at <paramref name="reference"/>, as a fresh graph.</summary>
    public object? ReadNatural(int reference)
    {
        _reader.ResetResolved();
        return _reader.GetNatural(reference);
    }

    /// <summary>
    /// Starts one value graph shared by the following <see cref="ReadNaturalInGraph"/> calls, so
    /// that values the text shares between them stay shared.
    /// </summary>
    public void BeginGraph() => _reader.ResetResolved();

    /// <summary>The natural .NET value at <paramref name="reference"/>, in the graph <see cref="BeginGraph"/> started.</summary>
    public object? ReadNaturalInGraph(int reference) => _reader.GetNatural(reference);

    /// <summary>The value at <paramref name="reference"/> bound to <typeparamref name="T"/>, as a fresh graph.</summary>
    public T? Read<T>(int reference)
    {
        var converter = _reader.Types.GetConverter<T>();
        _reader.ResetResolved();
        return converter.Read(_reader, reference);
    }

    /// <summary>The string at <paramref name="reference"/>, or <see langword="null"/> when it holds something else.</summary>
    public string? GetStringOrNull(int reference) =>
        _reader.GetNode(reference) == DevalueNode.String ? _reader.GetString(reference) : null;

    /// <summary>The number at <paramref name="reference"/>, or <see langword="null"/> when it holds something else.</summary>
    public double? GetNumberOrNull(int reference) =>
        _reader.GetNode(reference) == DevalueNode.Number ? _reader.GetNumber(reference) : null;

    /// <summary>The key and value references of a <c>Map</c> entry, in order; empty when it is not a Map.</summary>
    public List<(int Key, int Value)> GetMapEntries(int reference)
    {
        var pairs = new List<(int Key, int Value)>();
        if (_reader.GetNode(reference) != DevalueNode.Map)
        {
            return pairs;
        }

        var count = _reader.ElementCount(reference) - 1;
        var token = _reader.ElementToken(reference, 1);
        for (var i = 0; i + 1 < count; i += 2)
        {
            var key = _reader.ResolveIndex(token);
            token = _reader.NextToken(token);
            pairs.Add((key, _reader.ResolveIndex(token)));
            token = _reader.NextToken(token);
        }

        return pairs;
    }

    /// <summary>
    /// The reference of property <paramref name="name"/> of a plain-object entry (the last one,
    /// when the text repeats a key, as JSON.parse does).
    /// </summary>
    public bool TryGetProperty(int reference, string name, out int value)
    {
        value = DevalueWriter.Undefined;
        if (_reader.GetNode(reference) != DevalueNode.Object)
        {
            return false;
        }

        var found = false;
        var count = _reader.ElementCount(reference);
        var token = _reader.ElementTokenOfObject(reference);
        for (var i = 0; i < count; i++)
        {
            var raw = _reader.TokenRawString(token, out var escaped);
            var valueToken = _reader.NextToken(token);
            if (escaped ? _reader.TokenString(token) == name : raw.SequenceEqual(name))
            {
                value = _reader.ResolveIndex(valueToken);
                found = true;
            }

            token = _reader.NextToken(valueToken);
        }

        return found;
    }
}
