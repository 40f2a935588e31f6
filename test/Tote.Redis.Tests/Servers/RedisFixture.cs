using StackExchange.Redis;

namespace Tote.Redis.Tests.Servers;

/// <summary>
/// A Redis-protocol server the tests run against, shared by the tests of one class. Tests use
/// random session IDs, so they run in parallel against one server.
/// </summary>
public abstract class RedisFixture : IAsyncLifetime
{
    /// <summary>The StackExchange.Redis configuration string, or <see langword="null"/> when no server could be had.</summary>
    public string? Configuration { get; protected set; }

    /// <summary>Why there is no server, reported as the tests' skip reason.</summary>
    public string? Unavailable { get; protected set; }

    /// <summary>Opens a new connection with admin commands (INFO, FLUSHALL) allowed, or skips the calling test.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (Configuration is null)
        {
            Assert.Skip(Unavailable ?? "No Redis server.");
        }

        var options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <inheritdoc />
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
