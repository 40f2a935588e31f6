namespace Tote.Users;

/// <summary>One session a user is signed in to ("a device"), as <see cref="UserSessions.ListAsync"/> shows it.</summary>
/// <param name="Handle">Names the session without being one: safe to render and log, useless as a cookie; pass it to <see cref="UserSessions.RevokeAsync"/>.</param>
/// <param name="SignedInAt">When the user signed in.</param>
/// <param name="LastSeenAt">When the session was last used, to within the expiry's slide step (no store write per request).</param>
/// <param name="ExpiresAt">When the session expires unless it is used again.</param>
/// <param name="UserAgent">The <c>User-Agent</c> at sign-in, at most 256 characters.</param>
/// <param name="IpAddress">The client's IP address at sign-in; only when <see cref="ToteUsersOptions.RecordIpAddress"/> is on.</param>
public sealed record UserSession(string Handle, DateTimeOffset SignedInAt, DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt, string? UserAgent, string? IpAddress);
