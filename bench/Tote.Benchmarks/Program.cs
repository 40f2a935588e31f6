using BenchmarkDotNet.Running;
using Tote.Benchmarks.Devalue;

// `--write-payload <typed-file> [<astro-file>]` writes the devalue benchmark's payload for the
// Node benchmark (bench/devalue-node) instead of running benchmarks: the typed session's
// Serialize output, and optionally the same content in Astro's Map shape.
if (args.Length > 0 && args[0] == "--write-payload")
{
    if (args.Length is < 2 or > 3)
    {
        await Console.Error.WriteLineAsync("usage: --write-payload <typed-file> [<astro-file>]");
        return 2;
    }

    var payload = SessionPayload.Create();
    await File.WriteAllTextAsync(args[1], payload.TypedText);
    if (args.Length == 3)
    {
        await File.WriteAllTextAsync(args[2], payload.AstroText);
    }

    Console.WriteLine($"typed payload: {payload.TypedText.Length} chars (JSON: {payload.Json.Length}); Astro record: {payload.AstroText.Length} chars");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
