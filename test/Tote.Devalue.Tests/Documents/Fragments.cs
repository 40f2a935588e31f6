using System.Diagnostics.CodeAnalysis;

namespace Tote.Devalue.Tests.Documents;

/// <summary>Writes a <see cref="DevalueFragment"/> as a value graph of its own, through the object converter's hook.</summary>
internal static class Fragments
{
    /// <summary>The text of the value at <paramref name="reference"/> copied from <paramref name="document"/>; <see langword="false"/> when the copy refuses.</summary>
    public static bool TryCopy(DevalueDocument document, int reference, [NotNullWhen(true)] out string? text)
        => DevalueWriter.TryWrite(
            document.Options,
            new DevalueFragment(document, reference),
            static (writer, fragment) => writer.Types.GetConverter<object?>().Write(writer, fragment),
            out text,
            out _);

    /// <summary>The text of the document's root, copied; fails the test when the copy refuses.</summary>
    public static string Copy(DevalueDocument document)
        => TryCopy(document, document.Root, out var text) ? text : throw new Xunit.Sdk.XunitException("The fragment refused to be copied.");
}
