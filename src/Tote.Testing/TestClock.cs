using Microsoft.Extensions.Time.Testing;

namespace Tote.Testing;

/// <summary>Fake clocks for Tote tests: time moves only when a test advances it.</summary>
public static class TestClock
{
    /// <summary>The instant every test clock starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock at <see cref="Start"/>.</summary>
    public static FakeTimeProvider Create() => new(Start);
}
