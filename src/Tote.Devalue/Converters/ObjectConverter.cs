using System.Numerics;

namespace Tote.Devalue;

/// <summary>
/// The declared type <see cref="object"/>: writes by runtime type (natural types directly,
/// values that write themselves through <see cref="IDevalueWritable"/>, everything else through
/// its own converter) and reads natural types.
/// </summary>
internal sealed class ObjectConverter(TypeCache cache) : DevalueConverter<object?>
{
    public override int Write(DevalueWriter writer, object? value) => value switch
    {
        null => writer.WriteNull(),
        string text => writer.WriteString(text),
        double number => writer.WriteNumber(number),
        bool flag => writer.WriteBoolean(flag),
        int number => writer.WriteNumber(number),
        BigInteger integer => writer.WriteBigInteger(integer),
        DevalueUndefined => DevalueWriter.Undefined,
        DevalueHole => DevalueWriter.Hole,

        // A boxed DateTimeOffset read from a Date is shared by reference, like the Date was.
        DateTimeOffset date when DateTimeOffsetConverter.FitsJsDate(date) =>
            writer.TryReuse(value, out var index) ? index : DateTimeOffsetConverter.WriteDate(writer, index, date.ToUnixTimeMilliseconds()),
        IDevalueWritable writable => writable.TryWrite(writer, out var reference) ? reference : writer.Abandon(),
        _ when value.GetType() == typeof(object) =>
            throw DevalueWriter.Fail(UnsupportedConverter.NonPojo, "is a bare System.Object, which holds no data. Store the data it stands for instead."),
        _ when NaturalConverters.IsNatural(value.GetType()) => NaturalConverters.Write(writer, value, this),
        _ => cache.GetConverter(value.GetType()).WriteBoxed(writer, value),
    };

    public override object? Read(DevalueReader reader, int reference) => reader.GetNatural(reference);
}
