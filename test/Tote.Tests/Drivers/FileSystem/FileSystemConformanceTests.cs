using Tote.Drivers;
using Tote.Drivers.FileSystem;
using Tote.Testing;

namespace Tote.Tests.Drivers.FileSystem;

public sealed class FileSessionStoreSweeperTests : SessionStoreSweeperConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(new FileSessionStore(_directory.Path, new FileSessionStoreOptions(), time));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class FileSessionStoreEnumeratorTests : SessionStoreEnumeratorConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        => ValueTask.FromResult<ISessionStore>(new FileSessionStore(_directory.Path, new FileSessionStoreOptions(), time));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>The core's concurrency guarantees through a pipeline on the fs driver: file locks and versions, no in-memory shortcut.</summary>
public sealed class FileDriverPipelineTests : SessionPipelineConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override void UseDriver(IToteBuilder builder) => builder.UseFileSystem(o => o.Path = _directory.Path);

    public void Dispose() => _directory.Dispose();
}
