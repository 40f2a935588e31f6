using System.Diagnostics.CodeAnalysis;

namespace Tote.Devalue;

/// <summary>Checks hrefs the way <c>new URL(href)</c> would accept them: absolute, with a scheme.</summary>
internal static class UrlText
{
    public static bool TryParse(string href, [NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        // On Unix, .NET takes "/path" as an absolute file URI; JavaScript needs a scheme.
        var colon = href.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(href[0]) || href.AsSpan(0, colon).ContainsAnyExcept(SchemeCharacters))
        {
            return false;
        }

        return Uri.TryCreate(href, UriKind.Absolute, out uri);
    }

    /// <summary>The href to write for a URI: exactly what it was created from, so devalue text round-trips.</summary>
    public static string Href(Uri uri) => uri.OriginalString;

    private static readonly System.Buffers.SearchValues<char> SchemeCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
}
