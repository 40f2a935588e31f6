namespace Tote.Drivers;

/// <summary>
/// What <see cref="ISessionStoreSlidingLoader.LoadAndSlideAsync"/> found: the live record, and
/// whether that very call moved its stored expiry.
/// </summary>
/// <param name="Record">
/// The record, whose <see cref="SessionRecord.ExpiresAt"/> is the expiry in force after the call.
/// </param>
/// <param name="Slid">
/// Whether this call moved the stored expiry (to <see cref="SessionRecord.ExpiresAt"/>). The core
/// then re-sends a session cookie that carries <c>Max-Age</c>, so the cookie slides with the session.
/// </param>
public readonly record struct SlidingLoadResult(SessionRecord Record, bool Slid);
