namespace Tote.Docs.Tests.Snippets;

/// <summary>What a <c>&lt;!-- snippet: … --&gt;</c> comment right before a block asks of the check.</summary>
internal enum SnippetMarkerKind
{
    /// <summary><c>not-compiled (reason)</c>: the block is an outline, never compiled.</summary>
    NotCompiled,

    /// <summary><c>members-of=Type (reason)</c>: the block is members of an app-model class.</summary>
    MembersOf,
}
