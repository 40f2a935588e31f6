namespace Tote.Devalue;

/// <summary>
/// A value placed in a natural value graph being written, to be written as its declared
/// <see cref="Type"/> (with that type's converter, as <c>Serialize&lt;T&gt;</c> would) rather than
/// by its runtime type.
/// </summary>
internal sealed class DevalueTypedValue(object? value, Type type)
{
    public object? Value { get; } = value;

    public Type Type { get; } = type;
}
