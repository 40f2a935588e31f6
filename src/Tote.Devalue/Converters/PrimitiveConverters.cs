using System.Globalization;
using System.Numerics;

namespace Tote.Devalue;

/// <summary>The converters for strings, booleans, numbers and the BCL value types.</summary>
internal static class PrimitiveConverters
{
    public static DevalueConverter? TryCreate(Type type, TypeCache cache) => type switch
    {
        _ when type == typeof(string) => new StringConverter(),
        _ when type == typeof(bool) => new BooleanConverter(),
        _ when type == typeof(double) => new FloatingConverter<double>(),
        _ when type == typeof(float) => new FloatingConverter<float>(),
        _ when type == typeof(Half) => new FloatingConverter<Half>(),
        _ when type == typeof(int) => new IntegerConverter<int>(),
        _ when type == typeof(long) => new IntegerConverter<long>(),
        _ when type == typeof(short) => new IntegerConverter<short>(),
        _ when type == typeof(byte) => new IntegerConverter<byte>(),
        _ when type == typeof(sbyte) => new IntegerConverter<sbyte>(),
        _ when type == typeof(ushort) => new IntegerConverter<ushort>(),
        _ when type == typeof(uint) => new IntegerConverter<uint>(),
        _ when type == typeof(ulong) => new IntegerConverter<ulong>(),
        _ when type == typeof(Int128) => new IntegerConverter<Int128>(),
        _ when type == typeof(UInt128) => new IntegerConverter<UInt128>(),
        _ when type == typeof(nint) => new IntegerConverter<nint>(),
        _ when type == typeof(BigInteger) => new IntegerConverter<BigInteger>(),
        _ when type == typeof(decimal) => new DecimalConverter(),
        _ when type == typeof(char) => new CharConverter(),
        _ when type == typeof(Guid) => new TextValueConverter<Guid>("D"),
        _ when type == typeof(DateOnly) => new TextValueConverter<DateOnly>("O"),
        _ when type == typeof(TimeOnly) => new TextValueConverter<TimeOnly>("O"),
        _ when type == typeof(TimeSpan) => new TextValueConverter<TimeSpan>("c"),
        _ when type == typeof(DateTimeOffset) => new DateTimeOffsetConverter(),
        _ when type == typeof(DateTime) => new DateTimeConverter(),
        _ when type == typeof(Uri) => new UriConverter(cache.Options),
        _ when type == typeof(byte[]) => new ByteArrayConverter(),
        _ => null,
    };
}

internal sealed class StringConverter : DevalueConverter<string?>
{
    public override int Write(DevalueWriter writer, string? value) =>
        value is null ? writer.WriteNull() : writer.WriteString(value);

    public override string? Read(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.String => reader.GetString(reference),
        DevalueNode.Undefined or DevalueNode.Null => null,
        _ => throw reader.Mismatch(reference, typeof(string)),
    };
}

internal sealed class BooleanConverter : DevalueConverter<bool>
{
    public override int Write(DevalueWriter writer, bool value) => writer.WriteBoolean(value);

    public override bool Read(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.Boolean => reader.GetBoolean(reference),
        _ => throw reader.Mismatch(reference, typeof(bool)),
    };
}

internal sealed class FloatingConverter<T> : DevalueConverter<T>
    where T : IFloatingPointIeee754<T>
{
    public override int Write(DevalueWriter writer, T value) => writer.WriteNumber(double.CreateChecked(value));

    public override T Read(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.Number => T.CreateChecked(reader.GetNumber(reference)),
        DevalueNode.BigInt => T.CreateChecked((double)reader.GetBigInteger(reference)),
        _ => throw reader.Mismatch(reference, typeof(T)),
    };
}

/// <summary>
/// Integers: a JavaScript number while exact (|n| ≤ 2^53), a BigInt beyond, so no digit is lost;
/// reads accept either.
/// </summary>
internal sealed class IntegerConverter<T> : DevalueConverter<T>
    where T : IBinaryInteger<T>
{
    // 2^53: beyond it a JavaScript number can no longer hold every integer.
    private static readonly T MaxExact = T.CreateSaturating(9007199254740992L);
    private static readonly T MinExact = T.CreateSaturating(-9007199254740992L);

    public override int Write(DevalueWriter writer, T value) =>
        value <= MaxExact && value >= MinExact
            ? writer.WriteNumber(double.CreateTruncating(value))
            : writer.WriteBigInteger(BigInteger.CreateTruncating(value));

    public override T Read(DevalueReader reader, int reference)
    {
        switch (reader.GetNode(reference))
        {
            case DevalueNode.Number when reader.TryGetSmallInteger(reference, out var small):
                var converted = T.CreateSaturating(small);
                if (int.CreateTruncating(converted) == small)
                {
                    return converted;
                }

                break;
            case DevalueNode.Number when reference >= 0:
                var raw = reader.GetRawNumber(reference);
                if (T.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact))
                {
                    return exact;
                }

                var number = reader.GetNumber(reference);
                if (number == Math.Floor(number) && !double.IsInfinity(number))
                {
                    try
                    {
                        return T.CreateChecked(number);
                    }
                    catch (OverflowException)
                    {
                    }
                }

                break;
            case DevalueNode.Number when reference == DevalueWriter.NegativeZero:
                return T.Zero;
            case DevalueNode.BigInt:
                try
                {
                    return T.CreateChecked(reader.GetBigInteger(reference));
                }
                catch (OverflowException)
                {
                }

                break;
        }

        throw reader.GetNode(reference) is DevalueNode.Number or DevalueNode.BigInt
            ? reader.Mismatch(reference, typeof(T), "The value is not an integer in the type's range.")
            : reader.Mismatch(reference, typeof(T));
    }
}

/// <summary>
/// Decimals: a number when the number's JavaScript text is exactly the decimal's text (19.99),
/// otherwise the decimal's text as a string (1.50, 0.1000000000000000000000000001), so the
/// value and its scale survive.
/// </summary>
internal sealed class DecimalConverter : DevalueConverter<decimal>
{
    public override int Write(DevalueWriter writer, decimal value)
    {
        Span<char> text = stackalloc char[32];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        text = text[..length];
        var asDouble = (double)value;
        Span<char> js = stackalloc char[JsNumber.MaxLength];
        var jsLength = JsNumber.Format(asDouble, js);
        return js[..jsLength].SequenceEqual(text) && !(asDouble == 0 && value.Scale > 0)
            ? writer.WriteNumber(asDouble)
            : writer.WriteString(new string(text));
    }

    public override decimal Read(DevalueReader reader, int reference)
    {
        try
        {
            return reader.GetNode(reference) switch
            {
                DevalueNode.Number when reference >= 0 => decimal.Parse(reader.GetRawNumber(reference), NumberStyles.Float, CultureInfo.InvariantCulture),
                DevalueNode.String => decimal.Parse(reader.GetString(reference), NumberStyles.Float, CultureInfo.InvariantCulture),
                DevalueNode.BigInt => (decimal)reader.GetBigInteger(reference),
                DevalueNode.Number when reference == DevalueWriter.NegativeZero => 0m,
                _ => throw reader.Mismatch(reference, typeof(decimal)),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw reader.Mismatch(reference, typeof(decimal), "The value is not a decimal number in range.");
        }
    }
}

internal sealed class CharConverter : DevalueConverter<char>
{
    public override int Write(DevalueWriter writer, char value) => writer.WriteString(value.ToString());

    public override char Read(DevalueReader reader, int reference) =>
        reader.GetNode(reference) == DevalueNode.String && reader.GetString(reference) is { Length: 1 } text
            ? text[0]
            : throw reader.Mismatch(reference, typeof(char), "A char reads from a string of length 1.");
}

/// <summary>Values with no JavaScript twin, written as their invariant round-trip text.</summary>
internal sealed class TextValueConverter<T>(string format) : DevalueConverter<T>
    where T : ISpanFormattable, ISpanParsable<T>
{
    public override int Write(DevalueWriter writer, T value) =>
        writer.WriteString(value.ToString(format, CultureInfo.InvariantCulture));

    public override T Read(DevalueReader reader, int reference) =>
        reader.GetNode(reference) == DevalueNode.String && T.TryParse(reader.GetString(reference), CultureInfo.InvariantCulture, out var value)
            ? value
            : throw reader.Mismatch(reference, typeof(T), $"A {typeof(T).Name} reads from its invariant text.");
}

/// <summary>
/// A <c>Date</c> when the value is a UTC instant in whole milliseconds (what JavaScript can hold);
/// otherwise the round-trip ("O") text, which keeps the offset and the ticks.
/// </summary>
internal sealed class DateTimeOffsetConverter : DevalueConverter<DateTimeOffset>
{
    public static bool FitsJsDate(DateTimeOffset value) => value.Offset == TimeSpan.Zero && value.UtcTicks % TimeSpan.TicksPerMillisecond == 0;

    public static int WriteDate(DevalueWriter writer, int index, long epochMilliseconds, bool invalid = false)
    {
        var start = writer.BeginEntry();
        writer.Append("[\"Date\",\"");
        if (!invalid)
        {
            Span<char> iso = stackalloc char[32];
            writer.Append(iso[..JsDate.FormatIso(epochMilliseconds, iso)]);
        }

        writer.Append("\"]");
        writer.EndEntry(index, start);
        return index;
    }

    public override int Write(DevalueWriter writer, DateTimeOffset value) =>
        FitsJsDate(value)
            ? WriteDate(writer, writer.Reserve(), value.ToUnixTimeMilliseconds())
            : writer.WriteString(value.ToString("O", CultureInfo.InvariantCulture));

    public override DateTimeOffset Read(DevalueReader reader, int reference)
    {
        switch (reader.GetNode(reference))
        {
            case DevalueNode.Date:
                var milliseconds = reader.GetDateMilliseconds(reference);
                if (milliseconds >= JsDate.MinDateTimeOffsetMilliseconds && milliseconds <= JsDate.MaxDateTimeOffsetMilliseconds)
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
                }

                break;
            case DevalueNode.String when DateTimeOffset.TryParse(reader.GetString(reference), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed):
                return parsed;
        }

        throw reader.Mismatch(reference, typeof(DateTimeOffset), "Dates read from a Date in years 1 to 9999, or from ISO 8601 text.");
    }
}

/// <summary>A <c>Date</c> for UTC times in whole milliseconds; otherwise the "O" text, which keeps the kind and ticks.</summary>
internal sealed class DateTimeConverter : DevalueConverter<DateTime>
{
    public override int Write(DevalueWriter writer, DateTime value) =>
        value.Kind == DateTimeKind.Utc && value.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? DateTimeOffsetConverter.WriteDate(writer, writer.Reserve(), new DateTimeOffset(value).ToUnixTimeMilliseconds())
            : writer.WriteString(value.ToString("O", CultureInfo.InvariantCulture));

    public override DateTime Read(DevalueReader reader, int reference)
    {
        switch (reader.GetNode(reference))
        {
            case DevalueNode.Date:
                var milliseconds = reader.GetDateMilliseconds(reference);
                if (milliseconds >= JsDate.MinDateTimeOffsetMilliseconds && milliseconds <= JsDate.MaxDateTimeOffsetMilliseconds)
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds).UtcDateTime;
                }

                break;
            case DevalueNode.String when DateTime.TryParse(reader.GetString(reference), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed):
                return parsed;
        }

        throw reader.Mismatch(reference, typeof(DateTime), "Dates read from a Date in years 1 to 9999, or from ISO 8601 text.");
    }
}

/// <summary>Absolute URIs are JavaScript <c>URL</c>s, shared by reference; relative ones are strings.</summary>
internal sealed class UriConverter(DevalueOptions options) : DevalueConverter<Uri?>
{
    public override int Write(DevalueWriter writer, Uri? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        if (!value.IsAbsoluteUri)
        {
            return writer.WriteString(value.OriginalString);
        }

        if (writer.TryReuse(value, out var index))
        {
            return index;
        }

        var href = UrlText.Href(value);
        if (options.UrlForm == DevalueUrlForm.Astro)
        {
            var mark = writer.StackMark;
            writer.Push(writer.WriteString(href));
            writer.WriteTaggedEntry(index, "URL", mark);
        }
        else
        {
            var start = writer.BeginEntry();
            writer.Append("[\"URL\",");
            writer.AppendQuoted(href);
            writer.Append(']');
            writer.EndEntry(index, start);
        }

        return index;
    }

    public override Uri? Read(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.Url => (Uri)reader.GetNatural(reference)!,
        DevalueNode.String when Uri.TryCreate(reader.GetString(reference), UriKind.RelativeOrAbsolute, out var uri) => uri,
        DevalueNode.Undefined or DevalueNode.Null => null,
        _ => throw reader.Mismatch(reference, typeof(Uri)),
    };
}

/// <summary>A <c>byte[]</c> is a <c>Uint8Array</c> over a buffer of its own; reads take the bytes of any view.</summary>
internal sealed class ByteArrayConverter : DevalueConverter<byte[]?>
{
    public override int Write(DevalueWriter writer, byte[]? value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        if (writer.TryReuse(value, out var index))
        {
            return index;
        }

        var bufferIndex = writer.Reserve();
        NaturalConverters.WriteArrayBufferEntry(writer, bufferIndex, value);
        var mark = writer.StackMark;
        writer.Push(bufferIndex);
        return writer.WriteTaggedEntry(index, "Uint8Array", mark);
    }

    public override byte[]? Read(DevalueReader reader, int reference)
    {
        if (reader.TryGetTyped<byte[]>(reference, out var existing))
        {
            return existing;
        }

        var bytes = reader.GetNode(reference) switch
        {
            DevalueNode.TypedArray => ((DevalueTypedArray)reader.GetNatural(reference)!).ToArray(),
            DevalueNode.ArrayBuffer => (byte[])((DevalueArrayBuffer)reader.GetNatural(reference)!).Bytes.Clone(),
            DevalueNode.Undefined or DevalueNode.Null => null,
            _ => throw reader.Mismatch(reference, typeof(byte[])),
        };
        if (bytes is not null)
        {
            reader.SetTyped(reference, bytes);
        }

        return bytes;
    }
}
