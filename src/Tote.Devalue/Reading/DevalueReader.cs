using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <summary>
/// Reads devalue text: tokenizes the JSON once, then resolves entries on demand, either into
/// natural .NET values (mirroring devalue's <c>unflatten</c> step by step, errors included) or
/// for typed converters, which read entries straight from the token table.
/// </summary>
internal sealed partial class DevalueReader
{
    private const byte NotStarted = 0;
    private const byte InProgress = 1;
    private const byte Done = 2;

    // Readers larger than this (in tokens) are not kept for reuse, so that one huge text does
    // not pin its buffers for the life of the thread.
    private const int MaxKeptTokens = 1 << 16;

    // Longer number texts than this (every double JavaScript writes fits) are parsed once per read.
    private const int MaxUncachedNumberLength = 32;

    // Longer Date texts than this (an ISO date has 24 characters) are parsed once per read.
    private const int MaxUncachedDateLength = 64;

    // One reader per thread, buffers and all, lent to a one-shot read or to a document until it
    // is released: reading then allocates no reader, token table or entry tables in the steady state.
    [ThreadStatic]
    private static DevalueReader? t_cached;

    private JsonToken[] _tokens;
    private int[] _containers = new int[8];
    private int[] _entries;
    private EntryValue[] _natural;
    private byte[] _state;
    private EntryValue[] _typed;
    private int[] _arguments = new int[32];
    private int _argumentsTop;
    private string _text = string.Empty;
    private int _entryCount;
    private int _depth;
    private long _arrayBudget;

    private DevalueReader(DevalueOptions options, int textLength)
    {
        // Sized to the text, not to a guess: a document nobody releases keeps its reader, and a
        // session parses a few small records a request.
        Options = options;
        Types = options.Types;
        _tokens = new JsonToken[TokenCapacity(textLength)];
        _entries = [];
        _natural = [];
        _state = [];
        _typed = [];
    }

    public DevalueOptions Options { get; private set; }

    public TypeCache Types { get; private set; }

    public int EntryCount => _entryCount;

    public static T? Read<T>(string text, DevalueOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        var converter = options.Types.GetConverter<T>();
        var reader = Rent(options, text.Length);
        try
        {
            return converter.Read(reader, reader.Load(text));
        }
        finally
        {
            Return(reader);
        }
    }

    public static object? ReadAs(string text, Type type, DevalueOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        var converter = options.Types.GetConverter(type);
        var reader = Rent(options, text.Length);
        try
        {
            return converter.ReadBoxed(reader, reader.Load(text));
        }
        finally
        {
            Return(reader);
        }
    }

    /// <summary>Tokenizes <paramref name="text"/>; returns the reference of the root value.</summary>
    public int Load(string text)
    {
        _text = text;
        JsonTokenizer.Tokenize(text, ref _tokens, ref _containers, ref _entries, Options.MaxDepth);
        ref var root = ref _tokens[0];
        if (root.Kind == JsonTokenKind.Number)
        {
            // A bare number is a special value standing alone (devalue's "standalone" hydrate).
            var value = ParseNumber(0);
            return value switch
            {
                DevalueWriter.Undefined or DevalueWriter.NaN or DevalueWriter.PositiveInfinity
                    or DevalueWriter.NegativeInfinity or DevalueWriter.NegativeZero => (int)value,
                _ => throw InvalidInput(),
            };
        }

        if (root.Kind != JsonTokenKind.Array || root.Count == 0)
        {
            throw InvalidInput();
        }

        if (root.Count > Options.MaxEntries)
        {
            throw new DevalueException(
                "Too many entries",
                $"The devalue text has {root.Count} entries, more than DevalueOptions.MaxEntries ({Options.MaxEntries}). Reject it, or raise the limit.",
                path: null);
        }

        _entryCount = root.Count;
        EnsureEntryCapacity(_entryCount);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DevalueNode GetNode(int reference)
    {
        // Objects, strings and numbers are most of every payload: answer them without the tag checks arrays need.
        if (reference >= 0)
        {
            switch (EntryToken(reference).Kind)
            {
                case JsonTokenKind.Object:
                    return DevalueNode.Object;
                case JsonTokenKind.String:
                    return DevalueNode.String;
                case JsonTokenKind.Number:
                    return DevalueNode.Number;
            }
        }

        return GetNodeSlow(reference);
    }

    /// <summary>The special values, booleans, null and arrays (tagged or not); <see cref="GetNode"/> answers the rest.</summary>
    private DevalueNode GetNodeSlow(int reference)
    {
        if (reference < 0)
        {
            return reference == DevalueWriter.Undefined ? DevalueNode.Undefined : DevalueNode.Number;
        }

        ref var token = ref EntryToken(reference);
        switch (token.Kind)
        {
            case JsonTokenKind.True:
            case JsonTokenKind.False:
                return DevalueNode.Boolean;
            case JsonTokenKind.Null:
                return DevalueNode.Null;
        }

        var first = _entries[reference] + 1;
        if (token.Count == 0)
        {
            return DevalueNode.Array;
        }

        ref var head = ref _tokens[first];
        if (head.Kind == JsonTokenKind.String)
        {
            return Tag(first) switch
            {
                "Date" => DevalueNode.Date,
                "Set" => DevalueNode.Set,
                "Map" => DevalueNode.Map,
                "RegExp" => DevalueNode.RegExp,
                "Object" => DevalueNode.Boxed,
                "BigInt" => DevalueNode.BigInt,
                "null" => DevalueNode.NullPrototypeObject,
                "ArrayBuffer" => DevalueNode.ArrayBuffer,
                "URL" => DevalueNode.Url,
                "URLSearchParams" => DevalueNode.UrlSearchParams,
                var tag when DevalueTypedArray.IsKnownKind(tag) => DevalueNode.TypedArray,
                _ => DevalueNode.Unknown,
            };
        }

        return IsInteger(first, DevalueWriter.Sparse) ? DevalueNode.SparseArray : DevalueNode.Array;
    }

    /// <summary>The node's name as devalue users know it, for error messages.</summary>
    public string Describe(int reference) => GetNode(reference) switch
    {
        DevalueNode.Undefined => "undefined",
        DevalueNode.Null => "null",
        DevalueNode.Boolean => "a boolean",
        DevalueNode.Number => "a number",
        DevalueNode.String => "a string",
        DevalueNode.Object => "an object",
        DevalueNode.Array or DevalueNode.SparseArray => "an array",
        DevalueNode.NullPrototypeObject => "a null-prototype object",
        DevalueNode.Unknown => "an unknown type",
        var node => "a " + node,
    };

    public DevalueException Mismatch(int reference, Type target, string? advice = null) =>
        Fail("Type mismatch", $"Cannot read {Describe(reference)} as {TypeNames.Describe(target)}.{(advice is null ? string.Empty : " " + advice)}");

    public static DevalueException Fail(string reason, string message) => DevalueException.WithPathSuffix(reason, message);

    public void EnterContainer()
    {
        if (++_depth > Options.MaxDepth)
        {
            throw new DevalueException(
                "Input nested too deeply",
                $"The devalue text nests values more than {Options.MaxDepth} levels deep (DevalueOptions.MaxDepth). Reject it, or raise the limit.",
                path: null);
        }
    }

    public void ExitContainer() => _depth--;

    /// <summary>Counts array elements about to be created against <see cref="DevalueOptions.MaxArrayLength"/>.</summary>
    public void ChargeArrayLength(long length)
    {
        _arrayBudget += length;
        if (_arrayBudget > Options.MaxArrayLength)
        {
            throw new DevalueException(
                "Array too long",
                $"The devalue text declares arrays with more than {Options.MaxArrayLength} elements in all (DevalueOptions.MaxArrayLength); a sparse array's declared length counts in full. Reject it, or raise the limit.",
                path: null);
        }
    }

    public bool TryGetTyped<T>(int reference, out T value)
    {
        if (reference >= 0 && _typed[reference].Value is T existing)
        {
            value = existing;
            return true;
        }

        value = default!;
        return false;
    }

    public void SetTyped(int reference, object value) => _typed[reference].Value = value;

    /// <summary>
    /// Takes <paramref name="count"/> slots, filled with <paramref name="fill"/>, on the reader's own
    /// stack of constructor arguments (records nest, so it is a stack); returns where they start in
    /// <paramref name="slots"/>. A later push may move the stack, but never changes slots already handed out.
    /// </summary>
    public int PushArguments(int count, int fill, out int[] slots)
    {
        var start = _argumentsTop;
        if (_arguments.Length - start < count)
        {
            Array.Resize(ref _arguments, Math.Max(_arguments.Length * 2, start + count));
        }

        slots = _arguments;
        slots.AsSpan(start, count).Fill(fill);
        _argumentsTop = start + count;
        return start;
    }

    public void PopArguments(int start) => _argumentsTop = start;

    /// <summary>What a typed read already made of the entry, if anything.</summary>
    public object? GetTyped(int reference) => reference >= 0 ? _typed[reference].Value : null;

    public static DevalueException InvalidInput() => DevalueError("Invalid input");

    /// <summary>
    /// An error devalue itself reports for the same input: the message is devalue's, word for word,
    /// so code handling errors from both runtimes can compare them.
    /// </summary>
    public static DevalueException DevalueError(string devalueMessage) => new(devalueMessage, devalueMessage, path: null);

    /// <summary>
    /// Forgets everything resolved so far (natural values, typed values, depth and length
    /// budgets), so that the next read of the same text builds a fresh, unshared value graph.
    /// </summary>
    public void ResetResolved()
    {
        Array.Clear(_natural, 0, _entryCount);
        Array.Clear(_typed, 0, _entryCount);
        Array.Clear(_state, 0, _entryCount);
        _depth = 0;
        _arrayBudget = 0;
        _argumentsTop = 0;
    }

    /// <summary>The thread's reader when it is free, else a new one for a text of <paramref name="textLength"/>; hand it back with <see cref="Return"/> when done.</summary>
    public static DevalueReader Rent(DevalueOptions options, int textLength)
    {
        var reader = t_cached;
        if (reader is null)
        {
            return new DevalueReader(options, textLength);
        }

        t_cached = null;
        reader.Options = options;
        reader.Types = options.Types;
        return reader;
    }

    /// <summary>Keeps <paramref name="reader"/> for the thread's next read; it must not be used after.</summary>
    public static void Return(DevalueReader reader)
    {
        // Drop references to the caller's values so the kept reader keeps nothing alive.
        reader.ResetResolved();
        reader._text = string.Empty;
        reader._entryCount = 0;

        if (reader._tokens.Length <= MaxKeptTokens)
        {
            t_cached = reader;
        }
    }

    // Every token but the first takes at least two characters ("1,"), so a table this size never grows.
    private static int TokenCapacity(int textLength) => Math.Max(2, (textLength / 2) + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref JsonToken EntryToken(int reference) => ref _tokens[_entries[reference]];

    private string Tag(int tokenIndex) => TagNames.Intern(TokenRawString(tokenIndex, out var escaped), escaped, this, tokenIndex);

    private void EnsureEntryCapacity(int count)
    {
        if (_state.Length >= count)
        {
            return;
        }

        var size = Math.Max(count, _state.Length * 2);
        _natural = new EntryValue[size];
        _state = new byte[size];
        _typed = new EntryValue[size];
    }

    /// <summary>
    /// An array slot for what a read made of an entry. Wrapped in a struct so storing into it needs
    /// no array covariance check, which every store into an <c>object[]</c> pays.
    /// </summary>
    private struct EntryValue
    {
        public object? Value;
    }
}
