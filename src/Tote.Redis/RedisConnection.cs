using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Tote.Redis;

/// <summary>Finds or opens the connection the <c>redis</c> driver uses.</summary>
internal static class RedisConnection
{
    /// <summary>
    /// In order: the connection passed to <c>UseRedis(IConnectionMultiplexer)</c>; a new one from
    /// <see cref="RedisSessionStoreOptions.Configuration"/>, owned by the driver; the app's
    /// <see cref="IConnectionMultiplexer"/>. A connection the app owns keeps the app's settings.
    /// </summary>
    public static (IConnectionMultiplexer Connection, bool Owned) Resolve(IServiceProvider services, RedisSessionStoreOptions options)
    {
        if (services.GetService<Given>() is { } given)
        {
            return (given.Connection, false);
        }

        if (options.Configuration is { } configuration)
        {
            var parsed = ConfigurationOptions.Parse(configuration);

            // Keep trying in the background instead of failing the app: while Redis is down, session
            // requests answer 503, and they succeed again as soon as it is back.
            parsed.AbortOnConnectFail = false;

            // While disconnected, fail a command at once with the cause ("No connection is
            // active/available …; Connection refused") instead of queueing it until its timeout:
            // the visitor gets the 503 without waiting, and Tote's circuit breaker sees the real
            // error. A session request is not worth holding through an outage.
            parsed.BacklogPolicy = BacklogPolicy.FailFast;

            // StackExchange.Redis names the key in its errors by default, and a session's key holds
            // its ID; Tote's logs and messages must never carry one.
            parsed.IncludeDetailInExceptions = false;
            return (ConnectionMultiplexer.Connect(parsed), true);
        }

        if (services.GetService<IConnectionMultiplexer>() is { } shared)
        {
            return (shared, false);
        }

        throw new InvalidOperationException(
            "The redis session driver has no connection. Set Tote:Redis:Configuration (such as \"localhost:6379\"), call AddTote().UseRedis(\"host:port\"), or register an IConnectionMultiplexer in the app's services.");
    }

    /// <summary>The connection passed in code, registered as a service.</summary>
    internal sealed record Given(IConnectionMultiplexer Connection);
}
