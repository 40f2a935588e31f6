namespace Tote.Devalue;

internal sealed class DevalueReader
{
    public static object? ReadAs(string text, Type type, DevalueOptions options) => throw new NotImplementedException();

    public static T? Read<T>(string text, DevalueOptions options) => throw new NotImplementedException();
}
