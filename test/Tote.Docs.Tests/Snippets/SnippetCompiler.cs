using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tote.Docs.Tests.Snippets;

/// <summary>
/// Compiles blocks with Roslyn against what this test process runs on: the trusted platform
/// assemblies (the shared frameworks, every Tote package, the packages this project references),
/// with the prelude's global usings and the app model (Prelude/*.cs).
/// </summary>
internal sealed class SnippetCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // A package built against an older Microsoft.Extensions (Npgsql.DependencyInjection) meets the
    // framework's newer one: the SDK silences these two for every app (NoWarn 1701;1702), so do we.
    private static readonly Dictionary<string, ReportDiagnostic> UnifiedVersionWarnings = new()
    {
        ["CS1701"] = ReportDiagnostic.Suppress,
        ["CS1702"] = ReportDiagnostic.Suppress,
    };

    private readonly CSharpCompilation _program;
    private readonly CSharpCompilation _library;
    private readonly CompilationUnitSyntax _appModel;

    private SnippetCompiler()
    {
        var own = typeof(SnippetCompiler).Assembly.Location;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !string.Equals(path, own, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => MetadataReference.CreateFromFile(path));
        var globalUsings = CSharpSyntaxTree.ParseText(ReadPrelude("GlobalUsings.cs"), ParseOptions, "Prelude/GlobalUsings.cs");
        _appModel = CSharpSyntaxTree.ParseText(ReadPrelude("AppModel.cs"), ParseOptions).GetCompilationUnitRoot();

        // Both share one set of references: compilations derived from them reuse the loaded symbols.
        _program = CSharpCompilation.Create(
            "Snippet",
            [globalUsings],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, deterministic: true)
                .WithSpecificDiagnosticOptions(UnifiedVersionWarnings));
        _library = _program.WithOptions(_program.Options.WithOutputKind(OutputKind.DynamicallyLinkedLibrary));
    }

    /// <summary>The one compiler of the test run.</summary>
    public static SnippetCompiler Shared { get; } = new();

    /// <summary>The errors and warnings of <paramref name="snippet"/>, compiled as <paramref name="source"/> says.</summary>
    public ImmutableArray<Diagnostic> Compile(MarkdownSnippet snippet, out SnippetSource source)
    {
        source = SnippetSource.Compose(snippet, ParseOptions);
        if (source.Shape == SnippetShape.Members
            && !_appModel.Members.OfType<ClassDeclarationSyntax>().Any(type => type.Identifier.Text == snippet.Marker!.TypeName))
        {
            throw new InvalidOperationException(
                $"{snippet.Location}: members-of={snippet.Marker!.TypeName} names no class of test/Tote.Docs.Tests/Prelude/AppModel.cs; add it there as a partial class.");
        }

        var declared = source.DeclaredTypes;
        var appModel = _appModel.RemoveNodes(
            _appModel.Members.OfType<BaseTypeDeclarationSyntax>().Where(type => declared.Contains(type.Identifier.Text)),
            SyntaxRemoveOptions.KeepNoTrivia)!;
        var compilation = (source.Shape == SnippetShape.Program ? _program : _library).AddSyntaxTrees(
            CSharpSyntaxTree.Create(appModel, ParseOptions, "Prelude/AppModel.cs"),
            CSharpSyntaxTree.ParseText(source.Text, ParseOptions, snippet.File + ".cs"));

        return compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(diagnostic => diagnostic.Location.GetMappedLineSpan().StartLinePosition)
            .ToImmutableArray();
    }

    private static string ReadPrelude(string name)
    {
        using var stream = typeof(SnippetCompiler).Assembly.GetManifestResourceStream("Prelude." + name)
            ?? throw new InvalidOperationException($"Prelude/{name} is not embedded in the test assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
