using System.Text.RegularExpressions;

namespace Tote.Docs.Tests.Snippets;

/// <summary>
/// An HTML comment on the line right before a ```csharp fence, invisible on GitHub and NuGet, for
/// the rare block the default rules cannot compile: <c>&lt;!-- snippet: not-compiled (reason) --&gt;</c>
/// or <c>&lt;!-- snippet: members-of=IndexModel (reason) --&gt;</c>. The reason is required.
/// </summary>
internal sealed partial record SnippetMarker(SnippetMarkerKind Kind, string? TypeName, string Reason)
{
    /// <summary>Whether <paramref name="line"/> is meant as a marker (well formed or not).</summary>
    public static bool LooksLikeMarker(string line) => line.TrimStart().StartsWith("<!-- snippet", StringComparison.Ordinal);

    /// <summary>The marker on <paramref name="line"/>; a malformed one is an error naming the forms that work.</summary>
    public static SnippetMarker Parse(string line, string location)
    {
        var match = MarkerPattern().Match(line.Trim());
        if (!match.Success)
        {
            throw new FormatException(
                $"{location}: '{line.Trim()}' is not a snippet marker. Write '<!-- snippet: not-compiled (reason) -->' "
                + "or '<!-- snippet: members-of=TypeName (reason) -->' on the line right before the ```csharp fence.");
        }

        var typeName = match.Groups["type"].Success ? match.Groups["type"].Value : null;
        var kind = typeName is null ? SnippetMarkerKind.NotCompiled : SnippetMarkerKind.MembersOf;
        return new SnippetMarker(kind, typeName, match.Groups["reason"].Value.Trim());
    }

    [GeneratedRegex(@"^<!-- snippet: (?:not-compiled|members-of=(?<type>[A-Za-z_][A-Za-z0-9_]*)) \((?<reason>[^)]*\S[^)]*)\) -->$")]
    private static partial Regex MarkerPattern();
}
