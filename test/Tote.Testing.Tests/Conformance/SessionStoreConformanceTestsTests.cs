using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tote.Drivers;
using Xunit.Sdk;

namespace Tote.Testing.Tests.Conformance;

/// <summary>The conformance classes fail on a driver that breaks the contract, and pass on one that keeps it.</summary>
public sealed class SessionStoreConformanceTestsTests
{
    [Fact]
    public async Task CoreSuite_OnADriverThatIgnoresVersions_FailsTheStaleVersionTest()
    {
        await using var suite = new CoreSuite(store => new LastWriterWinsStore(store));
        await suite.InitializeAsync();

        await Assert.ThrowsAnyAsync<XunitException>(suite.Save_WithStaleVersion_ConflictsAndKeepsStoredData);
    }

    [Fact]
    public async Task CoreSuite_OnTheMemoryDriver_PassesTheStaleVersionTest()
    {
        await using var suite = new CoreSuite(store => store);
        await suite.InitializeAsync();

        await suite.Save_WithStaleVersion_ConflictsAndKeepsStoredData();
    }

    [Fact]
    public Task CoreSuite_WithoutCompareAndSwap_OnADriverThatIgnoresVersions_FailsTheConcurrentSavesTest()
        => AssertLastWriterWinsSuiteFailsAsync(store => new LastWriterWinsStore(store), suite => suite.ConcurrentSaves_WithTheSameVersion_LeaveOneWholeRecord());

    [Fact]
    public Task CoreSuite_WithoutCompareAndSwap_OnADriverThatIgnoresVersions_FailsTheConcurrentLoopsTest()
        => AssertLastWriterWinsSuiteFailsAsync(store => new LastWriterWinsStore(store), suite => suite.ConcurrentCompareAndSwapLoops_LoseNoUpdateWhereTheDriverCanCompare());

    [Fact]
    public Task CoreSuite_WithoutCompareAndSwap_OnADriverThatReturnsAnotherVersion_FailsTheConcurrentSavesTest()
        => AssertLastWriterWinsSuiteFailsAsync(store => new MisreportingVersionStore(store), suite => suite.ConcurrentSaves_WithTheSameVersion_LeaveOneWholeRecord());

    [Fact]
    public async Task CoreSuite_WithoutCompareAndSwap_OnTheMemoryDriver_PassesTheConcurrentTests()
    {
        await using var suite = new CoreSuite(store => store, supportsCompareAndSwap: false);
        await suite.InitializeAsync();

        await suite.ConcurrentSaves_WithTheSameVersion_LeaveOneWholeRecord();
        await suite.ConcurrentCompareAndSwapLoops_LoseNoUpdateWhereTheDriverCanCompare();
    }

    [Fact]
    public async Task SweeperSuite_OnADriverWhoseSweepRemovesNothing_Fails()
    {
        await using var suite = new SweeperSuite();
        await suite.InitializeAsync();

        await Assert.ThrowsAnyAsync<XunitException>(suite.Sweep_RemovesExpiredSessionsAndKeepsLiveOnes);
    }

    // The core suite with compare-and-swap off, as a last-writer-wins driver runs it, over the memory driver wrapped in a broken one.
    private static async Task AssertLastWriterWinsSuiteFailsAsync(Func<ISessionStore, ISessionStore> broken, Func<CoreSuite, Task> test)
    {
        await using var suite = new CoreSuite(broken, supportsCompareAndSwap: false);
        await suite.InitializeAsync();

        await Assert.ThrowsAnyAsync<XunitException>(() => test(suite));
    }

    // The memory driver as a third party reaches it: through AddTote() on a bare service collection.
    private static ServiceProvider MemoryDriver(TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddTote(o => o.IdleTimeout = TimeSpan.FromHours(1)).UseMemory(m => m.SweepInterval = TimeSpan.FromDays(1));
        return services.BuildServiceProvider();
    }

    // Not public, so xunit does not run these suites on their own.
    private sealed class CoreSuite(Func<ISessionStore, ISessionStore> wrap, bool supportsCompareAndSwap = true) : SessionStoreConformanceTests
    {
        private ServiceProvider? _services;

        protected override bool SupportsCompareAndSwap => supportsCompareAndSwap;

        protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        {
            _services = MemoryDriver(time);
            return ValueTask.FromResult(wrap(_services.GetRequiredService<ISessionStore>()));
        }

        protected override ValueTask CorruptAsync(ISessionStore store, string id) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (_services is not null)
            {
                await _services.DisposeAsync();
            }
        }
    }

    private sealed class SweeperSuite : SessionStoreSweeperConformanceTests
    {
        private ServiceProvider? _services;

        protected override ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time)
        {
            _services = MemoryDriver(time);
            return ValueTask.FromResult(_services.GetRequiredService<ISessionStore>());
        }

        protected override ValueTask<int> SweepAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (_services is not null)
            {
                await _services.DisposeAsync();
            }
        }
    }

    // Saves whatever version the caller expected: the lost-update bug the suite exists to catch.
    // One save at a time, so every save succeeds and the tests that catch it fail every run.
    private sealed class LastWriterWinsStore(ISessionStore inner) : ISessionStore, IDisposable
    {
        private readonly SemaphoreSlim _oneSave = new(1, 1);

        public void Dispose() => _oneSave.Dispose();

        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => inner.LoadAsync(id, cancellationToken);

        public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expected, CancellationToken cancellationToken = default)
        {
            await _oneSave.WaitAsync(cancellationToken);
            try
            {
                var current = await inner.LoadAsync(id, cancellationToken);
                return await inner.SaveAsync(id, record, current?.Version ?? SessionVersion.Missing, cancellationToken);
            }
            finally
            {
                _oneSave.Release();
            }
        }

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => inner.RefreshAsync(id, expiresAt, cancellationToken);
    }

    // Answers each save with a version of its own (and accepts it back), while loads report the
    // version actually stored: the caller can never match the record it loads to its own save.
    private sealed class MisreportingVersionStore(ISessionStore inner) : ISessionStore
    {
        private readonly ConcurrentDictionary<SessionVersion, SessionVersion> _issued = new();

        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => inner.LoadAsync(id, cancellationToken);

        public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expected, CancellationToken cancellationToken = default)
        {
            if (await inner.SaveAsync(id, record, _issued.GetValueOrDefault(expected, expected), cancellationToken) is not { } stored)
            {
                return null;
            }

            var told = new SessionVersion(Guid.NewGuid().ToString("N"));
            _issued[told] = stored;
            return told;
        }

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => inner.RefreshAsync(id, expiresAt, cancellationToken);
    }
}
