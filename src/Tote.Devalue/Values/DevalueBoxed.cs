namespace Tote.Devalue;

/// <summary>
/// A boxed JavaScript primitive (<c>new String("a")</c>, <c>Object(1n)</c>), written by devalue
/// as <c>["Object",index]</c>. Rare in practice; kept distinct so it writes back the same way.
/// </summary>
public sealed class DevalueBoxed
{
    /// <summary>Boxes a primitive.</summary>
    /// <param name="value">A <see cref="string"/>, <see cref="double"/>, <see cref="bool"/> or <see cref="System.Numerics.BigInteger"/>.</param>
    /// <exception cref="ArgumentException">The value is not one of those primitives.</exception>
    public DevalueBoxed(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is not (string or double or bool or System.Numerics.BigInteger))
        {
            throw new ArgumentException(
                $"Only a string, double, bool or BigInteger can be boxed, not a {value.GetType()}.", nameof(value));
        }

        Value = value;
    }

    /// <summary>The primitive inside the box.</summary>
    public object Value { get; }

    /// <inheritdoc />
    public override string? ToString() => Value.ToString();
}
