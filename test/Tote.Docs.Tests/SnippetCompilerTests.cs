using Tote.Docs.Tests.Snippets;

namespace Tote.Docs.Tests;

public sealed class SnippetCompilerTests
{
    [Fact]
    public void Compile_UndefinedVariable_FailsAtItsMarkdownLine()
    {
        // Issue 14: the middleware snippet once used a `time` it never declared.
        var snippet = Single("""
            Some prose.

            ```csharp
            app.Use(async (context, next) =>
            {
                var session = context.GetSession();
                session.Set(Keys.LastVisit, time.GetUtcNow());
                await next(context);
            });
            ```
            """);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out _);

        var error = Assert.Single(diagnostics);
        Assert.Equal("CS0103", error.Id);
        Assert.Equal("docs/where-sessions-work.md(7,33): error CS0103: The name 'time' does not exist in the current context", error.ToString());
    }

    [Fact]
    public void Compile_ValueOfTheWrongTypeForATypedKey_Fails()
    {
        var snippet = Single("```csharp\nsession.Set(Keys.User, \"Ada\");\n```\n");

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out _);

        Assert.Contains(diagnostics, diagnostic => diagnostic.Id == "CS1503");
    }

    [Fact]
    public void Compile_ValueTypeKeyReadWithoutItsNullable_Fails()
    {
        // A value-type key reads as Nullable<T>: the docs may not pretend a missing value is a DateTimeOffset.
        var snippet = Single("```csharp\nDateTimeOffset lastVisit = await session.GetAsync(Keys.LastVisit);\n```\n");

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out _);

        Assert.Contains(diagnostics, diagnostic => diagnostic.Id == "CS0266");
    }

    [Fact]
    public void Compile_PossibleNullDereference_IsAWarningThatFails()
    {
        var snippet = Single("```csharp\nvar user = await session.GetAsync(Keys.User);\nConsole.WriteLine(user.Name);\n```\n");

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out _);

        var warning = Assert.Single(diagnostics);
        Assert.Equal("CS8602", warning.Id);
    }

    [Fact]
    public void Compile_StatementsUsingTheAppModelAndTheAmbientBuilderAppAndSession_Compiles()
    {
        var snippet = Single("""
            ```csharp
            builder.Services.AddTote();
            app.UseTote();
            var visits = await session.UpdateAsync(Keys.Visits, v => (v ?? 0) + 1);
            session.Set(Keys.User, new User("42", "Ada"));
            Console.WriteLine(visits);
            ```
            """);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out var source);

        Assert.Empty(diagnostics);
        Assert.Equal(SnippetShape.Program, source.Shape);
    }

    [Fact]
    public void Compile_BlockDeclaringItsOwnKeys_UsesThemInsteadOfTheAppModels()
    {
        var snippet = Single("""
            ```csharp
            static class Keys
            {
                public static readonly SessionKey<string> Theme = new("theme");
            }

            session.Set(Keys.Theme, "dark");
            session.Set(Keys.Cart, ["apple"]);
            ```
            """);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out var source);

        // Its types come first, as docs/typed-keys.md shows them, and still compile after the statements.
        var error = Assert.Single(diagnostics);
        Assert.Equal("docs/where-sessions-work.md(8,18): error CS0117: 'Keys' does not contain a definition for 'Cart'", error.ToString());
        Assert.Equal(SnippetShape.Program, source.Shape);
    }

    [Fact]
    public void Compile_OnlyTypes_CompilesAsALibrary()
    {
        var snippet = Single("""
            ```csharp
            public sealed class CartService(TimeProvider time)
            {
                public DateTimeOffset Now => time.GetUtcNow();
            }
            ```
            """);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out var source);

        Assert.Empty(diagnostics);
        Assert.Equal(SnippetShape.Types, source.Shape);
    }

    [Fact]
    public void Compile_MembersOf_CompilesTheBlockInsideThatAppModelClass()
    {
        var snippet = Single("""
            <!-- snippet: members-of=IndexModel (a handler) -->
            ```csharp
            public async Task OnGetAsync(Session session) => Cart = await session.GetAsync(Keys.Cart) ?? [];
            ```
            """);

        var diagnostics = SnippetCompiler.Shared.Compile(snippet, out var source);

        Assert.Empty(diagnostics);
        Assert.Equal(SnippetShape.Members, source.Shape);
    }

    [Fact]
    public void Compile_MembersOfAClassTheAppModelLacks_FailsNamingTheFix()
    {
        var snippet = Single("<!-- snippet: members-of=OrderController (an action) -->\n```csharp\npublic void Index() { }\n```\n");

        var error = Assert.Throws<InvalidOperationException>(() => SnippetCompiler.Shared.Compile(snippet, out _));

        Assert.Equal(
            "docs/where-sessions-work.md:2: members-of=OrderController names no class of test/Tote.Docs.Tests/Prelude/AppModel.cs; add it there as a partial class.",
            error.Message);
    }

    private static MarkdownSnippet Single(string markdown) =>
        Assert.Single(MarkdownSnippetReader.Read("docs/where-sessions-work.md", markdown));
}
