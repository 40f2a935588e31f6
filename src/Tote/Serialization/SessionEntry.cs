using Tote.Devalue;

namespace Tote.Serialization;

/// <summary>
/// One key's value with its per-key expiry (epoch milliseconds, as Astro stores it). Holds the
/// value as devalue text, as the natural .NET value read from the stored record, or both; each
/// form is made from the other only when first needed, so that a read-only request never
/// re-serializes keys it does not read.
/// </summary>
internal sealed class SessionEntry
{
    private string? _text;
    private object? _natural;
    private bool _hasNatural;

    private SessionEntry(double? expires) => Expires = expires;

    /// <summary>Epoch milliseconds after which the key reads as missing; <see langword="null"/> for none.</summary>
    public double? Expires { get; }

    public static SessionEntry FromText(string text, double? expires) => new(expires) { _text = text };

    public static SessionEntry FromNatural(object? natural, double? expires) => new(expires) { _natural = natural, _hasNatural = true };

    public bool IsExpired(double nowMilliseconds) => Expires is { } expires && expires < nowMilliseconds;

    /// <summary>The value as its own devalue text: what typed reads bind from.</summary>
    public string GetText() => _text ??= DevalueSerializer.Serialize(_natural, SessionRecordFormat.Devalue);

    /// <summary>The value as natural .NET types: what the stored record is built from.</summary>
    public object? GetNatural()
    {
        if (!_hasNatural)
        {
            _natural = DevalueSerializer.Deserialize(_text!, SessionRecordFormat.Devalue);
            _hasNatural = true;
        }

        return _natural;
    }

    /// <summary>An approximate stored size, used to enforce the session size limit at <c>Set</c>.</summary>
    public int? KnownLength => _text?.Length;
}
