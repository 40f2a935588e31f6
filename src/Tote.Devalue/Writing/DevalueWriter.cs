namespace Tote.Devalue;

internal sealed class DevalueWriter
{
    public static string WriteAs(object? value, Type type, DevalueOptions options) => throw new NotImplementedException();

    public static string Write<T>(T value, DevalueOptions options) => throw new NotImplementedException();
}
