using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>
/// Options for the <c>redis</c> driver, set with <c>AddTote().UseRedis(…)</c> or in configuration
/// under <c>"Tote:Redis"</c>. Works with Redis, Valkey and Garnet, standalone or clustered.
/// </summary>
public sealed class RedisSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Tote:Redis";

    /// <summary>
    /// The StackExchange.Redis configuration string, such as <c>localhost:6379</c> or
    /// <c>redis1:6379,redis2:6379,password=…,ssl=true</c>. Not needed when the app registers an
    /// <see cref="IConnectionMultiplexer"/> in its services or passes one to <c>UseRedis</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: use the app's <see cref="IConnectionMultiplexer"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>
    /// Prepended to the session ID to form the key of each session. To share sessions with an
    /// Astro app whose unstorage Redis driver has <c>base: "sess"</c>, set <c>"sess:"</c> (unstorage
    /// joins base and key with a colon). It may contain a Redis Cluster hash tag (<c>{…}</c>);
    /// any other brace is rejected at startup.
    /// </summary>
    /// <value>Defaults to the empty string: the key is the session ID itself, as Astro's default.</value>
    public string KeyPrefix { get; set; } = string.Empty;
}
