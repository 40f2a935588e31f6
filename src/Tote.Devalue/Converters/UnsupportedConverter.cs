using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <summary>
/// Types that hold behaviour or resources rather than data. Writing one fails with devalue's
/// reason (for <see cref="DevalueException.Reason"/>) and a sentence in .NET terms.
/// </summary>
internal static class UnsupportedConverter
{
    /// <summary>devalue's reason for an object that is not plain data.</summary>
    public const string NonPojo = "Cannot stringify arbitrary non-POJOs";

    private const string PlainData = "Plain data is records, classes with public properties, collections, strings, numbers and dates.";

    /// <summary>
    /// devalue's reason and the rest of a sentence about a value of <paramref name="type"/>
    /// (<c>is a System.IO.MemoryStream, which is not plain data. …</c>); <see langword="null"/>
    /// when the type is not one of these.
    /// </summary>
    public static (string Reason, string Predicate)? Reason(Type type)
    {
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return ("Cannot stringify a function", $"is a delegate ({TypeNames.FullName(type)}), which is not plain data. Store data, not delegates or lambdas.");
        }

        if (typeof(Task).IsAssignableFrom(type) || typeof(IAsyncResult).IsAssignableFrom(type)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)) || type == typeof(ValueTask))
        {
            return ("Cannot stringify a Promise or thenable — use stringifyAsync instead", $"is a {TypeNames.FullName(type)}, which is not plain data. Await it and store its result.");
        }

        if (type == typeof(object) || type.IsPointer || type == typeof(IntPtr) || type == typeof(UIntPtr)
            || typeof(Exception).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type)
            || typeof(Stream).IsAssignableFrom(type) || typeof(WeakReference).IsAssignableFrom(type)
            || typeof(WaitHandle).IsAssignableFrom(type) || type == typeof(CancellationToken)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ConditionalWeakTable<,>))
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WeakReference<>)))
        {
            return (NonPojo, NotPlainData(type));
        }

        return null;
    }

    /// <summary>The rest of a sentence about a value of <paramref name="type"/>, which is not plain data.</summary>
    /// <param name="type">The value's type.</param>
    /// <param name="why">Why, when known (a sentence); otherwise the general advice is given.</param>
    public static string NotPlainData(Type type, string? why = null) =>
        $"is a {TypeNames.FullName(type)}, which is not plain data. {why ?? "Store the data it holds instead."} {PlainData}";
}

internal sealed class UnsupportedConverter<T>(string reason, string predicate) : DevalueConverter<T>
{
    public override int Write(DevalueWriter writer, T value)
    {
        if (value is null)
        {
            return writer.WriteNull();
        }

        // The declared type may be a base of what was actually given: name the actual type.
        var actual = value.GetType();
        throw DevalueWriter.Fail(reason, actual == typeof(T) ? predicate : UnsupportedConverter.Reason(actual)?.Predicate ?? predicate);
    }

    public override T Read(DevalueReader reader, int reference) =>
        throw DevalueReader.Fail("Unsupported type", $"Cannot read a {TypeNames.FullName(typeof(T))}: it is not plain data, so nothing stored can become one. Read the data it would hold instead, as a record, a class with public properties or a collection.");
}
