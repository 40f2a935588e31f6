using Tote.Docs.Tests.Snippets;
using Tote.Tests.Shared;

namespace Tote.Docs.Tests;

public sealed class MarkdownSnippetReaderTests
{
    [Fact]
    public void Read_FindsOnlyTheCSharpBlocks_WithTheLineOfTheirFence()
    {
        const string markdown = """
            # Title

            ```json
            { "Tote": {} }
            ```

            ```csharp
            app.UseTote();
            ```

            ````markdown
            ```csharp
            not a block of this file
            ```
            ````

            ```cs
            app.Run();
            ```
            """;

        var snippets = MarkdownSnippetReader.Read("docs/x.md", markdown);

        Assert.Equal(["docs/x.md:7", "docs/x.md:17"], snippets.Select(snippet => snippet.Location));
        Assert.Equal("app.UseTote();\n", snippets[0].Code);
        Assert.Null(snippets[0].Marker);
    }

    [Fact]
    public void Read_BlockInAListItem_LosesTheFencesIndentation()
    {
        const string markdown = "1. Register:\n\n   ```csharp\n   builder.Services.AddTote();\n   ```\n";

        var snippet = Assert.Single(MarkdownSnippetReader.Read("docs/x.md", markdown));

        Assert.Equal("builder.Services.AddTote();\n", snippet.Code);
    }

    [Fact]
    public void Read_MarkerRightBeforeTheFence_AppliesToThatBlock()
    {
        const string markdown = """
            <!-- snippet: members-of=IndexModel (a handler of the sample's page) -->
            ```csharp
            public void OnGet() { }
            ```
            """;

        var snippet = Assert.Single(MarkdownSnippetReader.Read("docs/x.md", markdown));

        Assert.Equal(new SnippetMarker(SnippetMarkerKind.MembersOf, "IndexModel", "a handler of the sample's page"), snippet.Marker);
    }

    [Theory]
    [InlineData("<!-- snippet: not-compiled (an outline) -->\n\n```csharp\nx\n```\n", "docs/x.md:1: a snippet marker must be on the line right before a ```csharp fence.")]
    [InlineData("<!-- snippet: not-compiled (an outline) -->\n```json\n{}\n```\n", "docs/x.md:1: a snippet marker must be on the line right before a ```csharp fence.")]
    [InlineData("<!-- snippet: not-compiled -->\n```csharp\nx\n```\n", "docs/x.md:1: '<!-- snippet: not-compiled -->' is not a snippet marker.")]
    [InlineData("<!-- snippet: skip (flaky) -->\n```csharp\nx\n```\n", "docs/x.md:1: '<!-- snippet: skip (flaky) -->' is not a snippet marker.")]
    public void Read_MisplacedOrMalformedMarker_FailsNamingItsLine(string markdown, string message)
    {
        var error = Assert.Throws<FormatException>(() => MarkdownSnippetReader.Read("docs/x.md", markdown));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnclosedFence_Fails()
    {
        var error = Assert.Throws<FormatException>(() => MarkdownSnippetReader.Read("docs/x.md", "text\n```csharp\napp.Run();\n"));

        Assert.Equal("docs/x.md:2: the code fence is never closed.", error.Message);
    }

    [Fact]
    public void ReadRepository_ReadsTheRootReadmeTheDocsAndThePackageReadmes()
    {
        var files = MarkdownSnippetReader.ReadRepository(RepositoryFiles.Find("")).Select(snippet => snippet.File).ToHashSet();

        Assert.Contains("README.md", files);
        Assert.Contains("docs/typed-keys.md", files);
        Assert.Contains("src/Tote/README.md", files);
        Assert.Contains("src/Tote.Redis/README.md", files);
    }
}
