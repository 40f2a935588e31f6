namespace Tote.Drivers;

/// <summary>
/// How a session's idle expiry slides: the parameters the session core hands a driver that slides
/// the expiry itself (<see cref="ISessionStoreSlidingLoader"/>), so that the core and every driver
/// apply one rule.
/// </summary>
/// <remarks>
/// A session expires at <c>min(last use + IdleTimeout, created + AbsoluteTimeout)</c>. Moving
/// the stored expiry costs a store write, so it moves only once it would move by at least
/// <see cref="MinimumSlide"/>: a burst of requests costs one write, not one each.
/// </remarks>
/// <param name="IdleTimeout">The sliding idle timeout (<see cref="ToteOptions.IdleTimeout"/>).</param>
/// <param name="AbsoluteTimeout">The absolute lifetime, counted from creation (<see cref="ToteOptions.AbsoluteTimeout"/>).</param>
/// <param name="MinimumSlide">The least the expiry moves by when it slides; smaller moves are skipped.</param>
public readonly record struct SlidingExpiration(TimeSpan IdleTimeout, TimeSpan AbsoluteTimeout, TimeSpan MinimumSlide)
{
    /// <summary>The expiry of a session created at <paramref name="createdAt"/> and used at <paramref name="now"/>.</summary>
    /// <param name="createdAt">When the session was created.</param>
    /// <param name="now">The time of use.</param>
    /// <returns>The earlier of the idle and the absolute expiry; <see cref="DateTimeOffset.MaxValue"/> rather than an overflow.</returns>
    public DateTimeOffset ExpiryAt(DateTimeOffset createdAt, DateTimeOffset now)
    {
        var idle = Later(now, IdleTimeout);
        var absolute = Later(createdAt, AbsoluteTimeout);
        return idle < absolute ? idle : absolute;
    }

    /// <summary>Whether a use at <paramref name="now"/> moves the stored expiry: by at least <see cref="MinimumSlide"/>.</summary>
    /// <param name="createdAt">When the session was created.</param>
    /// <param name="currentExpiry">The expiry stored now.</param>
    /// <param name="now">The time of use.</param>
    /// <returns><see langword="true"/> when the expiry is due to slide.</returns>
    public bool IsDue(DateTimeOffset createdAt, DateTimeOffset currentExpiry, DateTimeOffset now)
        => ExpiryAt(createdAt, now) - currentExpiry >= MinimumSlide;

    // Saturates instead of throwing: a stored creation time near the end of the calendar (hostile
    // or damaged data) or a lifetime of many millennia must not turn a request into a 500.
    private static DateTimeOffset Later(DateTimeOffset time, TimeSpan timeout)
        => timeout.Ticks >= DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks ? DateTimeOffset.MaxValue : time + timeout;
}
