using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tote.Tests.Pages;

[IgnoreAntiforgeryToken]
public sealed class CartModel : PageModel
{
    public string Message { get; private set; } = "";

    public async Task OnGetAsync(Session session) => Message = $"{(await session.GetAsync(SessionApi.Cart))?.Count ?? 0} items";

    public async Task OnPostAsync(Session session, string item)
    {
        var cart = await session.GetAsync(SessionApi.Cart) ?? [];
        cart.Add(item);
        session.Set(SessionApi.Cart, cart);
        Message = "added";
    }
}
