using Tote.Users;

namespace Tote.Samples.Shop.Devices;

/// <summary>
/// The JSON API of the signed-in user's devices (DESIGN §10): list them, sign one out, sign out
/// every other. Each answers 401 to a visitor who is not signed in.
/// </summary>
/// <remarks>
/// Like <c>POST /api/cart</c>, these posts take no antiforgery token: the JSON API is for scripts
/// and other clients, which have no page to read a token from. A cross-site page cannot drive
/// them with the visitor's session, because the session cookie is <c>SameSite=Lax</c> (browsers
/// do not send it on cross-site posts), so such a post reads as not signed in and gets 401. The
/// "Your devices" page does not post here: its forms go to its own handlers, which check the token
/// (as the shop's other forms, <c>/cart/add</c> and <c>/logout</c>, do).
/// </remarks>
internal static class DeviceEndpoints
{
    public static void MapDevices(this WebApplication app)
    {
        var api = app.MapGroup("/api/devices");

        // A user's devices are personal: no cache, shared or private, may keep the answer.
        api.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });

        api.MapGet("", async (Session session, UserSessions users, CancellationToken cancellationToken) =>
            await session.GetUserIdAsync(cancellationToken) is { } userId
                ? Results.Ok(await UserDevices.ListAsync(session, users, userId, cancellationToken))
                : Results.Unauthorized());

        api.MapPost("/{handle}/revoke", async (string handle, Session session, UserSessions users, CancellationToken cancellationToken) =>
        {
            if (await session.GetUserIdAsync(cancellationToken) is not { } userId)
            {
                return Results.Unauthorized();
            }

            // Another user's handle answers as an unknown one: 404 either way, so handles cannot be probed.
            return await UserDevices.RevokeAsync(session, users, userId, handle, cancellationToken)
                ? Results.NoContent()
                : Results.NotFound();
        });

        api.MapPost("/revoke-others", async (Session session, UserSessions users, CancellationToken cancellationToken) =>
            await session.GetUserIdAsync(cancellationToken) is { } userId
                ? Results.Ok(new { revoked = await UserDevices.RevokeOthersAsync(session, users, userId, cancellationToken) })
                : Results.Unauthorized());
    }
}
