using System.Text.Json;

namespace Tote.Devalue;

/// <summary>
/// Options for <see cref="DevalueSerializer"/>: limits for untrusted input, the URL form, and
/// how .NET objects map to JavaScript objects.
/// </summary>
/// <remarks>
/// An options instance caches what it learns about types. It becomes read-only the first time it
/// is used; create it once and reuse it, as with <see cref="JsonSerializerOptions"/>.
/// </remarks>
public sealed class DevalueOptions
{
    private int _maxDepth = 64;
    private int _maxEntries = 1_000_000;
    private int _maxArrayLength = 1_000_000;
    private int _maxBigIntDigits = 10_000;
    private DevalueUrlForm _urlForm = DevalueUrlForm.Astro;
    private JsonSerializerOptions _jsonSerializerOptions = new(JsonSerializerDefaults.Web);
    private volatile bool _isReadOnly;
    private TypeCache? _typeCache;

    /// <summary>The options used when none are given. Read-only.</summary>
    public static DevalueOptions Default { get; } = CreateDefault();

    /// <summary>
    /// The deepest nesting of arrays, objects, maps and sets accepted when reading and writing.
    /// </summary>
    /// <value>Defaults to 64, as System.Text.Json.</value>
    public int MaxDepth
    {
        get => _maxDepth;
        set => _maxDepth = CheckPositive(value);
    }

    /// <summary>The most entries (distinct values) one devalue text may hold.</summary>
    /// <value>Defaults to 1,000,000.</value>
    public int MaxEntries
    {
        get => _maxEntries;
        set => _maxEntries = CheckPositive(value);
    }

    /// <summary>
    /// The most array elements one read may create, counted over all arrays in the text and
    /// including the holes of sparse arrays, whose declared length may be far larger than the text.
    /// </summary>
    /// <value>Defaults to 1,000,000.</value>
    public int MaxArrayLength
    {
        get => _maxArrayLength;
        set => _maxArrayLength = CheckPositive(value);
    }

    /// <summary>
    /// The most digits one BigInt entry (<c>["BigInt","…"]</c>) may have, counted in the base it is
    /// written in (sign, prefix and surrounding whitespace excluded). Checked before any digit is
    /// converted: turning decimal text into a number takes time that grows faster than the text,
    /// so a stored BigInt of a million digits would otherwise cost seconds of CPU on every read.
    /// </summary>
    /// <value>Defaults to 10,000, far beyond any real value (a 64-bit integer has at most 20 digits).</value>
    public int MaxBigIntDigits
    {
        get => _maxBigIntDigits;
        set => _maxBigIntDigits = CheckPositive(value);
    }

    /// <summary>How <see cref="Uri"/> values are written; both forms are always read.</summary>
    /// <value>Defaults to <see cref="DevalueUrlForm.Astro"/>, the form Astro's sessions use.</value>
    public DevalueUrlForm UrlForm
    {
        get => _urlForm;
        set
        {
            CheckWritable();
            _urlForm = value;
        }
    }

    /// <summary>
    /// Where the shape of .NET objects comes from: property names and order, naming policy,
    /// case-insensitive reads, <c>[JsonPropertyName]</c>, <c>[JsonIgnore]</c>, <c>[JsonConstructor]</c>,
    /// <c>[JsonStringEnumConverter]</c> on enums. Only the contract is used, not the JSON converters.
    /// </summary>
    /// <value>Defaults to <see cref="JsonSerializerDefaults.Web"/>: camelCase names, case-insensitive reads.</value>
    public JsonSerializerOptions JsonSerializerOptions
    {
        get => _jsonSerializerOptions;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            CheckWritable();
            _jsonSerializerOptions = value;
        }
    }

    /// <summary>Whether the options were used and can no longer change.</summary>
    public bool IsReadOnly => _isReadOnly;

    internal TypeCache Types
    {
        get
        {
            if (_typeCache is { } cache)
            {
                return cache;
            }

            MakeReadOnly();
            Interlocked.CompareExchange(ref _typeCache, new TypeCache(this), null);
            return _typeCache;
        }
    }

    /// <summary>Makes the options read-only; later changes throw.</summary>
    public void MakeReadOnly()
    {
        if (!_jsonSerializerOptions.IsReadOnly)
        {
            _jsonSerializerOptions.TypeInfoResolver ??= new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
            _jsonSerializerOptions.MakeReadOnly();
        }

        _isReadOnly = true;
    }

    private static DevalueOptions CreateDefault()
    {
        var options = new DevalueOptions();
        options.MakeReadOnly();
        return options;
    }

    private int CheckPositive(int value)
    {
        CheckWritable();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
        return value;
    }

    private void CheckWritable()
    {
        if (_isReadOnly)
        {
            throw new InvalidOperationException(
                "These DevalueOptions were already used and can no longer change. Create a new DevalueOptions instance instead.");
        }
    }
}
