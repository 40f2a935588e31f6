using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tote;
using Tote.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the Redis driver (also Valkey and Garnet).</summary>
public static class RedisToteBuilderExtensions
{
    /// <summary>
    /// Makes the <c>redis</c> driver available without choosing it, so that configuration alone
    /// chooses it: <c>"Tote:Driver": "redis"</c> with <c>"Tote:Redis:Configuration"</c> (or an
    /// <see cref="IConnectionMultiplexer"/> in the app's services) and <c>"Tote:Redis:KeyPrefix"</c>.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:Redis"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder AddRedis(this IToteBuilder builder, Action<RedisSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.AddStore(RedisSessionStore.DriverName, CreateStore);
    }

    /// <summary>
    /// Stores sessions in Redis (the <c>redis</c> driver), connecting with
    /// <c>"Tote:Redis:Configuration"</c>, or else through the <see cref="IConnectionMultiplexer"/>
    /// registered in the app's services. The value at <c>KeyPrefix + id</c> is exactly the
    /// session's Astro record, so an Astro app sharing the Redis and the cookie shares sessions.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:Redis"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseRedis(this IToteBuilder builder, Action<RedisSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.UseStore(RedisSessionStore.DriverName, CreateStore);
    }

    /// <summary>
    /// Stores sessions in the Redis at <paramref name="configuration"/>, a StackExchange.Redis
    /// configuration string such as <c>localhost:6379</c>. The driver opens and owns the
    /// connection, and keeps retrying it while the server is unreachable (requests answer 503).
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string.</param>
    /// <param name="configure">Sets the driver's other options, such as the key prefix.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseRedis(this IToteBuilder builder, string configuration, Action<RedisSessionStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return UseRedis(builder, options =>
        {
            options.Configuration = configuration;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Stores sessions through an existing Redis connection, which the app keeps owning (the
    /// driver never closes it).
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="connection">The connection to use.</param>
    /// <param name="configure">Sets the driver's options, such as the key prefix.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseRedis(this IToteBuilder builder, IConnectionMultiplexer connection, Action<RedisSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        builder.Services.RemoveAll<RedisConnection.Given>();
        builder.Services.AddSingleton(new RedisConnection.Given(connection));
        return UseRedis(builder, configure);
    }

    private static void AddOptions(IToteBuilder builder, Action<RedisSessionStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RedisSessionStoreOptions>().BindConfiguration(RedisSessionStoreOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSessionStoreOptions>, RedisSessionStoreOptionsValidator>());
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }
    }

    private static RedisSessionStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value;
        var (connection, owned) = RedisConnection.Resolve(services, options);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Tote.Redis");
        // The endpoints only: the configuration string may hold a password.
        Log.Started(logger, string.Join(", ", connection.GetEndPoints().Select(e => e.ToString())), options.KeyPrefix);
        return new RedisSessionStore(
            connection,
            owned,
            options,
            services.GetRequiredService<IOptions<ToteOptions>>().Value.IdleTimeout,
            services.GetRequiredService<TimeProvider>(),
            logger);
    }
}
