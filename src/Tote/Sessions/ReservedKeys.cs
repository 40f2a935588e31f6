namespace Tote.Sessions;

/// <summary>
/// Session keys that hold Tote's own state, such as the user binding (<see cref="UserBinding.Key"/>):
/// every key starting with <see cref="Prefix"/>. App code can neither read nor write them, and
/// listings of a session's keys leave them out.
/// </summary>
/// <remarks>
/// Reserved because the binding decides whose session this is: an app that let a visitor choose a
/// key name (a preference stored under a name from the request, say) could otherwise bind the
/// visitor's session to another user. A stored record holding such a key is still loaded as it is
/// (an Astro app sharing the store may have written anything); the core believes the binding only
/// when it parses (<see cref="UserBinding.Read(Serialization.SessionEntry?)"/>).
/// </remarks>
internal static class ReservedKeys
{
    public const string Prefix = "tote:";

    public static bool IsReserved(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}
