using Tote.Users;

namespace Tote.Samples.Shop.Devices;

/// <summary>
/// The signed-in user's devices, shared by the JSON API (<see cref="DeviceEndpoints"/>) and the
/// "Your devices" page, so both answer the same.
/// </summary>
internal static class UserDevices
{
    /// <summary>The user's devices, most recently seen first, the asking one marked <see cref="Device.Current"/>.</summary>
    public static async Task<IReadOnlyList<Device>> ListAsync(Session session, UserSessions users, string userId, CancellationToken cancellationToken)
    {
        var current = session.Handle;
        var sessions = await users.ListAsync(userId, cancellationToken);
        return [.. sessions.Select(s => new Device(s.Handle, s.SignedInAt, s.LastSeenAt, s.ExpiresAt, s.UserAgent, s.Handle == current))];
    }

    /// <summary>Signs one of the user's devices out; <see langword="false"/> when the handle names none of them.</summary>
    public static async Task<bool> RevokeAsync(Session session, UserSessions users, string userId, string handle, CancellationToken cancellationToken)
    {
        if (handle == session.Handle)
        {
            // Revoking the asking device is signing out: Destroy also expires this response's cookie,
            // which revoking through the index alone would leave until the next request.
            session.Destroy();
            return true;
        }

        return await users.RevokeAsync(userId, handle, cancellationToken);
    }

    /// <summary>Signs the user out everywhere but the asking device; how many devices were signed out.</summary>
    public static async Task<int> RevokeOthersAsync(Session session, UserSessions users, string userId, CancellationToken cancellationToken)
        => await users.RevokeAllAsync(userId, exceptHandle: session.Handle, cancellationToken);
}
