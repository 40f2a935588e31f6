using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tote.Samples.Shop.Devices;
using Tote.Users;

namespace Tote.Samples.Shop.Pages.Account;

/// <summary>
/// "Your devices": where the signed-in user is signed in, with a button to sign each other device
/// out and one to sign out everywhere else. A visitor who is not signed in is sent to the shop.
/// </summary>
/// <remarks>
/// The forms post to this page's handlers, which Razor Pages checks for the antiforgery token the
/// form tag helper renders; each answers 303 See Other back to the page, so a reload never re-posts.
/// </remarks>
public sealed class DevicesModel(UserSessions users) : PageModel
{
    public IReadOnlyList<Device> Devices { get; private set; } = [];

    /// <summary>How many devices "sign out everywhere else" just signed out, to say so once.</summary>
    public int? Revoked { get; private set; }

    public async Task<IActionResult> OnGetAsync(Session session, int? revoked)
    {
        if (await session.GetUserIdAsync(HttpContext.RequestAborted) is not { } userId)
        {
            return Redirect("/");
        }

        Devices = await UserDevices.ListAsync(session, users, userId, HttpContext.RequestAborted);
        Revoked = revoked;
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Session session, string? handle)
    {
        if (await session.GetUserIdAsync(HttpContext.RequestAborted) is not { } userId)
        {
            return SeeOther("/");
        }

        if (string.IsNullOrEmpty(handle))
        {
            return SeeOther("/account/devices");
        }

        // A handle no longer listed (signed out from elsewhere meanwhile) is already what the user
        // asked for: back to the list, which shows it gone. This device's own handle signs it out.
        var own = handle == session.Handle;
        await UserDevices.RevokeAsync(session, users, userId, handle, HttpContext.RequestAborted);
        return SeeOther(own ? "/" : "/account/devices");
    }

    public async Task<IActionResult> OnPostRevokeOthersAsync(Session session)
    {
        if (await session.GetUserIdAsync(HttpContext.RequestAborted) is not { } userId)
        {
            return SeeOther("/");
        }

        var revoked = await UserDevices.RevokeOthersAsync(session, users, userId, HttpContext.RequestAborted);
        return SeeOther($"/account/devices?revoked={revoked}");
    }

    private StatusCodeResult SeeOther(string location)
    {
        Response.Headers.Location = location;
        return StatusCode(StatusCodes.Status303SeeOther);
    }
}
