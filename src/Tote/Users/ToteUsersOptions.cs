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
    /// The key of the keyed hash that turns a session ID into its handle (<c>Session.Handle</c>), at
    /// least 32 characters; every app instance sharing the store must use the same one, and changing
    /// it changes every handle.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: Tote makes a random 256-bit key once per store and keeps it
    /// in the store itself (a reserved record no cookie can name), protected with ASP.NET Core Data
    /// Protection, so that every instance sharing the store and the Data Protection key ring computes
    /// the same handles; with the <c>memory</c> driver, a random key per process. Set it when the
    /// instances do not share a key ring.
    /// </value>
    public string? HandleKey { get; set; }
}
