using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using CsCheck;
using Tote.Benchmarks.Devalue;
using Tote.Devalue.Tests.Vectors;

namespace Tote.Devalue.Tests;

/// <summary>
/// Fuzzing with adversarially shaped devalue text: entry tables whose entries are hostile
/// templates (wrong, huge, negative and fractional indexes, malformed BigInts and tags, lone
/// surrogates, long runs) and mutated hostile texts. Every read ends in a value or a
/// <see cref="DevalueException"/>, nothing else, and quickly.
/// </summary>
public sealed class HostileInputFuzzTests
{
    // Each test samples for this long, then stops; the Timeout is the hard bound.
    private const int SampleSeconds = 4;
    private const int TestTimeout = 20_000;

    // One input, read every way, must not take longer than this, even on a loaded machine.
    private static readonly TimeSpan MaxPerInput = TimeSpan.FromSeconds(2);

    private static readonly Type[] TypedTargets =
    [
        typeof(object), typeof(BigInteger), typeof(long), typeof(int), typeof(double), typeof(decimal), typeof(string),
        typeof(DateTimeOffset), typeof(Uri), typeof(byte[]), typeof(int[]), typeof(List<object?>), typeof(List<BigInteger>),
        typeof(HashSet<string>), typeof(Dictionary<string, object?>), typeof(Dictionary<string, int>),
        typeof(Dictionary<long, string>), typeof(FuzzRecord),
    ];

    private static readonly Gen<string> Indexes = Gen.Frequency(
        (8, Gen.Int[0, 9].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("-1", "-2", "-3", "-6", "-7", "-8", "4294967295", "2147483648", "1e400", "0.5", "-0", "1e1", "99999999999999999999", "-1e-400")));

    private static readonly Gen<string> Strings = Gen.OneOf(
        Gen.Char["aZ0 <\\u00\ud800\udc00\ud83d\ude00\u2028é"].Array[0, 12].Select(chars => new string(chars)),
        Gen.OneOf(@"\ud800", @"\udfff", @"\ud800\udc00", @"\u", @"\u00zz", "\\", @"\n", "__proto__", "https://a.example/", "2024-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z"),
        Gen.Select(Gen.OneOf("9", @"\n", "a", @"\ud800", "0"), Gen.Int[1, 20_000], (unit, count) => string.Concat(Enumerable.Repeat(unit, count))));

    private static readonly Gen<string> BigIntTexts = Gen.OneOf(
        Gen.Select(
            Gen.OneOf("", "0x", "0X", "0o", "0b", "-", "+", " ", "\\t", "-0x", "00"),
            Gen.Char["0123456789abcdefxXoObB +-_n."].Array[0, 24],
            (prefix, body) => prefix + new string(body)),
        Gen.Select(Gen.OneOf("", "-", "0x", "0b", "0o"), Gen.Int[9_990, 10_010], Gen.Char["0179f"], (prefix, count, digit) => prefix + new string(digit, count)),
        Gen.Select(Gen.OneOf("", "0x"), Gen.Int[10_001, 400_000], (prefix, count) => prefix + new string('1', count)));

    private static readonly Gen<string> Entries = Gen.Frequency(
        (3, Indexes),
        (3, Strings.Select(s => $"\"{s}\"")),
        (1, Gen.OneOf("true", "false", "null", "1e308", "-1e-7")),
        (3, Indexes.Array[0, 6].Select(items => $"[{string.Join(',', items)}]")),
        (1, Gen.Select(Indexes, Gen.Int[0, 50_000], (index, count) => $"[{string.Join(',', Enumerable.Repeat(index, count))}]")),
        (2, Gen.Select(Gen.OneOf("a", "b", "__proto__", "0", "4294967295", @"\ud800"), Indexes).Array[0, 4]
            .Select(pairs => "{" + string.Join(',', pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}")),
        (3, BigIntTexts.Select(text => $"[\"BigInt\",\"{text}\"]")),
        (1, Gen.OneOf("[\"BigInt\",1e308]", "[\"BigInt\",0.5]", "[\"BigInt\"]", "[\"BigInt\",null]", "[\"Object\",1]")),
        (3, Gen.Select(
            Gen.OneOf("Set", "Map", "Object", "null", "Date", "RegExp", "URL", "URLSearchParams", "Uint8Array", "BigInt64Array", "Float64Array", "DataView", "ArrayBuffer", "Temporal.Instant", "Nope"),
            Gen.Frequency((3, Indexes), (1, Strings.Select(s => $"\"{s}\""))).Array[0, 5],
            (tag, args) => $"[\"{tag}\"{string.Concat(args.Select(a => "," + a))}]")),
        (1, Gen.Select(Gen.OneOf("0", "1", "4294967295", "1000000", "2.5", "-1"), Indexes.Array[0, 6], (length, rest) => $"[-7,{length}{string.Concat(rest.Select(r => "," + r))}]")),
        (1, Gen.Int[0, 3_000].Select(count => $"[\"ArrayBuffer\",\"{new string('A', count * 4)}\"]")));

    private static readonly Gen<string> EntryTables = Entries.Array[1, 10].Select(entries => $"[{string.Join(',', entries)}]");

    private static readonly Gen<string> MutatedHostileTexts = Gen.Select(
        Gen.Enum<HostileShape>(),
        Gen.Int[1, 20_000],
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Char["[]{},:\"0-9\\ud"]).Array[0, 3],
        (shape, size, edits) => Edit(HostileTexts.Build(shape, size), edits));

    [Fact(Timeout = TestTimeout)]
    public Task Deserialize_HostileEntryTables_ReturnsAValueOrThrowsDevalueException()
        => SampleAsync(EntryTables, static text => ReadEveryWay(text, DevalueOptions.Default), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeout)]
    public Task Deserialize_MutatedHostileTexts_ReturnsAValueOrThrowsDevalueException()
        => SampleAsync(MutatedHostileTexts, static text => ReadEveryWay(text, DevalueOptions.Default), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeout)]
    public Task Deserialize_HostileEntryTablesUnderTightLimits_ReturnsAValueOrThrowsDevalueException()
    {
        var tight = new DevalueOptions { MaxDepth = 3, MaxEntries = 6, MaxArrayLength = 20, MaxBigIntDigits = 5 };
        return SampleAsync(EntryTables, text => ReadEveryWay(text, tight), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = TestTimeout)]
    public Task ValidatingADocument_OfHostileEntryTables_RefusesExactlyWhatAnUntypedReadRefuses()
        => SampleAsync(EntryTables, static text =>
            Assert.Equal(Refuses(() => DevalueSerializer.Deserialize(text)), Refuses(() => DevalueDocument.Parse(text).Validate())),
            TestContext.Current.CancellationToken);

    private static Task SampleAsync(Gen<string> texts, Action<string> assert, CancellationToken cancellationToken) =>
        Task.Run(
            () => texts.Sample(
                text =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var started = Stopwatch.GetTimestamp();
                    assert(text);
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    Assert.True(elapsed <= MaxPerInput, $"Reading one input of {text.Length:N0} characters took {elapsed.TotalMilliseconds:N0} ms.");
                },
                time: SampleSeconds,
                threads: 1,
                print: text => NaturalValueAssert.Quote(text.Length > 400 ? text[..200] + "…" + text[^200..] : text)),
            cancellationToken);

    /// <summary>Reads the text untyped, as every typed target, and as the session core checks a record.</summary>
    private static void ReadEveryWay(string text, DevalueOptions options)
    {
        foreach (var type in TypedTargets)
        {
            ReadOnlyDevalueException(() => DevalueSerializer.Deserialize(text, type, options), $"Deserialize<{type.Name}>", text);
        }

        ReadOnlyDevalueException(() => DevalueSerializer.Deserialize(text, options), "Deserialize", text);
        ReadOnlyDevalueException(() => DevalueDocument.Parse(text, options).Validate(), "DevalueDocument.Validate", text);
    }

    private static void ReadOnlyDevalueException(Action read, string what, string text)
    {
        try
        {
            read();
        }
        catch (DevalueException)
        {
        }
        catch (Exception exception)
        {
            Assert.Fail($"{what} of {NaturalValueAssert.Quote(text.Length > 400 ? text[..400] + "…" : text)} threw {exception.GetType().FullName} instead of DevalueException: {exception}");
        }
    }

    private static bool Refuses(Action read)
    {
        try
        {
            read();
            return false;
        }
        catch (DevalueException)
        {
            return true;
        }
    }

    private static string Edit(string text, (int Kind, int Position, char Char)[] edits)
    {
        var builder = new StringBuilder(text);
        foreach (var (kind, position, c) in edits)
        {
            var at = position % (builder.Length + 1);
            switch (kind)
            {
                case 0:
                    builder.Length = at;
                    break;
                case 1 when at < builder.Length:
                    builder[at] = c;
                    break;
                case 2 when at < builder.Length:
                    builder.Remove(at, 1);
                    break;
                default:
                    builder.Insert(at, c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>A typed target with a constructor, nested collections and BigInts.</summary>
    public sealed record FuzzRecord(string Name, List<int> Items, Dictionary<string, BigInteger> Big, FuzzRecord? Next);
}
