using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;

namespace Tote.Devalue;

/// <summary>Chooses and caches the converter for each type, per <see cref="DevalueOptions"/>.</summary>
internal sealed class TypeCache(DevalueOptions options)
{
    private readonly ConcurrentDictionary<Type, DevalueConverter> _converters = new();

    public DevalueOptions Options { get; } = options;

    public DevalueConverter<T> GetConverter<T>()
    {
        // Nearly every caller uses one TypeCache (the default options'): remember its converter
        // per T in a static slot, which skips hashing the Type. The slot is immutable, so racing
        // writers only ever replace one whole pair with another.
        if (LastConverter<T>.Slot is { } slot && ReferenceEquals(slot.Owner, this))
        {
            return slot.Converter;
        }

        var converter = (DevalueConverter<T>)GetConverter(typeof(T));
        LastConverter<T>.Slot = new(this, converter);
        return converter;
    }

    public DevalueConverter GetConverter(Type type) =>
        _converters.TryGetValue(type, out var converter) ? converter : _converters.GetOrAdd(type, Create(type));

    public JsonTypeInfo GetJsonTypeInfo(Type type) => Options.JsonSerializerOptions.GetTypeInfo(type);

    private DevalueConverter Create(Type type)
    {
        if (type == typeof(object))
        {
            return new ObjectConverter(this);
        }

        if (PrimitiveConverters.TryCreate(type, this) is { } primitive)
        {
            return primitive;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Make(typeof(NullableConverter<>), [underlying], this);
        }

        if (type.IsEnum)
        {
            return Make(typeof(EnumConverter<>), [type], this);
        }

        if (NaturalConverters.IsNatural(type))
        {
            return Make(typeof(NaturalConverter<>), [type], this);
        }

        if (UnsupportedConverter.Reason(type) is { } reason)
        {
            return Make(typeof(UnsupportedConverter<>), [type], reason.Reason, reason.Predicate);
        }

        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return Make(typeof(ArrayConverter<>), [type.GetElementType()!], this);
        }

        if (CollectionShapes.Dictionary(type) is { } dictionary)
        {
            return Make(typeof(DictionaryConverter<,,>), [type, dictionary.Key, dictionary.Value], this);
        }

        if (CollectionShapes.Set(type) is { } setElement)
        {
            return Make(typeof(SetConverter<,>), [type, setElement], this);
        }

        if (CollectionShapes.Enumerable(type) is { } element)
        {
            return Make(typeof(ListConverter<,>), [type, element], this);
        }

        JsonTypeInfo info;
        try
        {
            info = GetJsonTypeInfo(type);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return Make(typeof(UnsupportedConverter<>), [type], UnsupportedConverter.NonPojo, UnsupportedConverter.NotPlainData(type, "System.Text.Json cannot describe its shape: " + ex.Message));
        }

        return info.Kind == JsonTypeInfoKind.Object
            ? Make(typeof(PocoConverter<>), [type], this, info)
            : Make(typeof(UnsupportedConverter<>), [type], UnsupportedConverter.NonPojo, UnsupportedConverter.NotPlainData(type));
    }

    private static DevalueConverter Make(Type definition, Type[] arguments, params object?[] constructorArguments) =>
        (DevalueConverter)Activator.CreateInstance(definition.MakeGenericType(arguments), constructorArguments)!;

    private static class LastConverter<T>
    {
        public static ConverterSlot<T>? Slot;
    }

    private sealed record ConverterSlot<T>(TypeCache Owner, DevalueConverter<T> Converter);
}
