using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Tote.Samples.Shop;

/// <summary>
/// The shop's endpoints besides the page: the form "actions" (antiforgery-checked, answering
/// 303 See Other back to the page, so a reload never re-posts) and the JSON API.
/// </summary>
internal static class ShopEndpoints
{
    public static void MapShop(this WebApplication app)
    {
        app.MapPost("/cart/add", async ([FromForm] string? productId, Session session) =>
        {
            if (Products.Validate(productId) is { } error)
            {
                return Results.Text(error, statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                await session.UpdateAsync(Keys.Cart, cart => [.. cart ?? [], productId!]);
            }
            catch (SessionTooLargeException ex)
            {
                return CartFull(ex);
            }

            return SeeOther("/");
        });

        app.MapPost("/login", async ([FromForm] string? name, Session session) =>
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                return Results.Text("Name is required", statusCode: StatusCodes.Status400BadRequest);
            }

            if (name.Trim().Length > User.MaxNameLength)
            {
                // The form's maxlength says the same; a client without the form is told here, not by a 500.
                return Results.Text($"Name must be at most {User.MaxNameLength} characters", statusCode: StatusCodes.Status400BadRequest);
            }

            // The user is the name, trimmed and lower-cased: "Ada" in one browser and " ada " in
            // another are one user with two devices; each shows the name as it was typed.
            var userId = name.Trim().ToLowerInvariant();
            session.Set(Keys.User, new User(userId, name.Trim()));

            // A new ID at sign-in (so an ID planted before it, session fixation, is worth nothing
            // after), the data kept (the user just set included), and the session listed under the user.
            await session.SignInAsync(userId);
            return SeeOther("/");
        });

        app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery, Session session) =>
        {
            // No form field binds here, and only form binding enforces the token: check it ourselves.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Text("The form's antiforgery token is missing or invalid", statusCode: StatusCodes.Status400BadRequest);
            }

            session.Destroy();
            return SeeOther("/");
        });

        app.MapGet("/api/cart", async (Session session) => Results.Ok(await session.GetAsync(Keys.Cart) ?? []));

        app.MapPost("/api/cart", async (Session session, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] CartItem? data) =>
        {
            if (string.IsNullOrEmpty(data?.Item))
            {
                return Results.Text("Item is required", statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                // Atomic: concurrent requests each add their item; none is lost.
                var cart = await session.UpdateAsync(Keys.Cart, cart => [.. cart ?? [], data.Item]);
                return Results.Ok(cart);
            }
            catch (SessionTooLargeException ex)
            {
                return CartFull(ex);
            }
        });
    }

    /// <summary>Records, on every request that already has a session, when the visitor was last seen.</summary>
    public static IApplicationBuilder UseLastVisit(this WebApplication app) => app.Use(async (context, next) =>
    {
        var session = context.GetSession();

        // A read verifies the cookie without creating anything: Id stays null for a visitor without a session.
        await session.HasAsync(Keys.LastVisit.Name, context.RequestAborted);
        if (session.Id is not null)
        {
            // Whole milliseconds: stored as a JavaScript Date, which an Astro app sharing the store reads as one.
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            session.Set(Keys.LastVisit, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)));
        }

        await next(context);
    });

    // The visitor's own doing, not a server fault: the cart is unchanged, and the message says why.
    private static IResult CartFull(SessionTooLargeException ex)
        => Results.Text(ex.Message, statusCode: StatusCodes.Status413PayloadTooLarge);

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
