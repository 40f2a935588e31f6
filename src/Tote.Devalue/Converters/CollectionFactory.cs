namespace Tote.Devalue;

/// <summary>How to create a collection of a declared type: the interface's usual class, or the type's own constructor.</summary>
internal static class CollectionFactory
{
    public static Func<int, ICollection<TElement>>? ForCollection<TCollection, TElement>()
    {
        if (typeof(TCollection).IsAssignableFrom(typeof(List<TElement>)))
        {
            return static capacity => new List<TElement>(capacity);
        }

        return Concrete<TCollection, ICollection<TElement>>();
    }

    public static Func<int, ICollection<TElement>>? ForSet<TSet, TElement>()
    {
        if (typeof(TSet).IsAssignableFrom(typeof(HashSet<TElement>)))
        {
            return static capacity => new HashSet<TElement>(capacity);
        }

        return Concrete<TSet, ICollection<TElement>>();
    }

    public static Func<int, TInterface>? Concrete<TType, TInterface>()
        where TInterface : class
    {
        var type = typeof(TType);
        if (type.IsAbstract || type.IsInterface || !typeof(TInterface).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        return static _ => (TInterface)(object)Activator.CreateInstance<TType>()!;
    }
}
