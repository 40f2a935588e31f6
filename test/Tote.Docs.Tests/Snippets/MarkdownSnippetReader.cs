using System.Text;
using System.Text.RegularExpressions;

namespace Tote.Docs.Tests.Snippets;

/// <summary>Finds the C# blocks of the user-facing Markdown: README.md, docs/*.md and src/*/README.md.</summary>
internal static partial class MarkdownSnippetReader
{
    /// <summary>Every C# block of the repository's user-facing Markdown, in file and line order.</summary>
    public static IReadOnlyList<MarkdownSnippet> ReadRepository(string root)
    {
        var files = new List<string> { Path.Combine(root, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"));
        files.AddRange(Directory.GetDirectories(Path.Combine(root, "src"))
            .Select(directory => Path.Combine(directory, "README.md"))
            .Where(File.Exists));

        return files
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .SelectMany(relative => Read(relative, File.ReadAllText(Path.Combine(root, relative))))
            .ToList();
    }

    /// <summary>
    /// The C# blocks of one Markdown text. Blocks in other languages are skipped whole, so a
    /// ```csharp line inside a longer ```` fence is not a block. A marker must sit on the line right
    /// before a C# fence; anywhere else it is an error, so that a marker never silently stops applying.
    /// </summary>
    public static IReadOnlyList<MarkdownSnippet> Read(string file, string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<MarkdownSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = FenceOpen().Match(lines[i]);
            if (!open.Success)
            {
                if (SnippetMarker.LooksLikeMarker(lines[i])
                    && (i + 1 >= lines.Length || !IsCSharp(FenceOpen().Match(lines[i + 1]))))
                {
                    throw new FormatException($"{file}:{i + 1}: a snippet marker must be on the line right before a ```csharp fence.");
                }

                continue;
            }

            var indent = open.Groups["indent"].Length;
            var fence = open.Groups["fence"].Value;
            var code = new StringBuilder();
            var close = i + 1;
            for (; close < lines.Length && !IsClosing(lines[close], fence); close++)
            {
                code.Append(Unindent(lines[close], indent)).Append('\n');
            }

            if (close == lines.Length)
            {
                throw new FormatException($"{file}:{i + 1}: the code fence is never closed.");
            }

            if (IsCSharp(open))
            {
                var marker = i > 0 && SnippetMarker.LooksLikeMarker(lines[i - 1])
                    ? SnippetMarker.Parse(lines[i - 1], $"{file}:{i}")
                    : null;
                snippets.Add(new MarkdownSnippet(file, i + 1, code.ToString(), marker));
            }

            i = close;
        }

        return snippets;
    }

    private static bool IsCSharp(Match open) =>
        open.Success && open.Groups["info"].Value.Trim().ToLowerInvariant() is "csharp" or "cs" or "c#";

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    // Fence indentation (a block inside a list item) is not part of the code.
    private static string Unindent(string line, int indent)
    {
        var spaces = 0;
        while (spaces < indent && spaces < line.Length && line[spaces] == ' ')
        {
            spaces++;
        }

        return line[spaces..];
    }

    [GeneratedRegex(@"^(?<indent> *)(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex FenceOpen();
}
