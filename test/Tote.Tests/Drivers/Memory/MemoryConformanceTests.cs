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

/// <summary>Hostile stored records on the memory driver: records live as .NET strings, so a planted one is saved as such, decoded leniently and with its times clamped.</summary>
public sealed class MemoryDriverHostileRecordTests : SessionStoreHostileRecordConformanceTests
{
    protected override void UseDriver(IToteBuilder builder) => builder.UseMemory();

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
    {
        var stored = new SessionRecord
        {
            Data = HostileRecord.Text(record.Damage(record.Data.Span)),
            CreatedAt = HostileRecord.ToDateTimeOffset(record.CreatedAt),
            ExpiresAt = HostileRecord.ToDateTimeOffset(record.ExpiresAt),
        };
        Assert.NotNull(await host.Store.SaveAsync(id, stored, SessionVersion.Missing, TestContext.Current.CancellationToken));
    }
}

public sealed class MemorySessionStoreUserIndexTests : SessionStoreUserIndexConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => MemoryConformance.CreateAsync(time);
}
