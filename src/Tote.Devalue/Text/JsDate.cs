namespace Tote.Devalue;

internal static class JsDate
{
    public const double MaxMilliseconds = 8.64e15;

    public static string ToIsoString(long epochMilliseconds) => throw new NotImplementedException();
}
