namespace Tote.Devalue;

internal sealed class NullableConverter<T>(TypeCache cache) : DevalueConverter<T?>
    where T : struct
{
    private readonly DevalueConverter<T> _inner = cache.GetConverter<T>();

    public override int Write(DevalueWriter writer, T? value) =>
        value is { } inner ? _inner.Write(writer, inner) : writer.WriteNull();

    public override T? Read(DevalueReader reader, int reference) =>
        IsNullish(reader, reference) ? null : _inner.Read(reader, reference);
}
