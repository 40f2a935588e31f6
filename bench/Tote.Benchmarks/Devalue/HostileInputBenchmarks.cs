using BenchmarkDotNet.Attributes;
using Tote.Devalue;

namespace Tote.Benchmarks.Devalue;

/// <summary>
/// Reads hostile devalue text of growing size (<see cref="HostileTexts"/>): each tenfold step in
/// <see cref="Size"/> should cost about ten times the time and memory, whether the text is
/// accepted or refused. Two ways in: an untyped read, and the check Tote's session core runs on
/// every stored record it loads (parse, then validate without building values).
/// </summary>
[MemoryDiagnoser]
public class HostileInputBenchmarks
{
    private string _text = null!;

    /// <summary>The text's length in characters, about.</summary>
    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int Size { get; set; }

    // The shapes whose cost grows with the text (the ReferencesTo… shapes matter for typed reads, which the tests cover).
    [Params(
        HostileShape.BigIntDigits, HostileShape.HexBigIntDigits, HostileShape.ManyBigInts, HostileShape.LongNumber, HostileShape.References,
        HostileShape.DeepNesting, HostileShape.EscapedString, HostileShape.TypedArray, HostileShape.MapKeys)]
    public HostileShape Shape { get; set; }

    [GlobalSetup]
    public void Setup() => _text = HostileTexts.Build(Shape, Size);

    [Benchmark(Description = "Deserialize (untyped)")]
    public object? Deserialize()
    {
        try
        {
            return DevalueSerializer.Deserialize(_text);
        }
        catch (DevalueException ex)
        {
            return ex;
        }
    }

    [Benchmark(Description = "Parse + Validate (session load)")]
    public object? Validate()
    {
        DevalueDocument? document = null;
        try
        {
            document = DevalueDocument.Parse(_text);
            document.Validate();
            return document;
        }
        catch (DevalueException ex)
        {
            return ex;
        }
        finally
        {
            document?.Release();
        }
    }
}
