namespace Tote.Devalue;

/// <summary>Recognizes dictionaries, sets and sequences by the generic interfaces they implement.</summary>
internal static class CollectionShapes
{
    public static (Type Key, Type Value)? Dictionary(Type type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            if (candidate.IsGenericType)
            {
                var definition = candidate.GetGenericTypeDefinition();
                if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                {
                    var arguments = candidate.GetGenericArguments();
                    return (arguments[0], arguments[1]);
                }
            }
        }

        return null;
    }

    public static Type? Set(Type type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            if (candidate.IsGenericType
                && (candidate.GetGenericTypeDefinition() == typeof(ISet<>) || candidate.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    public static Type? Enumerable(Type type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static Type[] SelfAndInterfaces(Type type) =>
        type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces();
}
