namespace Tote.Drivers;

/// <summary>
/// An opaque token a driver hands out with every stored session and checks on every
/// compare-and-swap save. <see cref="Missing"/> is the version of a session that is not stored.
/// </summary>
/// <remarks>
/// Only the driver that issued a token interprets it; the session core only passes it back.
/// Two versions are equal when their tokens are equal (ordinal).
/// </remarks>
public readonly record struct SessionVersion
{
    /// <summary>Creates a version from a driver's token.</summary>
    /// <param name="token">The driver's token: a counter, a row version, a hash; never empty.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public SessionVersion(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
    }

    /// <summary>The version of a session that is not stored: a save that expects it creates the session.</summary>
    public static SessionVersion Missing => default;

    /// <summary>The driver's token; <see langword="null"/> for <see cref="Missing"/>.</summary>
    public string? Token { get; }

    /// <summary>Whether this is <see cref="Missing"/>.</summary>
    public bool IsMissing => Token is null;

    /// <inheritdoc />
    public override string ToString() => Token ?? "missing";
}
