using Tote.Devalue;

namespace Tote.Serialization;

/// <summary>
/// One key's value with its per-key expiry (epoch milliseconds, as Astro stores it). The value
/// lives in devalue text: inside the loaded session record (a reference into its parsed
/// document), in the value's own text, or inside a whole record written ahead of the save when
/// the value was set. Reads bind straight from that text, and saving copies its entries into
/// the new record, so a key is never turned into .NET objects only to be written back.
/// </summary>
internal sealed class SessionEntry
{
    private readonly string? _text;
    private readonly string? _recordKey;
    private readonly DevalueTypedValue? _pending;
    private DevalueDocument? _document;
    private int _reference;

    private SessionEntry(double? expires, string? text = null, string? recordKey = null, DevalueDocument? document = null, int reference = 0, DevalueTypedValue? pending = null)
    {
        Expires = expires;
        _text = text;
        _recordKey = recordKey;
        _document = document;
        _reference = reference;
        _pending = pending;
    }

    /// <summary>Epoch milliseconds after which the key reads as missing; <see langword="null"/> for none.</summary>
    public double? Expires { get; }

    /// <summary>
    /// An approximate size, used to enforce the session size limit at <c>Set</c>: the value's
    /// expanded length (every shared value counted at each reference), at least its text's length.
    /// </summary>
    public int? KnownLength { get; private init; }

    private DevalueDocument Document
    {
        get
        {
            if (_document is null)
            {
                // Parsed only when the value is read back or saved again; text this process wrote is valid.
                var document = DevalueDocument.Parse(_text!, SessionRecordFormat.Devalue);
                _reference = _recordKey is null ? document.Root : SessionRecordFormat.FindData(document, _recordKey);
                _document = document;
            }

            return _document;
        }
    }

    /// <summary>A value set during this request, as its own devalue text, which expands to <paramref name="expandedLength"/>.</summary>
    public static SessionEntry FromText(string text, double? expires, long expandedLength = 0) =>
        new(expires, text) { KnownLength = (int)Math.Clamp(expandedLength, text.Length, int.MaxValue) };

    /// <summary>A value inside a loaded record.</summary>
    public static SessionEntry FromDocument(DevalueDocument document, int reference, double? expires) => new(expires, document: document, reference: reference);

    /// <summary>
    /// A value set during this request that lives inside <paramref name="record"/>, the whole
    /// session record written when it was set; <paramref name="addedLength"/> is how much it grew the session.
    /// </summary>
    public static SessionEntry FromRecord(string record, string key, double? expires, int addedLength) =>
        new(expires, record, key) { KnownLength = Math.Max(0, addedLength) };

    /// <summary>A value about to be written into a record as its declared type; it can only be written.</summary>
    public static SessionEntry Pending<T>(T value, double? expires) => new(expires, pending: new DevalueTypedValue(value, typeof(T)));

    public bool IsExpired(double nowMilliseconds) => Expires is { } expires && expires < nowMilliseconds;

    /// <summary>The value bound to <typeparamref name="T"/>: a fresh object on every call.</summary>
    /// <exception cref="DevalueException">The stored value does not fit <typeparamref name="T"/>.</exception>
    public T? Read<T>() => Document.Read<T>(_reference);

    /// <summary>The value as natural .NET types: a fresh graph on every call.</summary>
    public object? ReadNatural() => Document.ReadNatural(_reference);

    /// <summary>What the record writer writes for this value: a fragment to copy, or the pending value itself.</summary>
    public object ToWritable() => _pending ?? (object)new DevalueFragment(Document, _reference);

    /// <summary>Starts a natural graph shared by every later <see cref="ReadNaturalInGraph"/> of the same document.</summary>
    public void BeginNaturalGraph()
    {
        if (_pending is null)
        {
            Document.BeginGraph();
        }
    }

    /// <summary>The value as natural .NET types, sharing objects with other keys of the same record.</summary>
    public object? ReadNaturalInGraph() => _pending ?? Document.ReadNaturalInGraph(_reference);
}
