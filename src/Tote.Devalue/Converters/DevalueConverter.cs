namespace Tote.Devalue;

/// <summary>Writes and reads one .NET type; <see cref="DevalueConverter{T}"/> is the typed form.</summary>
internal abstract class DevalueConverter
{
    /// <summary>
    /// Marks an entry whose object is still being built from constructor arguments, so a reference
    /// back to it is caught. Kept out of the generic converters, whose statics cost a lookup per access.
    /// </summary>
    private protected static readonly object UnderConstruction = new();

    public abstract Type Type { get; }

    /// <summary>Writes <paramref name="value"/> and returns its index (or a negative special value).</summary>
    public abstract int WriteBoxed(DevalueWriter writer, object? value);

    /// <summary>Reads the value at <paramref name="reference"/> (an entry index or a negative special value).</summary>
    public abstract object? ReadBoxed(DevalueReader reader, int reference);
}

/// <summary>Writes and reads values of type <typeparamref name="T"/> without boxing.</summary>
internal abstract class DevalueConverter<T> : DevalueConverter
{
    public override Type Type => typeof(T);

    public abstract int Write(DevalueWriter writer, T value);

    public abstract T Read(DevalueReader reader, int reference);

    public override int WriteBoxed(DevalueWriter writer, object? value) => Write(writer, (T)value!);

    public override object? ReadBoxed(DevalueReader reader, int reference) => Read(reader, reference);

    /// <summary>True for undefined and null, which read as <see langword="default"/> for every type.</summary>
    protected static bool IsNullish(DevalueReader reader, int reference) =>
        reader.GetNode(reference) is DevalueNode.Undefined or DevalueNode.Null;
}
