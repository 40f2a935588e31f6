using System.Diagnostics;
using Tote.Benchmarks.Devalue;

namespace Tote.Devalue.Tests;

/// <summary>
/// Hostile text costs time and memory in proportion to its size: reading eight times the text
/// may take at most <see cref="MaxTimeFactor"/> times as long (a quadratic path would take 64
/// times), and allocates at most <see cref="MaxBytesPerChar"/> bytes per character of text,
/// whether it is accepted or refused. The tests run alone (see <see cref="RunsAlone"/>),
/// so that other tests' garbage collections do not land in their timings.
/// </summary>
[Collection(nameof(HostileInputScalingTests))]
public sealed class HostileInputScalingTests
{
    private const int SmallSize = 128_000;
    private const int Growth = 8;

    // Generous, for a loaded 2-core machine: linear is 8, quadratic 64.
    private const double MaxTimeFactor = 25;

    // The token table, the entry tables and the values built: a few dozen bytes per character at most.
    private const long MaxBytesPerChar = 64;

    public static TheoryData<HostileShape> Shapes => [.. Enum.GetValues<HostileShape>()];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Deserialize_EightTimesTheText_TakesAboutEightTimesAsLong(HostileShape shape)
    {
        AssertLinearTime(shape, static text => Read(() => DevalueSerializer.Deserialize(text)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ValidatingADocument_EightTimesTheText_TakesAboutEightTimesAsLong(HostileShape shape)
    {
        AssertLinearTime(shape, static text => Read(() => ParseAndValidate(text)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Deserialize_AllocatesAtMostAFewDozenBytesPerCharacter(HostileShape shape)
    {
        AssertBoundedMemory(shape, static text => Read(() => DevalueSerializer.Deserialize(text)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ValidatingADocument_AllocatesAtMostAFewDozenBytesPerCharacter(HostileShape shape)
    {
        AssertBoundedMemory(shape, static text => Read(() => ParseAndValidate(text)));
    }

    [Theory]
    [InlineData(HostileShape.ManyBigInts)]
    [InlineData(HostileShape.ReferencesToABigInt)]
    public void DeserializeTypedBigIntegers_EightTimesTheText_TakesAboutEightTimesAsLong(HostileShape shape)
    {
        AssertLinearTime(shape, static text => Read(() => DevalueSerializer.Deserialize<List<System.Numerics.BigInteger>>(text)));
    }

    [Theory]
    [InlineData(HostileShape.References)]
    [InlineData(HostileShape.ReferencesToALongNumber)]
    public void DeserializeTypedDoubles_EightTimesTheText_TakesAboutEightTimesAsLong(HostileShape shape)
    {
        AssertLinearTime(shape, static text => Read(() => DevalueSerializer.Deserialize<List<double>>(text)));
    }

    [Fact]
    public void DeserializeTypedDates_ManyReferencesToOneLongDateText_TakesAboutEightTimesAsLongForEightTimesTheText()
    {
        AssertLinearTime(
            "ReferencesToALongDate",
            static size => $"[[{string.Join(',', Enumerable.Repeat('1', size / 4))}],[\"Date\",\"Mon, 01 Jan 2024 00:00:00 GMT{new string(' ', size / 2)}\"]]",
            static text => Read(() => DevalueSerializer.Deserialize<List<DateTimeOffset>>(text)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MeasuringTheExpandedLength_EightTimesTheText_TakesAboutEightTimesAsLong(HostileShape shape)
    {
        AssertLinearTime(shape, static text => Read(() => MeasureExpansion(text)));
    }

    [Fact]
    public void MeasuringTheExpandedLength_OfADoublingChain_TakesAboutEightTimesAsLongForEightTimesTheText()
    {
        // Every entry references the next twice: the expansion doubles at each of thousands of
        // levels, which a measure that walked references instead of entries could never finish.
        AssertLinearTime("DoublingChain", static size => Expansion.DevalueExpansionTests.DoublingChain(size / 10), static text => Read(() => MeasureExpansion(text)));
    }

    [Fact]
    public void MeasuringTheExpandedLength_OfManyReferencesToOneLongString_TakesAboutEightTimesAsLongForEightTimesTheText()
    {
        AssertLinearTime(
            "ReferencesToALongString",
            static size => $"[[{string.Join(',', Enumerable.Repeat('1', size / 4))}],\"{new string('x', size / 2)}\"]",
            static text => Read(() => MeasureExpansion(text)));
    }

    private static void MeasureExpansion(string text)
    {
        var document = DevalueDocument.Parse(text);
        try
        {
            document.MeasureExpandedLength(long.MaxValue);
        }
        finally
        {
            document.Release();
        }
    }

    [Fact]
    public void TryGetProperty_OfOneLargeObjectSharedByEveryValueOfAMap_TakesAboutEightTimesAsLongForEightTimesTheText()
    {
        // A session record whose every value is one object with as many keys as the Map has
        // entries: looking up each value's properties must not scan all the keys each time.
        AssertLinearTime(nameof(SharedObjectRecord), SharedObjectRecord, static text =>
        {
            var document = DevalueDocument.Parse(text);
            foreach (var (_, value) in document.GetMapEntries(document.Root))
            {
                document.TryGetProperty(value, "data", out _);
                document.TryGetProperty(value, "expires", out _);
            }

            document.Release();
        });
    }

    /// <summary><c>[["Map",1,2,1,2,…],"k",{"k0":1,"k1":1,…,"data":1}]</c>, about <paramref name="size"/> characters.</summary>
    private static string SharedObjectRecord(int size)
    {
        var count = size / 16;
        return $"[[\"Map\"{string.Concat(Enumerable.Repeat(",1,2", count))}],\"k\",{{{string.Concat(Enumerable.Range(0, count).Select(i => $"\"k{i}\":1,"))}\"data\":1}}]";
    }

    private static void AssertLinearTime(HostileShape shape, Action<string> read)
        => AssertLinearTime(shape.ToString(), size => HostileTexts.Build(shape, size), read);

    private static void AssertLinearTime(string shape, Func<int, string> build, Action<string> read)
    {
        var small = build(SmallSize);
        var large = build(SmallSize * Growth);

        // Warm-up: JIT, tiered compilation and the reader's buffers at the large size.
        read(small);
        read(large);

        // Other processes share the machine: a pause can land in any one measurement, so a
        // path passes when one of three measurements is within the factor. A quadratic path
        // fails all three.
        var measured = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var smallTime = Fastest(small, read, runs: 5);
            var largeTime = Fastest(large, read, runs: 3);

            // Under a millisecond the timer and the scheduler dominate: compare against at least that.
            var factor = largeTime.TotalMilliseconds / Math.Max(smallTime.TotalMilliseconds, 1);
            if (factor <= MaxTimeFactor)
            {
                return;
            }

            measured.Add($"{largeTime.TotalMilliseconds:N1} ms against {smallTime.TotalMilliseconds:N1} ms ({factor:N1} times)");
        }

        Assert.Fail($"{shape}: {large.Length:N0} characters took more than {MaxTimeFactor} times as long as {small.Length:N0}: {string.Join("; ", measured)}.");
    }

    private static void AssertBoundedMemory(HostileShape shape, Action<string> read)
    {
        var text = HostileTexts.Build(shape, SmallSize * Growth);
        read(text);

        var before = GC.GetAllocatedBytesForCurrentThread();
        read(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(
            allocated <= MaxBytesPerChar * text.Length,
            $"{shape}: reading {text.Length:N0} characters allocated {allocated:N0} bytes, {(double)allocated / text.Length:N1} per character.");
    }

    private static TimeSpan Fastest(string text, Action<string> read, int runs)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            // Start each run with no garbage left by the one before, so that a collection it did
            // not cause is not counted against it.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var started = ThreadTime();
            read(text);
            var elapsed = ThreadTime() - started;
            fastest = elapsed < fastest ? elapsed : fastest;
        }

        return fastest;
    }

    /// <summary>
    /// The CPU time this thread has used, where the platform tells it (Linux), else the wall clock:
    /// other processes on a loaded machine then do not count against a measurement.
    /// </summary>
    private static TimeSpan ThreadTime()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out var time) == 0)
        {
            return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
        }

        return Stopwatch.GetElapsedTime(0);
    }

    private const int ClockThreadCpuTime = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static void ParseAndValidate(string text)
    {
        var document = DevalueDocument.Parse(text);
        try
        {
            document.Validate();
        }
        finally
        {
            document.Release();
        }
    }

    /// <summary>Reads, accepting a <see cref="DevalueException"/> as an outcome; any other exception fails the test.</summary>
    private static void Read(Action read)
    {
        try
        {
            read();
        }
        catch (DevalueException)
        {
        }
    }
}

/// <summary>Runs <see cref="HostileInputScalingTests"/> on their own, after every test that runs in parallel.</summary>
[CollectionDefinition(nameof(HostileInputScalingTests), DisableParallelization = true)]
public sealed class RunsAlone;
