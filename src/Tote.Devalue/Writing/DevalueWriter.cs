using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Tote.Devalue;

/// <summary>
/// Flattens a value graph into devalue's entry table. Indexes are given in pre-order, as
/// devalue does, but a parent's text can only be written once its children have indexes, so
/// each entry is written to a scratch buffer when complete and the entries are joined in
/// index order at the end.
/// </summary>
internal sealed partial class DevalueWriter
{
    public const int Undefined = -1;
    public const int Hole = -2;
    public const int NaN = -3;
    public const int PositiveInfinity = -4;
    public const int NegativeInfinity = -5;
    public const int NegativeZero = -6;
    public const int Sparse = -7;

    private const int None = int.MinValue;
    private const int MaxRetainedChars = 1 << 20;

    // One writer per thread, dictionaries and buffers kept between writes: without it every
    // session save allocates them anew, several times what the rest of the request allocates.
    [ThreadStatic]
    private static DevalueWriter? t_cached;

    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<double, int> _numbers = [];
    // Keyed by the canonical digits, so that a BigInt copied as text and one written from a value share an entry.
    private readonly Dictionary<string, int> _bigIntegers = new(StringComparer.Ordinal);
    private readonly Dictionary<object, int> _references = new(ReferenceEqualityComparer.Instance);
    private char[] _chars = new char[4096];
    private int _length;
    private int[] _starts = new int[256];
    private int[] _lengths = new int[256];
    private int _count;
    private int[] _stack = new int[256];
    private int _stackLength;
    private int _depth;
    private List<(DevalueReader Reader, int[] Map)>? _fragmentMaps;
    private string? _lastString;
    private int _lastStringIndex;
    private int _null = None;
    private int _true = None;
    private int _false = None;

    // What the text repeats by reference (see DevalueExpansion): the length of every primitive
    // entry each further time it is referenced, holes of sparse arrays, and whether a container
    // was referenced again, whose expansion only a measure of the whole text can tell.
    private long _repeatedLength;
    private bool _repeatsContainers;

    private DevalueWriter(DevalueOptions options)
    {
        Options = options;
        Types = options.Types;
    }

    public DevalueOptions Options { get; private set; }

    public TypeCache Types { get; private set; }

    public int StackMark => _stackLength;

    /// <summary>
    /// Whether strings are written with their lone surrogates escaped (see <see cref="JsString"/>),
    /// so that the text always encodes to UTF-8; off by default, as devalue writes them raw.
    /// </summary>
    public bool WellFormed { get; set; }

    public static string Write<T>(T value, DevalueOptions options)
        => Write(options, (Converter: options.Types.GetConverter<T>(), Value: value), static (writer, s) => s.Converter.Write(writer, s.Value));

    /// <summary>Writes the root <paramref name="write"/> writes, on a writer of this thread's.</summary>
    public static string Write<TState>(DevalueOptions options, TState state, Func<DevalueWriter, TState, int> write)
        => Write(options, state, write, out _);

    /// <summary>As <see cref="Write{TState}(DevalueOptions, TState, Func{DevalueWriter, TState, int})"/>, also telling what the text repeats by reference.</summary>
    public static string Write<TState>(DevalueOptions options, TState state, Func<DevalueWriter, TState, int> write, out DevalueRepeats repeats)
        => TryWrite(options, state, write, out var text, out repeats)
            ? text
            : throw new InvalidOperationException("A value that writes itself (IDevalueWritable) could not be written exactly. Use DevalueWriter.TryWrite, and write the natural value when it refuses.");

    /// <summary>
    /// As <see cref="Write{TState}(DevalueOptions, TState, Func{DevalueWriter, TState, int}, out DevalueRepeats)"/>;
    /// <see langword="false"/>, with no text, when a value that writes itself refused (<see cref="Abandon"/>).
    /// </summary>
    public static bool TryWrite<TState>(DevalueOptions options, TState state, Func<DevalueWriter, TState, int> write, [NotNullWhen(true)] out string? text, out DevalueRepeats repeats)
    {
        var writer = Rent(options);
        try
        {
            var root = write(writer, state);
            if (writer.Abandoned)
            {
                text = null;
                repeats = default;
                return false;
            }

            text = writer.Finish(root);
            repeats = new DevalueRepeats(writer._repeatedLength, writer._repeatsContainers);
            return true;
        }
        finally
        {
            Return(writer);
        }
    }

    /// <summary>Whether a value that writes itself refused: the text being written is dropped.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>
    /// Gives up on this write, as an <see cref="IDevalueWritable"/> does when it cannot write
    /// itself exactly; returns a reference for the caller to hand on while it unwinds.
    /// </summary>
    public int Abandon()
    {
        Abandoned = true;
        return Undefined;
    }

    public static string WriteAs(object? value, Type type, DevalueOptions options)
    {
        var converter = options.Types.GetConverter(type);
        if (value is not null && !type.IsInstanceOfType(value))
        {
            throw new ArgumentException($"The value is a {value.GetType()}, not a {type}.", nameof(value));
        }

        return Write(options, (Converter: converter, Value: value), static (writer, s) => s.Converter.WriteBoxed(writer, s.Value));
    }

    /// <summary>Takes the next index, in pre-order.</summary>
    public int Reserve()
    {
        if (_count == _starts.Length)
        {
            if (_count >= Options.MaxEntries)
            {
                throw Limit($"The value has more than {Options.MaxEntries} distinct entries (DevalueOptions.MaxEntries). Store less, or raise the limit.");
            }

            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        else if (_count >= Options.MaxEntries)
        {
            throw Limit($"The value has more than {Options.MaxEntries} distinct entries (DevalueOptions.MaxEntries). Store less, or raise the limit.");
        }

        return _count++;
    }

    /// <summary>Returns true with the existing index when <paramref name="value"/> was written before; otherwise reserves its index.</summary>
    public bool TryReuse(object value, out int index)
    {
        if (_references.TryGetValue(value, out index))
        {
            _repeatsContainers = true;
            return true;
        }

        index = Reserve();
        _references.Add(value, index);
        return false;
    }

    public int WriteNull()
    {
        if (_null == None)
        {
            _null = WritePrimitive("null");
        }
        else
        {
            _repeatedLength += 4;
        }

        return _null;
    }

    public int WriteBoolean(bool value)
    {
        ref var slot = ref value ? ref _true : ref _false;
        if (slot == None)
        {
            slot = WritePrimitive(value ? "true" : "false");
        }
        else
        {
            _repeatedLength += value ? 4 : 5;
        }

        return slot;
    }

    public int WriteNumber(double value)
    {
        if (double.IsNaN(value))
        {
            return NaN;
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? PositiveInfinity : NegativeInfinity;
        }

        if (value == 0 && double.IsNegative(value))
        {
            return NegativeZero;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_numbers, value, out var exists);
        if (exists)
        {
            _repeatedLength += _lengths[slot];
            return slot;
        }

        var index = Reserve();
        slot = index;
        var start = _length;
        EnsureCapacity(JsNumber.MaxLength);
        _length += JsNumber.Format(value, _chars.AsSpan(_length));
        Complete(index, start);
        return index;
    }

    public int WriteString(string value)
    {
        // Lists often repeat one string instance (a typed read shares it between repeats):
        // the same instance as the last string written needs no hashing.
        if (ReferenceEquals(value, _lastString))
        {
            _repeatedLength += _lengths[_lastStringIndex];
            return _lastStringIndex;
        }

        _lastString = value;
        _lastStringIndex = WriteNewOrKnownString(value);
        return _lastStringIndex;
    }

    private int WriteNewOrKnownString(string value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_strings, value, out var exists);
        if (exists)
        {
            _repeatedLength += _lengths[slot];
            return slot;
        }

        var index = Reserve();
        slot = index;
        var start = _length;
        AppendQuoted(value);
        Complete(index, start);
        return index;
    }

    public int WriteBigInteger(BigInteger value) => WriteBigIntegerDigits(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes a BigInt from its digits exactly as JavaScript's <c>BigInt.prototype.toString()</c>
    /// gives them (decimal, no leading zeros, a sign only when negative); equal BigInts share one entry.
    /// </summary>
    public int WriteBigIntegerDigits(ReadOnlySpan<char> digits)
    {
        var known = _bigIntegers.GetAlternateLookup<ReadOnlySpan<char>>();
        if (known.TryGetValue(digits, out var existing))
        {
            _repeatedLength += _lengths[existing];
            return existing;
        }

        var index = Reserve();
        known[digits] = index;
        var start = _length;
        Append("[\"BigInt\",\"");
        Append(digits);
        Append("\"]");
        Complete(index, start);
        return index;
    }

    /// <summary>
    /// Notes a further reference to entry <paramref name="index"/>, made without the writer's own
    /// de-duplication (a copied fragment's shared entry): a primitive adds its length, a container
    /// calls for a measure of the whole text.
    /// </summary>
    public void NoteRepeat(int index, bool container)
    {
        if (container)
        {
            _repeatsContainers = true;
        }
        else if (index >= 0)
        {
            _repeatedLength += _lengths[index];
        }
    }

    /// <summary>Notes the holes of a sparse array, each of which a reader expands (<see cref="DevalueReader.HoleLength"/>).</summary>
    public void NoteHoles(long declaredLength) => _repeatedLength += DevalueReader.HoleLength * declaredLength;

    /// <summary>A value that cannot be written: devalue's <paramref name="reason"/>, and the rest of a sentence about the value in .NET terms (<c>is a System.IO.Stream, which …</c>).</summary>
    public static DevalueException Fail(string reason, string predicate) => DevalueException.InValue(reason, predicate);

    private static DevalueException Limit(string message) => DevalueException.WithPathSuffix(message, message);

    private static DevalueWriter Rent(DevalueOptions options)
    {
        var writer = t_cached;
        if (writer is null)
        {
            return new DevalueWriter(options);
        }

        t_cached = null;
        writer.Options = options;
        writer.Types = options.Types;
        return writer;
    }

    private static void Return(DevalueWriter writer)
    {
        writer._strings.Clear();
        writer._numbers.Clear();
        writer._bigIntegers.Clear();
        writer._references.Clear();
        writer._length = 0;
        writer._count = 0;
        writer._stackLength = 0;
        writer._depth = 0;
        writer._null = writer._true = writer._false = None;
        writer._repeatedLength = 0;
        writer._repeatsContainers = false;
        writer._fragmentMaps = null;
        writer._lastString = null;
        writer.WellFormed = false;
        writer.Abandoned = false;
        if (writer._chars.Length > MaxRetainedChars)
        {
            writer._chars = new char[4096];
        }

        t_cached = writer;
    }

    private int WritePrimitive(string literal)
    {
        var index = Reserve();
        var start = _length;
        Append(literal);
        Complete(index, start);
        return index;
    }
}
