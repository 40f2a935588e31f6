using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Testing;

namespace Tote.Tests.Drivers.Memory;

/// <summary>How the memory driver's conformance classes create it.</summary>
internal static class MemoryConformance
{
    // The suite sweeps explicitly; a timer firing as the fake clock moves would race it.
    public static MemorySessionStoreOptions Options() => new() { SweepInterval = TimeSpan.FromDays(1) };

    public static ValueTask<ISessionStore> CreateAsync(TimeProvider time) => ValueTask.FromResult<ISessionStore>(new MemorySessionStore(Options(), time));
}

public sealed class MemorySessionStoreSweeperTests : SessionStoreSweeperConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => MemoryConformance.CreateAsync(time);
}

public sealed class MemorySessionStoreEnumeratorTests : SessionStoreEnumeratorConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => MemoryConformance.CreateAsync(time);
}

public sealed class MemoryDriverPipelineTests : SessionPipelineConformanceTests
{
    protected override void UseDriver(IToteBuilder builder) => builder.UseMemory();
}
