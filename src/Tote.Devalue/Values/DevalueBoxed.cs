namespace Tote.Devalue;

/// <summary>
/// A boxed JavaScript primitive (<c>new String("a")</c>, <c>Object(1n)</c>), written by devalue
/// as <c>["Object",index]</c>. Rare in practice; kept distinct so it writes back the same way.
/// </summary>
public sealed class DevalueBoxed
{
    /// <summary>Boxes a primitive.</summary>
    /// <param name="value">A <see cref="string"/>, <see cref="double"/>, <see cref="bool"/> or <see cref="System.Numerics.BigInteger"/>.</param>
    public DevalueBoxed(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary>The primitive inside the box.</summary>
    public object Value { get; }

    /// <inheritdoc />
    public override string? ToString() => Value.ToString();
}
