using Tote.Devalue;

namespace Tote.Serialization;

/// <summary>
/// A value set during this request, about to be written into the session record as its declared
/// <see cref="Type"/> (with that type's converter, as <c>Serialize&lt;T&gt;</c> would) rather than
/// by its runtime type.
/// </summary>
internal sealed class DevalueTypedValue(object? value, Type type) : IDevalueWritable
{
    public object? Value { get; } = value;

    public Type Type { get; } = type;

    public bool TryWrite(DevalueWriter writer, out int reference)
    {
        reference = writer.Types.GetConverter(Type).WriteBoxed(writer, Value);
        return true;
    }
}
