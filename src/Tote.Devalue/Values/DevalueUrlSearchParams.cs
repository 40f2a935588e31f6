namespace Tote.Devalue;

/// <summary>
/// A JavaScript <c>URLSearchParams</c>, kept as its serialized query text (<c>a=1&amp;b=2</c>).
/// </summary>
public sealed class DevalueUrlSearchParams
{
    /// <summary>Creates search parameters from query text, with or without a leading <c>?</c>.</summary>
    /// <param name="query">The query text.</param>
    public DevalueUrlSearchParams(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Value = UrlSearchParamsText.Normalize(query);
    }

    /// <summary>The query text as JavaScript's <c>toString()</c> gives it.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}
