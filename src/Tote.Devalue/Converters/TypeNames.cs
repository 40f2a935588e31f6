namespace Tote.Devalue;

/// <summary>
/// Type names for error messages as C# writes them: <c>List&lt;string&gt;</c> rather than
/// <c>List`1</c>, <c>int?</c> rather than <c>Nullable`1</c>.
/// </summary>
internal static class TypeNames
{
    /// <summary>The short name, without namespaces or enclosing types: <c>List&lt;CartItem&gt;</c>, <c>int?</c>.</summary>
    public static string Describe(Type type) => Name(type, qualified: false);

    /// <summary>The name with its namespace and enclosing types, for the type a message is about: <c>System.Net.Http.HttpClient</c>.</summary>
    public static string FullName(Type type) => Name(type, qualified: true);

    private static string Name(Type type, bool qualified)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying, qualified) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!, qualified) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (Keyword(type) is { } keyword)
        {
            return keyword;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            name += "<" + string.Join(", ", type.GetGenericArguments().Select(a => Name(a, qualified))) + ">";
        }

        if (qualified && type.IsNested && !type.IsGenericParameter)
        {
            return Name(type.DeclaringType!, qualified) + "." + name;
        }

        return qualified && !string.IsNullOrEmpty(type.Namespace) ? type.Namespace + "." + name : name;
    }

    private static string? Keyword(Type type) => Type.GetTypeCode(type) switch
    {
        _ when type.IsEnum => null,
        _ when type == typeof(object) => "object",
        TypeCode.Boolean => "bool",
        TypeCode.Char => "char",
        TypeCode.SByte => "sbyte",
        TypeCode.Byte => "byte",
        TypeCode.Int16 => "short",
        TypeCode.UInt16 => "ushort",
        TypeCode.Int32 => "int",
        TypeCode.UInt32 => "uint",
        TypeCode.Int64 => "long",
        TypeCode.UInt64 => "ulong",
        TypeCode.Single => "float",
        TypeCode.Double => "double",
        TypeCode.Decimal => "decimal",
        TypeCode.String => "string",
        _ => null,
    };
}
