using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tote.Testing;
using Tote.Users;

namespace Tote.Tests.Users;

/// <summary>Endpoints the users tests drive: signing in, this device's handle, and the device list.</summary>
internal static class UsersApi
{
    public static void Map(WebApplication app)
    {
        SessionApi.Map(app);
        app.MapPost("/signin/{user}", async (Session session, string user) =>
        {
            await session.SignInAsync(user);
            return session.Handle;
        });
        app.MapGet("/me", async (Session session) => await session.GetUserIdAsync() ?? "(none)");
        app.MapGet("/handle", (Session session) => session.Handle ?? "(none)");
        app.MapGet("/devices/{user}", async (UserSessions users, string user) => await users.ListAsync(user));
        app.MapPost("/revoke/{user}/{handle}", async (UserSessions users, string user, string handle)
            => await users.RevokeAsync(user, handle) ? Results.NoContent() : Results.NotFound());
        app.MapPost("/revoke-others/{user}", async (Session session, UserSessions users, string user)
            => (await users.RevokeAllAsync(user, session.Handle)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static Task<ToteTestHost> StartAsync(Action<ToteTestHostOptions>? configure = null, Action<WebApplication>? more = null)
        => ToteTestHost.StartAsync(
            app =>
            {
                Map(app);
                more?.Invoke(app);
            },
            configure);

    /// <summary>Signs <paramref name="client"/> in as <paramref name="user"/> with a user agent; answers the new handle.</summary>
    public static async Task<string> SignInAsync(SessionClient client, string user, string userAgent = "TestBrowser/1.0")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/signin/" + user);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<IReadOnlyList<UserSession>> DevicesAsync(ToteTestHost host, string user)
        => await host.Services.GetRequiredService<UserSessions>().ListAsync(user, TestContext.Current.CancellationToken);
}
