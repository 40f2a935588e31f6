namespace Tote.Drivers;

/// <summary>One stored session as a driver reads and writes it.</summary>
/// <remarks>
/// <see cref="Data"/> is the session in Astro's format (one devalue string of a <c>Map</c> from
/// key to <c>{ data, expires }</c>); drivers store it as it is and never parse it. The times
/// are metadata a driver keeps beside it.
/// </remarks>
public sealed class SessionRecord
{
    /// <summary>The session in Astro's format, exactly as the driver must store it.</summary>
    public required string Data { get; init; }

    /// <summary>When the session was first stored; the absolute lifetime counts from here.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session expires unless it is saved or refreshed before then.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// The version of this record, set by the driver when it loads the record. Ignored on save,
    /// where the driver issues the new version.
    /// </summary>
    public SessionVersion Version { get; init; }
}
