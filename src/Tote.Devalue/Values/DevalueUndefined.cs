namespace Tote.Devalue;

/// <summary>
/// JavaScript's <c>undefined</c>, as read from devalue text (written <c>-1</c>). Kept apart
/// from <see langword="null"/> so that a value read untyped writes back exactly.
/// </summary>
public sealed class DevalueUndefined
{
    private DevalueUndefined()
    {
    }

    /// <summary>The only instance.</summary>
    public static DevalueUndefined Value { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "undefined";
}
