namespace Tote.Devalue;

internal static class UrlSearchParamsText
{
    public static string Normalize(string query) => query;
}
