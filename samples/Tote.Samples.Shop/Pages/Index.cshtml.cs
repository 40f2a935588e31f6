using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tote.Samples.Shop.Pages;

public sealed class IndexModel : PageModel
{
    public IReadOnlyList<string> Cart { get; private set; } = [];

    public User? SignedInUser { get; private set; }

    public DateTimeOffset? LastVisit { get; private set; }

    // A Session parameter on a page handler, bound by Tote.
    public async Task OnGetAsync(Session session)
    {
        Cart = await session.GetAsync(Keys.Cart) ?? [];
        SignedInUser = await session.GetAsync(Keys.User);
        LastVisit = await session.HasAsync(Keys.LastVisit.Name) ? await session.GetAsync(Keys.LastVisit) : null;
    }
}
