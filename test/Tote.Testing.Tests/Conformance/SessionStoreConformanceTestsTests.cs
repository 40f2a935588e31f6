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
    public async Task SweeperSuite_OnADriverWhoseSweepRemovesNothing_Fails()
    {
        await using var suite = new SweeperSuite();
        await suite.InitializeAsync();

        await Assert.ThrowsAnyAsync<XunitException>(suite.Sweep_RemovesExpiredSessionsAndKeepsLiveOnes);
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
    private sealed class CoreSuite(Func<ISessionStore, ISessionStore> wrap) : SessionStoreConformanceTests
    {
        private ServiceProvider? _services;

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
    private sealed class LastWriterWinsStore(ISessionStore inner) : ISessionStore
    {
        public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => inner.LoadAsync(id, cancellationToken);

        public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expected, CancellationToken cancellationToken = default)
        {
            var current = await inner.LoadAsync(id, cancellationToken);
            return await inner.SaveAsync(id, record, current?.Version ?? SessionVersion.Missing, cancellationToken);
        }

        public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => inner.RefreshAsync(id, expiresAt, cancellationToken);
    }
}
