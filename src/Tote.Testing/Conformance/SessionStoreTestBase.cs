using Microsoft.Extensions.Time.Testing;
using Tote.Drivers;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// What every driver conformance class shares: a fresh driver per test, reading time from a fake
/// clock, and helpers that create sessions in it. A driver's test classes inherit the conformance
/// classes built on it (<see cref="SessionStoreConformanceTests"/> and one class per optional
/// capability), each saying only how to create the driver.
/// </summary>
/// <remarks>
/// xunit creates one instance per test, so every test gets its own clock and its own driver
/// instance. Tests use fresh session IDs (<see cref="TestIds.New"/>), so a driver instance may
/// share its storage (a server, a table, a key prefix) with other tests running in parallel.
/// </remarks>
public abstract class SessionStoreTestBase : IAsyncLifetime
{
    /// <summary>A stored session in Astro's format: <c>cart = ["a","b"]</c>.</summary>
    protected const string CartRecord = """[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""";

    private readonly List<IDisposable> _resources = [];
    private ISessionStore? _store;

    /// <summary>The fake clock the driver under test reads; it starts at <see cref="TestClock.Start"/> and moves only when a test advances it.</summary>
    protected FakeTimeProvider Clock { get; } = TestClock.Create();

    /// <summary>The driver under test, created by <see cref="CreateStoreAsync"/> before each test.</summary>
    /// <exception cref="InvalidOperationException">Read before <see cref="InitializeAsync"/> ran.</exception>
    protected ISessionStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync, before each test; read it from a test method.");

    /// <summary>
    /// Creates the driver under test, reading time only from <paramref name="time"/>. Turn off
    /// timers of its own (a periodic sweep) or set them far apart: a test that moves the clock
    /// must not race them.
    /// </summary>
    /// <param name="time">The fake clock of this test.</param>
    /// <returns>The driver; disposed after the test when it is <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>.</returns>
    protected abstract ValueTask<ISessionStore> CreateStoreAsync(TimeProvider time);

    /// <summary>Creates the driver under test before each test.</summary>
    /// <returns>A task that completes when the driver is ready.</returns>
    public virtual async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Clock);

    /// <summary>
    /// Disposes the driver after each test, then what <see cref="DisposeAfterTest"/> was given.
    /// Override to remove what the test left (a table, keys on a server), calling the base.
    /// </summary>
    /// <returns>A task that completes when the driver is disposed.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }

    /// <summary>
    /// Disposes <paramref name="resource"/> after the test, once the driver is disposed: for what the
    /// driver lives in (a directory, a database file), created in <see cref="CreateStoreAsync"/>,
    /// so a driver's test class need not override <see cref="DisposeAsync"/> for it.
    /// </summary>
    /// <typeparam name="T">The resource's type.</typeparam>
    /// <param name="resource">The resource, such as a temporary directory.</param>
    /// <returns><paramref name="resource"/>, to use in the driver's creation.</returns>
    protected T DisposeAfterTest<T>(T resource)
        where T : IDisposable
    {
        ArgumentNullException.ThrowIfNull(resource);
        _resources.Add(resource);
        return resource;
    }

    /// <summary>A record created now, holding <paramref name="data"/> and expiring after <paramref name="lifetime"/>.</summary>
    /// <param name="data">The stored devalue text.</param>
    /// <param name="lifetime">How long until it expires; defaults to one hour.</param>
    /// <returns>The record.</returns>
    protected SessionRecord Record(string data = CartRecord, TimeSpan? lifetime = null) => new()
    {
        Data = data,
        CreatedAt = Clock.GetUtcNow(),
        ExpiresAt = Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
    };

    /// <summary>Creates a session (a save expecting "missing") and returns its version; fails the test if the driver refuses.</summary>
    /// <param name="id">The session ID, usually from <see cref="TestIds.New"/>.</param>
    /// <param name="data">The stored devalue text.</param>
    /// <param name="lifetime">How long until it expires; defaults to one hour.</param>
    /// <returns>The version the driver issued.</returns>
    protected async Task<SessionVersion> CreateAsync(string id, string data = CartRecord, TimeSpan? lifetime = null)
    {
        var version = await Store.SaveAsync(id, Record(data, lifetime), SessionVersion.Missing, TestContext.Current.CancellationToken);
        Assert.NotNull(version);
        return version.Value;
    }

    /// <summary>Creates one session that has just expired and one that lives on, by creating both and advancing the clock 11 minutes.</summary>
    /// <returns>The two session IDs.</returns>
    protected async Task<(string Expired, string Live)> CreateExpiredAndLiveAsync()
    {
        var expired = TestIds.New();
        var live = TestIds.New();
        await CreateAsync(expired, lifetime: TimeSpan.FromMinutes(10));
        await CreateAsync(live, lifetime: TimeSpan.FromHours(2));
        Clock.Advance(TimeSpan.FromMinutes(11));
        return (expired, live);
    }
}
