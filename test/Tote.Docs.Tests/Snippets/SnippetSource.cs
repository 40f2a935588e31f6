using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tote.Docs.Tests.Snippets;

/// <summary>
/// The C# file a block is compiled as. Every piece of the block keeps its Markdown position through
/// <c>#line</c> directives, so an error names the .md file and line a reader sees.
/// <list type="bullet">
/// <item>Statements: top-level statements of a Program.cs. The block's usings go first, then
/// <c>var builder = WebApplication.CreateBuilder(args);</c> and <c>var app = builder.Build();</c>
/// (unless the block declares them: a block declaring <c>builder</c> is a whole Program.cs), and
/// <c>session</c>, the request's <c>Session</c> the docs talk about; then the block's statements,
/// then its types (a block may show its <c>Keys</c> before the code that uses them).</item>
/// <item>Only types: a class library file.</item>
/// <item>Marked <c>members-of=Type</c>: the body of <c>partial class Type</c> of the app model.</item>
/// </list>
/// </summary>
internal sealed class SnippetSource
{
    private SnippetSource(SnippetShape shape, string text, IReadOnlySet<string> declaredTypes)
    {
        Shape = shape;
        Text = text;
        DeclaredTypes = declaredTypes;
    }

    /// <summary>How the block is compiled.</summary>
    public SnippetShape Shape { get; }

    /// <summary>The C# file.</summary>
    public string Text { get; }

    /// <summary>The top-level types the block declares: the app model leaves out its own of these names.</summary>
    public IReadOnlySet<string> DeclaredTypes { get; }

    /// <summary>The file <paramref name="snippet"/> is compiled as.</summary>
    public static SnippetSource Compose(MarkdownSnippet snippet, CSharpParseOptions parseOptions)
    {
        if (snippet.Marker is { Kind: SnippetMarkerKind.MembersOf, TypeName: { } typeName })
        {
            var members = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"partial class {typeName}\n{{\n")
                .Append(LineDirective(snippet, 0))
                .Append(snippet.Code)
                .Append("#line default\n}\n");
            return new SnippetSource(SnippetShape.Members, members.ToString(), new HashSet<string>());
        }

        var root = CSharpSyntaxTree.ParseText(snippet.Code, parseOptions).GetCompilationUnitRoot();
        var statements = root.Members.OfType<GlobalStatementSyntax>().ToList();
        var others = root.Members.Where(member => member is not GlobalStatementSyntax).ToList();
        var declaredTypes = others.OfType<BaseTypeDeclarationSyntax>().Select(type => type.Identifier.Text)
            .Concat(others.OfType<DelegateDeclarationSyntax>().Select(type => type.Identifier.Text))
            .ToHashSet(StringComparer.Ordinal);

        var text = new StringBuilder();
        foreach (var node in root.Externs.Cast<SyntaxNode>().Concat(root.Usings).Concat(root.AttributeLists))
        {
            AppendMapped(text, snippet, node);
        }

        if (statements.Count > 0)
        {
            text.Append("#line default\n");
            var declared = statements.Select(statement => statement.Statement)
                .OfType<LocalDeclarationStatementSyntax>()
                .SelectMany(declaration => declaration.Declaration.Variables)
                .Select(variable => variable.Identifier.Text)
                .ToHashSet(StringComparer.Ordinal);
            if (!declared.Contains("builder"))
            {
                text.Append("var builder = WebApplication.CreateBuilder(args);\n");
                if (!declared.Contains("app"))
                {
                    text.Append("var app = builder.Build();\n");
                }
            }

            // A method call, not a constant, so that an unused ambient session raises no warning.
            if (!declared.Contains("session"))
            {
                text.Append("var session = default(HttpContext)!.GetSession();\n");
            }
        }

        foreach (var member in statements.Concat(others))
        {
            AppendMapped(text, snippet, member);
        }

        return new SnippetSource(statements.Count > 0 ? SnippetShape.Program : SnippetShape.Types, text.ToString(), declaredTypes);
    }

    private static void AppendMapped(StringBuilder text, MarkdownSnippet snippet, SyntaxNode node)
    {
        var start = node.GetLocation().GetLineSpan().StartLinePosition;
        text.Append(LineDirective(snippet, start.Line))
            .Append(' ', start.Character)
            .Append(node.ToString())
            .Append('\n');
    }

    // The code's first line is the line after the fence; #line numbers the line that follows it.
    private static string LineDirective(MarkdownSnippet snippet, int codeLine) =>
        string.Create(CultureInfo.InvariantCulture, $"#line {snippet.FenceLine + 1 + codeLine} \"{snippet.File}\"\n");
}
