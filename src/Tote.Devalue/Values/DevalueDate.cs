namespace Tote.Devalue;

/// <summary>
/// A JavaScript <c>Date</c> that <see cref="DateTimeOffset"/> cannot hold: an invalid date
/// (<c>new Date(NaN)</c>) or one outside the years 1 to 9999. Every other date reads as a
/// <see cref="DateTimeOffset"/> in UTC.
/// </summary>
public sealed class DevalueDate
{
    /// <summary>Creates a date from milliseconds since 1970-01-01 UTC.</summary>
    /// <param name="epochMilliseconds">Milliseconds since the epoch; NaN for an invalid date.</param>
    public DevalueDate(double epochMilliseconds)
    {
        EpochMilliseconds = double.IsNaN(epochMilliseconds) || Math.Abs(epochMilliseconds) > JsDate.MaxMilliseconds
            ? double.NaN
            : Math.Truncate(epochMilliseconds) + 0d;
    }

    /// <summary>Milliseconds since 1970-01-01 UTC, or NaN for an invalid date.</summary>
    public double EpochMilliseconds { get; }

    /// <summary>Whether this is an invalid date.</summary>
    public bool IsInvalid => double.IsNaN(EpochMilliseconds);

    /// <inheritdoc />
    public override string ToString() => IsInvalid ? "Invalid Date" : JsDate.ToIsoString((long)EpochMilliseconds);
}
