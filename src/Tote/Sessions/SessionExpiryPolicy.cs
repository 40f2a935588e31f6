using Tote.Drivers;

namespace Tote.Sessions;

/// <summary>
/// The session's time rules, in one place: the idle timeout and absolute lifetime (as the
/// <see cref="SlidingExpiration"/> handed to drivers that slide the expiry themselves), how far the
/// expiry must move before it is rewritten, a key's time-to-live, and which stored times cannot be
/// true. Every "now" the session core uses comes from here.
/// </summary>
internal sealed class SessionExpiryPolicy
{
    // Moving the stored expiry costs a store write: it moves only once a tenth of the idle timeout
    // has passed, so a burst of requests costs one write and a session still never lives more
    // than a tenth short of its idle timeout.
    private const int SlideThrottleDivisor = 10;

    // How far in the future a stored creation time may lie: app servers sharing a store disagree
    // on the time by a little (the tolerance JWT validation allows by default), never by more.
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;
    private readonly TimeSpan? _defaultKeyTtl;

    public SessionExpiryPolicy(ToteOptions options, TimeProvider time)
    {
        _time = time;
        _defaultKeyTtl = options.DefaultKeyTtl;
        Sliding = new SlidingExpiration(options.IdleTimeout, options.AbsoluteTimeout, options.IdleTimeout / SlideThrottleDivisor);
    }

    /// <summary>The idle and absolute timeouts and the slide throttle, as drivers receive them.</summary>
    public SlidingExpiration Sliding { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Now in epoch milliseconds, the unit of a key's expiry.</summary>
    public double NowMilliseconds => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// When a key set now with <paramref name="ttl"/> expires, in epoch milliseconds (as Astro stores
    /// <c>Date.now() + ttl * 1000</c>); <see langword="null"/> for a key that lives as long as its session.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    public double? KeyExpiry(TimeSpan? ttl)
    {
        if (ttl is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), given, "A key's time-to-live must be positive.");
        }

        return (ttl ?? _defaultKeyTtl) is { } lifetime
            ? (_time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()
            : null;
    }

    /// <summary>Whether a stored record is still live at <paramref name="now"/>: neither idle- nor absolutely expired.</summary>
    // The idle timeout is positive, so ExpiryAt is at or before now only once the absolute lifetime is over.
    public bool IsLive(SessionRecord record, DateTimeOffset now)
        => record.ExpiresAt > now && Sliding.ExpiryAt(record.CreatedAt, now) > now;

    /// <summary>
    /// Whether a record's times are ones no writer stores: created after it expires, or further in
    /// the future than clocks disagree. Adopting such a record could stretch the session's absolute
    /// lifetime to the end of the calendar.
    /// </summary>
    public static bool HasImpossibleTimes(SessionRecord record, DateTimeOffset now)
        => record.CreatedAt > record.ExpiresAt || (record.CreatedAt > now && record.CreatedAt - now > MaxClockSkew);

    /// <summary>The expiry of a session created at <paramref name="createdAt"/> and used now.</summary>
    public DateTimeOffset ExpiryAt(DateTimeOffset createdAt, DateTimeOffset now) => Sliding.ExpiryAt(createdAt, now);

    /// <summary>Whether a use at <paramref name="now"/> moves the stored expiry far enough to be worth a write.</summary>
    public bool IsSlideDue(DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset now) => Sliding.IsDue(createdAt, expiresAt, now);
}
