using Microsoft.AspNetCore.Mvc;

namespace Tote.Samples.Shop.Controllers;

/// <summary>
/// The cart as an MVC controller and view, at <c>/mvc/cart</c>: the same session and the same
/// <see cref="Keys.Cart"/> as the Razor Page, the Blazor page and the JSON API.
/// </summary>
[Route("mvc/cart")]
public sealed class CartController : Controller
{
    // A Session parameter on an action, bound by Tote (never from the body).
    [HttpGet("")]
    public async Task<IActionResult> Index(Session session)
        => View(await session.GetAsync(Keys.Cart) ?? []);

    // The view's forms carry the token; this filter checks it (MVC does not check forms by itself).
    [HttpPost("add")]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> Add([FromForm] string? productId, Session session)
    {
        if (Products.Validate(productId) is { } error)
        {
            return new ContentResult { Content = error, ContentType = "text/plain; charset=utf-8", StatusCode = StatusCodes.Status400BadRequest };
        }

        await session.UpdateAsync(Keys.Cart, cart => [.. cart ?? [], productId!]);

        // 303 See Other, as the page's forms answer: the browser GETs the view, so a reload never re-posts.
        Response.Headers.Location = "/mvc/cart";
        return StatusCode(StatusCodes.Status303SeeOther);
    }
}
