using Microsoft.AspNetCore.Mvc;

namespace Tote.Tests.Mvc;

[ApiController]
[Route("mvc/cart")]
public sealed class CartController : ControllerBase
{
    [HttpPost("{item}")]
    public async Task<string> Add(Session session, string item)
    {
        var cart = await session.GetAsync(SessionApi.Cart) ?? [];
        cart.Add(item);
        session.Set(SessionApi.Cart, cart);
        return string.Join(",", cart);
    }

    [HttpGet]
    public async Task<string> Get(Session session) => string.Join(",", await session.GetAsync(SessionApi.Cart) ?? []);

    [HttpGet("via-context")]
    public async Task<string> ViaContext() => string.Join(",", await HttpContext.GetSession().GetAsync(SessionApi.Cart) ?? []);
}
