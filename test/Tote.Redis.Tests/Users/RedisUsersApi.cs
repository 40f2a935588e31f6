using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tote.Testing;
using Tote.Users;

namespace Tote.Redis.Tests.Users;

/// <summary>An app on the redis driver with the endpoints the user-index tests drive: set a key, sign in, who am I, regenerate, sign out.</summary>
internal static class RedisUsersApi
{
    public static Task<ToteTestHost> StartAsync(IConnectionMultiplexer connection, string keyPrefix)
        => ToteTestHost.StartAsync(
            app =>
            {
                app.MapPost("/set/{key}/{value}", (Session session, string key, string value) =>
                {
                    session.Set(key, value);
                    return "ok";
                });
                app.MapPost("/signin", async (Session session, string user) =>
                {
                    await session.SignInAsync(user);
                    return session.Handle;
                });
                app.MapGet("/me", async (Session session) => await session.GetUserIdAsync() ?? "(none)");
                app.MapPost("/regenerate", async (Session session) =>
                {
                    await session.RegenerateAsync();
                    return "ok";
                });
                app.MapPost("/signout", async (Session session) =>
                {
                    // Read first, as a sign-out does: the core removes the user's entry only for a session it has loaded.
                    var user = await session.GetUserIdAsync();
                    session.Destroy();
                    return user ?? "(none)";
                });
            },
            o => o.Driver = b => b.UseRedis(connection, r => r.KeyPrefix = keyPrefix));

    /// <summary>Signs <paramref name="client"/> in as <paramref name="user"/> (any text: it goes in the query string); answers the new handle.</summary>
    public static async Task<string> SignInAsync(SessionClient client, string user)
    {
        using var response = await client.PostAsync("/signin?user=" + Uri.EscapeDataString(user));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public static UserSessions Users(ToteTestHost host) => host.Services.GetRequiredService<UserSessions>();
}
