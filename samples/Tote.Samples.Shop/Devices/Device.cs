namespace Tote.Samples.Shop.Devices;

/// <summary>One device the user is signed in on, as <c>GET /api/devices</c> answers it and <c>/account/devices</c> lists it.</summary>
/// <param name="Handle">Names the session without being it: safe to render, useless as a cookie.</param>
/// <param name="SignedInAt">When the user signed in on the device.</param>
/// <param name="LastSeenAt">When the device last used its session (to within the expiry's slide step).</param>
/// <param name="ExpiresAt">When the session expires unless the device comes back.</param>
/// <param name="UserAgent">The browser's <c>User-Agent</c> at sign-in, if it sent one.</param>
/// <param name="Current">Whether this is the device asking ("this device").</param>
public sealed record Device(string Handle, DateTimeOffset SignedInAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, string? UserAgent, bool Current);
