using System.Text.Json;

namespace Tote.Devalue.Tests.Vectors;

/// <summary>Loads <c>Vectors/public.json</c> once, from the test output folder.</summary>
internal static class PublicVectors
{
    private static readonly Lazy<VectorFile> File = new(Load);

    public static string DevalueVersion => File.Value.DevalueVersion;

    public static IReadOnlyList<DevalueVector> All => File.Value.Cases;

    public static DevalueVector Get(string name)
        => File.Value.ByName.TryGetValue(name, out var vector)
            ? vector
            : throw new KeyNotFoundException($"public.json has no case named '{name}'.");

    public static IEnumerable<DevalueVector> OfKind(string kind) => All.Where(v => v.Kind == kind);

    /// <summary>The names of every vector whose text devalue parses (round trips and parse-only cases).</summary>
    public static TheoryData<string> ParseableNames => NamesOf(All.Where(v => v.Kind is DevalueVector.Roundtrip or DevalueVector.ParseOnly));

    /// <summary>Case names as theory data: one test per case, the case name in its display name.</summary>
    public static TheoryData<string> NamesOf(IEnumerable<DevalueVector> vectors)
    {
        var data = new TheoryData<string>();
        foreach (var vector in vectors)
        {
            data.Add(vector.Name);
        }

        return data;
    }

    private static VectorFile Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "public.json");
        // The document stays alive for the whole test run: the vectors hold elements of it.
        var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(DevalueVector.FromJson).ToList();
        return new VectorFile(
            DevalueVector.RequiredText(root, "devalue_version"),
            cases,
            cases.ToDictionary(v => v.Name, StringComparer.Ordinal));
    }

    private sealed record VectorFile(
        string DevalueVersion,
        IReadOnlyList<DevalueVector> Cases,
        IReadOnlyDictionary<string, DevalueVector> ByName);
}
