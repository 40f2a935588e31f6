namespace Tote.Docs.Tests.Snippets;

/// <summary>How a block is compiled, decided from its syntax and its marker.</summary>
internal enum SnippetShape
{
    /// <summary>Statements (and maybe types): the top-level statements of a Program.cs.</summary>
    Program,

    /// <summary>Only type declarations: a file of a class library.</summary>
    Types,

    /// <summary>Marked <c>members-of=Type</c>: the body of a class of the app model.</summary>
    Members,
}
