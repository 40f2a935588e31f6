namespace Tote.Docs.Tests.Snippets;

/// <summary>One ```csharp block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository root, with forward slashes.</param>
/// <param name="FenceLine">The 1-based line of the opening fence; the code starts on the next line.</param>
/// <param name="Code">The block's text, without the fences and the fence's indentation.</param>
/// <param name="Marker">The marker on the line before the fence, if any.</param>
internal sealed record MarkdownSnippet(string File, int FenceLine, string Code, SnippetMarker? Marker)
{
    /// <summary><c>file:line</c> of the opening fence: how tests and failures name the block.</summary>
    public string Location => $"{File}:{FenceLine}";

    /// <inheritdoc/>
    public override string ToString() => Location;
}
