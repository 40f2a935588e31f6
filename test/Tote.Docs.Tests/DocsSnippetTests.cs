using Tote.Docs.Tests.Snippets;
using Tote.Tests.Shared;

namespace Tote.Docs.Tests;

/// <summary>Every ```csharp block a user reads in the docs compiles against the current packages.</summary>
public sealed class DocsSnippetTests
{
    private static readonly Lazy<IReadOnlyList<MarkdownSnippet>> All =
        new(() => MarkdownSnippetReader.ReadRepository(RepositoryFiles.Find("")));

    /// <summary>The location (<c>file:line</c>) of every block that is compiled.</summary>
    public static TheoryData<string> CompiledBlocks =>
        [.. All.Value.Where(snippet => snippet.Marker?.Kind != SnippetMarkerKind.NotCompiled).Select(snippet => snippet.Location)];

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void CSharpBlock_Compiles(string location)
    {
        var snippet = All.Value.Single(snippet => snippet.Location == location);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out var source);

        Assert.True(
            diagnostics.IsEmpty,
            $"The ```csharp block at {location} does not compile (as {Describe(source.Shape)}; the conventions and markers are in "
            + "test/Tote.Docs.Tests/README.md):\n" + string.Join('\n', diagnostics));
    }

    private static string Describe(SnippetShape shape) => shape switch
    {
        SnippetShape.Program => "the top-level statements of a Program.cs",
        SnippetShape.Types => "a file of type declarations",
        _ => "members of an app-model class",
    };
}
