using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <summary>Types that hold behaviour or resources rather than data; writing one fails with devalue's reason.</summary>
internal static class UnsupportedConverter
{
    private const string NonPojo = "Cannot stringify arbitrary non-POJOs";

    public static (string Reason, string? Advice)? Reason(Type type)
    {
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return ("Cannot stringify a function", "Store data, not delegates or lambdas.");
        }

        if (typeof(Task).IsAssignableFrom(type) || typeof(IAsyncResult).IsAssignableFrom(type)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)) || type == typeof(ValueTask))
        {
            return ("Cannot stringify a Promise or thenable — use stringifyAsync instead", "Await the task and store its result.");
        }

        if (type == typeof(object) || type.IsPointer || type == typeof(IntPtr) || type == typeof(UIntPtr)
            || typeof(Exception).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type)
            || typeof(Stream).IsAssignableFrom(type) || typeof(WeakReference).IsAssignableFrom(type)
            || typeof(WaitHandle).IsAssignableFrom(type) || type == typeof(CancellationToken)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ConditionalWeakTable<,>))
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WeakReference<>)))
        {
            return (NonPojo, $"A {TypeNames.Describe(type)} is not plain data; store the data it holds instead.");
        }

        return null;
    }
}

internal sealed class UnsupportedConverter<T>(string reason, string? advice) : DevalueConverter<T>
{
    public override int Write(DevalueWriter writer, T value) =>
        value is null ? writer.WriteNull() : throw DevalueWriter.Fail(reason, advice);

    public override T Read(DevalueReader reader, int reference) =>
        throw DevalueReader.Fail("Unsupported type", $"Cannot read a {TypeNames.Describe(typeof(T))}: it is not plain data. {advice}");
}
