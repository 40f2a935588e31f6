using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tote.Devalue;

namespace Tote.Benchmarks.Devalue;

/// <summary>
/// Serializes and deserializes one realistic session (<see cref="SessionPayload"/>) with
/// System.Text.Json (the baseline), Tote.Devalue typed, and Tote.Devalue untyped. Ratios are
/// per operation (category).
/// </summary>
/// <remarks>
/// Typed runs use the <see cref="SessionRecord"/> graph, whose devalue form has an object at the
/// root. The untyped runs use Astro's exact record shape: a Map of key to <c>{ data, expires }</c>
/// (<see cref="SessionPayload.AstroRecord"/>), the natural-type graph of the same content.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[JsonExporterAttribute.Brief]
public class DevalueBenchmarks
{
    private const string Serialize = "Serialize";
    private const string Deserialize = "Deserialize";

    private SessionRecord _typed = null!;
    private DevalueMap _untyped = null!;
    private string _json = null!;
    private string _typedText = null!;
    private string _untypedText = null!;
    private JsonSerializerOptions _jsonOptions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var payload = SessionPayload.Create();
        _typed = payload.Typed;
        _untyped = payload.AstroRecord;
        _json = payload.Json;
        _typedText = payload.TypedText;
        _untypedText = payload.AstroText;
        _jsonOptions = SessionPayload.JsonOptions;
    }

    [BenchmarkCategory(Serialize)]
    [Benchmark(Baseline = true, Description = "System.Text.Json typed")]
    public string SerializeSystemTextJson() => JsonSerializer.Serialize(_typed, _jsonOptions);

    [BenchmarkCategory(Serialize)]
    [Benchmark(Description = "Tote.Devalue typed")]
    public string SerializeDevalueTyped() => DevalueSerializer.Serialize(_typed);

    [BenchmarkCategory(Serialize)]
    [Benchmark(Description = "Tote.Devalue untyped")]
    public string SerializeDevalueUntyped() => DevalueSerializer.Serialize(_untyped);

    [BenchmarkCategory(Deserialize)]
    [Benchmark(Baseline = true, Description = "System.Text.Json typed")]
    public SessionRecord? DeserializeSystemTextJson() => JsonSerializer.Deserialize<SessionRecord>(_json, _jsonOptions);

    [BenchmarkCategory(Deserialize)]
    [Benchmark(Description = "Tote.Devalue typed")]
    public SessionRecord? DeserializeDevalueTyped() => DevalueSerializer.Deserialize<SessionRecord>(_typedText);

    [BenchmarkCategory(Deserialize)]
    [Benchmark(Description = "Tote.Devalue untyped")]
    public object? DeserializeDevalueUntyped() => DevalueSerializer.Deserialize(_untypedText);
}
