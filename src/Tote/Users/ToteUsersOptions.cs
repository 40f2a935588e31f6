namespace Tote.Users;

/// <summary>Options of users and devices (<see cref="UserSessions"/>, <c>Session.SignInAsync</c>), bound from <c>Tote:Users</c>.</summary>
public sealed class ToteUsersOptions
{
    /// <summary>The configuration section: <c>Tote:Users</c>.</summary>
    public const string SectionName = "Tote:Users";

    /// <summary>Whether a session's entry keeps the client's IP address at sign-in. Off by default, for privacy.</summary>
    public bool RecordIpAddress { get; set; }

    /// <summary>
    /// How many sessions one user may have; signing in beyond it revokes the user's least
    /// recently seen sessions. <see langword="null"/> (the default) for no limit.
    /// </summary>
    public int? MaxSessionsPerUser { get; set; }

    /// <summary>
    /// The key of the keyed hash that turns a session ID into its handle, at least 32 characters;
    /// every app instance sharing the store must use the same one. <see langword="null"/> (the
    /// default) for a built-in key: handles are then still unguessable and one-way (an ID has 122
    /// random bits), only not secret-keyed. Changing it changes every handle.
    /// </summary>
    public string? HandleKey { get; set; }
}
