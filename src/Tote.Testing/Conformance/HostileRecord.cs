using System.Globalization;
using System.Text;

namespace Tote.Testing;

/// <summary>
/// One hostile stored session that <see cref="SessionStoreHostileRecordConformanceTests"/> asks a
/// driver to plant: the fields a driver keeps (the data, the times, the version) with hostile
/// values, and a <see cref="Damage"/> to apply to every byte string the driver stores for it.
/// </summary>
/// <remarks>
/// Plant it exactly as the driver's storage holds a session, bypassing the driver's own checks:
/// write the fields in the driver's format (a file's header line, a Redis value and its metadata
/// key, a SQL row's columns), pass each stored byte string through <see cref="Damage"/>, and write
/// the result. Storage that cannot hold arbitrary bytes (a PostgreSQL <c>text</c> column, a .NET
/// string in memory) stores the nearest it can: <see cref="Text(ReadOnlySpan{byte})"/>.
/// </remarks>
public sealed class HostileRecord
{
    private readonly byte[] _data;
    private readonly DamageKind _damage;
    private readonly int _at;
    private readonly byte[] _bytes;

    internal HostileRecord(string kind, byte[] data, long createdAt, long expiresAt, long version, DamageKind damage = DamageKind.None, int at = 0, byte[]? bytes = null)
    {
        Kind = kind;
        _data = data;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Version = version;
        _damage = damage;
        _at = at;
        _bytes = bytes ?? [];
    }

    /// <summary>What makes this record hostile, for failure reports.</summary>
    public string Kind { get; }

    /// <summary>The stored devalue data as bytes; not always valid UTF-8.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>When the session was created, in epoch milliseconds; may be negative, in the future or beyond <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public long CreatedAt { get; }

    /// <summary>When the session expires, in epoch milliseconds; may be in the past, before <see cref="CreatedAt"/>, or beyond <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public long ExpiresAt { get; }

    /// <summary>The version to store; may be zero or negative.</summary>
    public long Version { get; }

    /// <summary>The expected cart of a well-formed live record the app must read back; <see langword="null"/> for the others.</summary>
    internal IReadOnlyList<string>? ExpectedCart { get; init; }

    /// <summary>Whether no readable session can come of this record (expired, or its bytes replaced by noise).</summary>
    internal bool MustNotBeAdopted { get; init; }

    /// <summary>The size of what is planted, in bytes, for the time and memory bounds.</summary>
    internal int Size => _data.Length + _bytes.Length;

    /// <summary>A time in epoch milliseconds as .NET ticks (UTC), wrapping where it does not fit, for drivers that store ticks.</summary>
    /// <param name="milliseconds">Epoch milliseconds, such as <see cref="CreatedAt"/>.</param>
    /// <returns>The ticks.</returns>
    public static long ToUtcTicks(long milliseconds) => unchecked((milliseconds * TimeSpan.TicksPerMillisecond) + DateTimeOffset.UnixEpoch.UtcTicks);

    /// <summary>A time in epoch milliseconds as the nearest <see cref="DateTimeOffset"/>, for storage that can hold nothing else.</summary>
    /// <param name="milliseconds">Epoch milliseconds, such as <see cref="ExpiresAt"/>.</param>
    /// <returns>The time, clamped to the range of <see cref="DateTimeOffset"/>.</returns>
    public static DateTimeOffset ToDateTimeOffset(long milliseconds)
        => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    /// <summary>Bytes as the nearest text: invalid UTF-8 becomes U+FFFD, and NUL (which PostgreSQL text refuses) is dropped.</summary>
    /// <param name="bytes">Stored bytes, such as the result of <see cref="Damage"/>.</param>
    /// <returns>The text.</returns>
    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).Replace("\0", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// Applies this record's damage to one byte string as the driver stores it (a whole file, a
    /// Redis value, the metadata beside it, a text column): unchanged, replaced by noise, cut
    /// short, a byte overwritten, or bytes inserted.
    /// </summary>
    /// <param name="stored">The bytes the driver would store.</param>
    /// <returns>The bytes to store instead.</returns>
    public byte[] Damage(ReadOnlySpan<byte> stored)
    {
        var at = stored.Length == 0 ? 0 : _at % (stored.Length + 1);
        switch (_damage)
        {
            case DamageKind.Noise:
                return [.. _bytes];
            case DamageKind.Truncate:
                return stored[..at].ToArray();
            case DamageKind.Overwrite when at < stored.Length && _bytes.Length > 0:
                var copy = stored.ToArray();
                copy[at] = _bytes[0];
                return copy;
            case DamageKind.Insert:
                return [.. stored[..at], .. _bytes, .. stored[at..]];
            default:
                return stored.ToArray();
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var data = Text(_data);
        var shown = data.Length > 160 ? string.Concat(data.AsSpan(0, 80), $"…({data.Length:N0} chars)…", data.AsSpan(data.Length - 60)) : data;
        return string.Create(CultureInfo.InvariantCulture, $"{Kind}: created {CreatedAt}, expires {ExpiresAt}, version {Version}, damage {_damage} at {_at} with {_bytes.Length} byte(s), data {shown}");
    }

    /// <summary>How <see cref="Damage"/> changes stored bytes.</summary>
    internal enum DamageKind
    {
        None,
        Noise,
        Truncate,
        Overwrite,
        Insert,
    }
}
