using Tote.Drivers;
using Tote.Drivers.FileSystem;
using Tote.Testing;

namespace Tote.Tests.Drivers.FileSystem;

/// <summary>How the fs driver's conformance classes create it: in a directory of the test's own.</summary>
internal static class FileConformance
{
    public static ValueTask<ISessionStore> CreateAsync(TempDirectory directory, TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(new FileSessionStore(directory.Path, new FileSessionStoreOptions(), time));
}

public sealed class FileSessionStoreSweeperTests : SessionStoreSweeperConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => FileConformance.CreateAsync(DisposeAfterTest(new TempDirectory()), time);
}

public sealed class FileSessionStoreEnumeratorTests : SessionStoreEnumeratorConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => FileConformance.CreateAsync(DisposeAfterTest(new TempDirectory()), time);
}

/// <summary>The core's concurrency guarantees through a pipeline on the fs driver: file locks and versions, no in-memory shortcut.</summary>
public sealed class FileDriverPipelineTests : SessionPipelineConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override void UseDriver(IToteBuilder builder) => builder.UseFileSystem(o => o.Path = _directory.Path);

    public void Dispose() => _directory.Dispose();
}

/// <summary>Hostile stored records on the fs driver: the whole file, header line included, as the driver lays it out.</summary>
public sealed class FileDriverHostileRecordTests : SessionStoreHostileRecordConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override void UseDriver(IToteBuilder builder) => builder.UseFileSystem(o => o.Path = _directory.Path);

    protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
        => await File.WriteAllBytesAsync(((FileSessionStore)host.Store).PathOf(id), record.Damage(Envelope(record)), TestContext.Current.CancellationToken);

    public void Dispose() => _directory.Dispose();

    /// <summary><c>tote1 {version} {created ticks} {expires ticks} 1</c>, a newline, then the data: the fs driver's file.</summary>
    internal static byte[] Envelope(HostileRecord record)
        => [.. System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"tote1 {record.Version} {HostileRecord.ToUtcTicks(record.CreatedAt)} {HostileRecord.ToUtcTicks(record.ExpiresAt)} 1\n")), .. record.Data.Span];
}

public sealed class FileSessionStoreUserIndexTests : SessionStoreUserIndexConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time) => FileConformance.CreateAsync(DisposeAfterTest(new TempDirectory()), time);
}
