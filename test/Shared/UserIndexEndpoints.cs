using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tote.Users;

namespace Tote.Tests.Shared;

/// <summary>
/// The endpoints the SQL drivers' user-index tests drive through the real pipeline: set a key,
/// sign in, regenerate, sign out (reading the user first: the core removes the entry of a session
/// whose binding the request has read), who am I, and how many sessions a user has.
/// </summary>
internal static class UserIndexEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/set/{key}/{value}", (Session session, string key, string value) =>
        {
            session.Set(key, value);
            return "ok";
        });
        app.MapPost("/signin/{user}", async (Session session, string user) =>
        {
            await session.SignInAsync(user);
            return "ok";
        });
        app.MapPost("/regenerate", async (Session session) =>
        {
            await session.RegenerateAsync();
            return "ok";
        });
        app.MapPost("/signout", async (Session session) =>
        {
            // The core removes the entry of a session whose binding the request has read.
            await session.GetUserIdAsync();
            session.Destroy();
            return "ok";
        });
        app.MapGet("/me", async (Session session) => await session.GetUserIdAsync() ?? "(none)");
        app.MapGet("/devices/{user}", async (UserSessions users, string user) => (await users.ListAsync(user)).Count.ToString(CultureInfo.InvariantCulture));
    }
}
