namespace Tote.Samples.Shop;

/// <summary>The signed-in user, stored under <see cref="Keys.User"/>.</summary>
/// <param name="Id">The user ID the session is signed in as: the name, trimmed and lower-cased.</param>
/// <param name="Name">The name as this browser typed it (trimmed), for display.</param>
public sealed record User(string Id, string Name)
{
    /// <summary>The longest name the sign-in form takes (a user ID must stay short: it keys the user's device list).</summary>
    public const int MaxNameLength = 100;
}
