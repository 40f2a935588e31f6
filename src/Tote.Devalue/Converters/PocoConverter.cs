using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace Tote.Devalue;

/// <summary>
/// Classes, records and structs as plain JavaScript objects. The shape (names, order, ignored
/// members, the constructor to use) comes from System.Text.Json's contract for the type, so
/// <c>[JsonPropertyName]</c>, <c>[JsonIgnore]</c>, <c>[JsonConstructor]</c> and naming policies
/// mean the same here; getters and setters are compiled so values are not boxed.
/// </summary>
internal sealed class PocoConverter<T> : DevalueConverter<T>
{

    private readonly PropertyAccessor<T>[] _properties;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byExactName;
    private readonly Dictionary<string, int>? _byNameIgnoringCase;
    private readonly Func<object>? _createDefault;
    private readonly ConstructorInfo? _constructorInfo;
    private readonly int _parameterCount;
    private Func<DevalueReader, int[], int, T>? _constructor;
    private readonly bool _hasProtoKey;
    private readonly int _maxEntryLength;

    public PocoConverter(TypeCache cache, JsonTypeInfo info)
    {
        var properties = info.Properties.Select(p => PropertyAccessor<T>.Create(cache, p)).ToList();
        var ordered = JsPropertyOrder.Order(properties.Select(p => p.Name)).ToList();
        _properties = [.. ordered.Select(name => properties.First(p => p.Name == name))];
        _hasProtoKey = properties.Any(p => p.Name == "__proto__");
        _maxEntryLength = 2 + _properties.Sum(p => p.QuotedName.Length + 13);
        // Names usually match exactly, and ordinal lookups are the cheapest: try that first.
        var exact = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _properties.Length; i++)
        {
            exact.TryAdd(_properties[i].Name, i);
        }

        _byExactName = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _byNameIgnoringCase = info.Options.PropertyNameCaseInsensitive
            ? new Dictionary<string, int>(exact, StringComparer.OrdinalIgnoreCase)
            : null;
        _createDefault = info.CreateObject;
        if (_createDefault is null && info.ConstructorAttributeProvider is ConstructorInfo constructor)
        {
            // Compiled on first read, when the converters of the parameters' types can be looked up
            // without recursing into this one.
            _constructorInfo = constructor;
            _parameterCount = constructor.GetParameters().Length;
        }
    }

    public override int Write(DevalueWriter writer, T value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        var index = 0;
        if (!typeof(T).IsValueType && writer.TryReuse(value, out index))
        {
            return index;
        }

        if (typeof(T).IsValueType)
        {
            index = writer.Reserve();
        }

        if (_hasProtoKey)
        {
            throw DevalueWriter.Fail(
                "Cannot stringify objects with __proto__ keys",
                $"is a {TypeNames.FullName(typeof(T))} with a member stored as \"__proto__\", which JavaScript would take for the object's prototype. Give the member another name ([JsonPropertyName]).");
        }

        writer.EnterContainer();
        var mark = writer.StackMark;
        foreach (var property in _properties)
        {
            try
            {
                writer.Push(property.Write(writer, value));
            }
            catch (DevalueException ex) when (ex.AddPathStep(property.PathStep))
            {
                throw;
            }
        }

        var children = writer.Children(mark);
        var start = writer.BeginEntry();

        // The text's length is bounded by the names plus 13 characters a property: reserve once.
        var span = writer.GetSpan(_maxEntryLength);
        var written = 0;
        span[written++] = '{';
        for (var i = 0; i < children.Length; i++)
        {
            if (children[i] == PropertyAccessor<T>.Skipped)
            {
                continue;
            }

            if (written > 1)
            {
                span[written++] = ',';
            }

            var name = _properties[i].QuotedName;
            name.CopyTo(span[written..]);
            written += name.Length;
            span[written++] = ':';
            written += DevalueWriter.FormatInt(children[i], span[written..]);
        }

        span[written++] = '}';
        writer.Advance(written);
        writer.EndEntry(index, start);
        writer.PopTo(mark);
        writer.ExitContainer();
        return index;
    }

    public override T Read(DevalueReader reader, int reference)
    {
        var node = reader.GetNode(reference);
        if (node is DevalueNode.Undefined or DevalueNode.Null)
        {
            return default!;
        }

        var typed = reader.GetTyped(reference);
        if (typed is T existing)
        {
            return existing;
        }

        if (ReferenceEquals(typed, UnderConstruction))
        {
            throw DevalueReader.Fail(
                "Unsupported cycle",
                $"The value refers back to a {TypeNames.Describe(typeof(T))} that is still being built from constructor parameters; give the type a parameterless constructor and settable properties to keep such cycles.");
        }

        if (node != DevalueNode.Object)
        {
            throw reader.Mismatch(reference, typeof(T));
        }

        reader.EnterContainer();
        var result = _constructorInfo is null ? ReadWithSetters(reader, reference) : ReadWithConstructor(reader, reference);
        reader.ExitContainer();
        return result;
    }

    private T ReadWithSetters(DevalueReader reader, int reference)
    {
        if (_createDefault is null)
        {
            throw DevalueReader.Fail("Type mismatch", $"Cannot create a {TypeNames.Describe(typeof(T))}: it has no public parameterless constructor and no [JsonConstructor].");
        }

        var result = (T)_createDefault();
        if (!typeof(T).IsValueType)
        {
            reader.SetTyped(reference, result!);
        }

        var count = reader.ElementCount(reference);
        var token = reader.ElementTokenOfObject(reference);
        var expected = 0;
        for (var i = 0; i < count; i++)
        {
            var property = Find(reader, token, ref expected);
            token = reader.NextToken(token);
            if (property is not null && property.CanSet)
            {
                try
                {
                    property.Read(reader, ref result, reader.ResolveIndex(token));
                }
                catch (DevalueException ex) when (ex.AddPathStep(property.PathStep))
                {
                    throw;
                }
            }

            token = reader.NextToken(token);
        }

        return result;
    }

    private T ReadWithConstructor(DevalueReader reader, int reference)
    {
        var constructor = _constructor ??= CompileConstructor(_constructorInfo!);

        // Which entry each constructor parameter reads; the compiled constructor reads them typed,
        // so no argument is boxed.
        var first = reader.PushArguments(_parameterCount, PropertyAccessor<T>.NotRead, out var arguments);

        reader.SetTyped(reference, UnderConstruction);
        var count = reader.ElementCount(reference);
        var token = reader.ElementTokenOfObject(reference);
        var expected = 0;
        List<(PropertyAccessor<T> Property, int Reference)>? later = null;
        for (var i = 0; i < count; i++)
        {
            var property = Find(reader, token, ref expected);
            token = reader.NextToken(token);
            if (property is not null)
            {
                var valueReference = reader.ResolveIndex(token);
                if (property.ParameterPosition >= 0)
                {
                    // A repeated key replaces the earlier value, as in JSON.parse.
                    arguments[first + property.ParameterPosition] = valueReference;
                }
                else if (property.CanSet)
                {
                    (later ??= []).Add((property, valueReference));
                }
            }

            token = reader.NextToken(token);
        }

        T result;
        try
        {
            result = constructor(reader, arguments, first);
        }
        catch (Exception ex) when (ex is not DevalueException)
        {
            throw new DevalueException(
                "Constructor failed",
                $"The constructor of {TypeNames.Describe(typeof(T))} rejected the values read: {ex.Message}",
                path: null,
                ex);
        }

        reader.PopArguments(first);
        reader.SetTyped(reference, result!);
        if (later is null)
        {
            return result;
        }

        foreach (var (property, valueReference) in later)
        {
            try
            {
                property.Read(reader, ref result, valueReference);
            }
            catch (DevalueException ex) when (ex.AddPathStep(property.PathStep))
            {
                throw;
            }
        }

        return result;
    }

    // A compiled "(reader, arguments, first) => new T(property0.ReadArgument(reader, arguments[first]), …)"
    // reads each argument with its typed converter straight into the call: no boxing, and none of
    // the per-call argument checks of reflection invocation, which dominated reading records.
    private Func<DevalueReader, int[], int, T> CompileConstructor(ConstructorInfo constructor)
    {
        var reader = Expression.Parameter(typeof(DevalueReader), "reader");
        var arguments = Expression.Parameter(typeof(int[]), "arguments");
        var first = Expression.Parameter(typeof(int), "first");
        var values = constructor.GetParameters().Select(parameter =>
        {
            var argument = Expression.ArrayIndex(arguments, Expression.Add(first, Expression.Constant(parameter.Position)));
            var missing = MissingArgument(parameter);
            var property = _properties.FirstOrDefault(p => p.ParameterPosition == parameter.Position);
            return property is null
                ? missing
                : Expression.Condition(
                    Expression.Equal(argument, Expression.Constant(PropertyAccessor<T>.NotRead)),
                    missing,
                    Expression.Convert(property.ReadArgumentExpression(reader, argument), parameter.ParameterType));
        });
        Expression body = Expression.New(constructor, values);
        if (body.Type != typeof(T))
        {
            body = Expression.Convert(body, typeof(T));
        }

        return Expression.Lambda<Func<DevalueReader, int[], int, T>>(body, reader, arguments, first).Compile();
    }

    /// <summary>The value a parameter takes when the text has no property for it: its declared default, or the type's.</summary>
    private static Expression MissingArgument(ParameterInfo parameter) =>
        parameter.HasDefaultValue && parameter.DefaultValue is { } value
            ? Expression.Convert(Expression.Constant(value), parameter.ParameterType)
            : Expression.Default(parameter.ParameterType);

    /// <summary>
    /// The member a key names. Keys usually come in the order the members are written, so the one
    /// after the previous match (<paramref name="expected"/>) is compared first.
    /// </summary>
    private PropertyAccessor<T>? Find(DevalueReader reader, int keyToken, ref int expected)
    {
        var raw = reader.TokenRawString(keyToken, out var escaped);
        int index;
        if (!escaped)
        {
            if ((uint)expected < (uint)_properties.Length && raw.SequenceEqual(_properties[expected].Name))
            {
                return _properties[expected++];
            }

            if (_byExactName.TryGetValue(raw, out index))
            {
                expected = index + 1;
                return _properties[index];
            }
        }

        var name = escaped ? reader.TokenString(keyToken) : null;
        if (name is not null && _byExactName.Dictionary.TryGetValue(name, out index))
        {
            expected = index + 1;
            return _properties[index];
        }

        if (_byNameIgnoringCase is null
            || !_byNameIgnoringCase.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name ?? raw, out index))
        {
            return null;
        }

        expected = index + 1;
        return _properties[index];
    }
}

/// <summary>One member of a POCO: its JavaScript name, and compiled access to its value.</summary>
internal abstract class PropertyAccessor<T>
{
    public const int Skipped = int.MinValue;

    /// <summary>The reference of a constructor argument the text has no property for.</summary>
    public const int NotRead = int.MinValue;

    protected PropertyAccessor(JsonPropertyInfo info)
    {
        Name = info.Name;
        QuotedName = JsString.Quote(info.Name);
        PathStep = PathSegment.Member(info.Name, (info.AttributeProvider as MemberInfo)?.Name ?? info.Name, typeof(T));
        ParameterPosition = info.AssociatedParameter?.Position ?? -1;
    }

    public string Name { get; }

    public string QuotedName { get; }

    /// <summary>The member as a step of an error's path: its stored name for devalue's path, its C# name for the message.</summary>
    public PathSegment PathStep { get; }

    public int ParameterPosition { get; }

    public abstract bool CanSet { get; }

    public static PropertyAccessor<T> Create(TypeCache cache, JsonPropertyInfo info) =>
        (PropertyAccessor<T>)Activator.CreateInstance(
            typeof(PropertyAccessor<,>).MakeGenericType(typeof(T), info.PropertyType), cache, info)!;

    /// <summary>Writes the member's value of <paramref name="owner"/>; <see cref="Skipped"/> when the contract leaves it out.</summary>
    public abstract int Write(DevalueWriter writer, T owner);

    public abstract void Read(DevalueReader reader, ref T owner, int reference);

    /// <summary>A call reading the member's value at <paramref name="reference"/> as a constructor argument, its path step added on failure.</summary>
    public abstract Expression ReadArgumentExpression(Expression reader, Expression reference);
}

internal sealed class PropertyAccessor<T, TValue> : PropertyAccessor<T>
{
    private readonly TypeCache _cache;
    private readonly Func<T, TValue>? _get;
    private readonly Action<T, TValue>? _set;
    private readonly Func<object, object?>? _getBoxed;
    private readonly Action<object, object?>? _setBoxed;
    private readonly Func<object, object?, bool>? _shouldSerialize;
    private DevalueConverter<TValue>? _converter;

    public PropertyAccessor(TypeCache cache, JsonPropertyInfo info)
        : base(info)
    {
        _cache = cache;
        _shouldSerialize = info.ShouldSerialize;
        var member = info.AttributeProvider as MemberInfo;
        if (member is PropertyInfo or FieldInfo && !typeof(T).IsValueType)
        {
            var owner = Expression.Parameter(typeof(T), "owner");
            if (info.Get is not null)
            {
                _get = Expression.Lambda<Func<T, TValue>>(Expression.Convert(Expression.MakeMemberAccess(owner, member), typeof(TValue)), owner).Compile();
            }

            if (info.Set is not null && IsAssignable(member))
            {
                var value = Expression.Parameter(typeof(TValue), "value");
                _set = Expression.Lambda<Action<T, TValue>>(
                    Expression.Assign(Expression.MakeMemberAccess(owner, member), Expression.Convert(value, member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType)),
                    owner,
                    value).Compile();
            }
        }

        // Structs, custom contract members and init-only or read-only members go through the contract's delegates.
        _getBoxed = _get is null ? info.Get : null;
        _setBoxed = _set is null ? info.Set : null;
    }

    public override bool CanSet => _set is not null || _setBoxed is not null;

    private DevalueConverter<TValue> Converter => _converter ??= _cache.GetConverter<TValue>();

    public override int Write(DevalueWriter writer, T owner)
    {
        TValue value;
        if (_get is not null)
        {
            value = _get(owner);
        }
        else if (_getBoxed is not null)
        {
            value = (TValue)_getBoxed(owner!)!;
        }
        else
        {
            return Skipped;
        }

        if (_shouldSerialize is not null && !_shouldSerialize(owner!, value))
        {
            return Skipped;
        }

        return Converter.Write(writer, value);
    }

    public override void Read(DevalueReader reader, ref T owner, int reference)
    {
        var value = Converter.Read(reader, reference);
        if (_set is not null)
        {
            _set(owner, value);
        }
        else if (_setBoxed is not null)
        {
            // Boxing a struct owner copies it; write the box back so the change is kept.
            object boxed = owner!;
            _setBoxed(boxed, value);
            owner = (T)boxed;
        }
    }

    public override Expression ReadArgumentExpression(Expression reader, Expression reference) =>
        Expression.Call(Expression.Constant(this), typeof(PropertyAccessor<T, TValue>).GetMethod(nameof(ReadArgument))!, reader, reference);

    public TValue ReadArgument(DevalueReader reader, int reference)
    {
        try
        {
            return Converter.Read(reader, reference);
        }
        catch (DevalueException ex) when (ex.AddPathStep(PathStep))
        {
            throw;
        }
    }

    private static bool IsAssignable(MemberInfo member) => member switch
    {
        PropertyInfo property => property.SetMethod is { } setter
            && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)),
        FieldInfo field => !field.IsInitOnly && !field.IsLiteral,
        _ => false,
    };
}
