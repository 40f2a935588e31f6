namespace Tote.Drivers;

/// <summary>
/// One session in a user's index (<see cref="ISessionStoreUserIndex"/>): what
/// <see cref="Users.UserSession"/> shows, plus the session ID the entry points to.
/// </summary>
/// <remarks>
/// A class rather than a record on purpose: a record's generated <c>ToString</c> would print the
/// session ID into any log that formats an entry.
/// </remarks>
public sealed class UserSessionIndexEntry
{
    /// <summary>
    /// How long an entry may point to a session that is not stored: the core writes a sign-in's
    /// entry just before the session's first save, so a listing or sweep in between must hide the
    /// entry but keep it. Older entries without a live session are removed.
    /// </summary>
    public static TimeSpan PendingEntryGrace { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The session's ID. Never shown to users: <see cref="Users.UserSession.Handle"/> names it instead.</summary>
    public required string SessionId { get; init; }

    /// <summary>When the user signed in to this session.</summary>
    public required DateTimeOffset SignedInAt { get; init; }

    /// <summary>When the session was last seen, as of its last expiry slide (throttled, so at most a slide step old).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    /// <summary>When the session expires: as of the last write of this entry when written, the session's current expiry when listed.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The <c>User-Agent</c> at sign-in, at most 256 characters; <see langword="null"/> when there was none.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The client's IP address at sign-in, only when <c>Tote:Users:RecordIpAddress</c> is on.</summary>
    public string? IpAddress { get; init; }
}
