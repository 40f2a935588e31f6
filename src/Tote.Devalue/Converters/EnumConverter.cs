using System.Reflection;
using System.Text.Json.Serialization;

namespace Tote.Devalue;

/// <summary>
/// Enums: numbers by default, as System.Text.Json; names when the enum (or the options) use
/// <see cref="JsonStringEnumConverter"/>. Reads accept either.
/// </summary>
internal sealed class EnumConverter<T>(TypeCache cache) : DevalueConverter<T>
    where T : struct, Enum
{
    private readonly bool _asText = UsesNames(cache);
    private readonly DevalueConverter<long> _numbers = new IntegerConverter<long>();

    public override int Write(DevalueWriter writer, T value) =>
        _asText ? writer.WriteString(value.ToString()) : _numbers.Write(writer, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

    public override T Read(DevalueReader reader, int reference) => reader.GetNode(reference) switch
    {
        DevalueNode.String when Enum.TryParse<T>(reader.GetString(reference), ignoreCase: true, out var named) => named,
        DevalueNode.Number or DevalueNode.BigInt => (T)Enum.ToObject(typeof(T), _numbers.Read(reader, reference)),
        _ => throw reader.Mismatch(reference, typeof(T)),
    };

    private static bool UsesNames(TypeCache cache)
    {
        static bool IsStringEnumConverter(Type? type) =>
            type is not null && (type == typeof(JsonStringEnumConverter)
                || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(JsonStringEnumConverter<>)));

        return IsStringEnumConverter(typeof(T).GetCustomAttribute<JsonConverterAttribute>()?.ConverterType)
            || cache.Options.JsonSerializerOptions.Converters.Any(c => IsStringEnumConverter(c.GetType()));
    }
}
