using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tote.Devalue;
using Tote.Diagnostics;
using Tote.Serialization;
using Tote.Users;

namespace Tote.Sessions;

/// <summary>
/// Which user a session is bound to, and keeping the per-user index in step with the session's
/// life (see docs/architecture.md#user-binding). The binding is session data: the reserved key
/// <see cref="Key"/> holds <c>[userId, signedInAtMs, userAgent, ipAddress]</c>, staged and saved
/// like any key, so it merges under compare-and-swap and an Astro app sharing the store sees one
/// more key. Everything an index entry needs is in it, so any request can rewrite its entry.
/// </summary>
internal sealed class UserBinding
{
    /// <summary>The reserved key; namespaced so that no app key collides with it.</summary>
    public const string Key = "tote:user";

    private readonly SessionRuntime _runtime;

    // Sessions this request ends whose user is known: their entries go once they are deleted.
    private Dictionary<string, string>? _ending;

    public UserBinding(SessionRuntime runtime) => _runtime = runtime;

    /// <summary>Whether the stored or composed entries carry a binding; cheap, parses nothing.</summary>
    public static bool IsBound(OrderedDictionary<string, SessionEntry> entries) => entries.ContainsKey(Key);

    /// <summary>The binding in <paramref name="entry"/>, or <see langword="null"/> when it is not one Tote wrote.</summary>
    public static Bound? Read(SessionEntry? entry)
    {
        if (entry is null)
        {
            return null;
        }

        string?[]? parts;
        try
        {
            parts = entry.Read<string?[]>();
        }
        catch (DevalueException)
        {
            return null;
        }

        if (parts is not [{ Length: > 0 and <= UserDirectory.MaxUserIdLength } userId, { } signedIn, ..]
            || !long.TryParse(signedIn, NumberStyles.None, CultureInfo.InvariantCulture, out var signedInMs)
            || signedInMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return null;
        }

        return new Bound(userId, DateTimeOffset.FromUnixTimeMilliseconds(signedInMs), parts.Length > 2 ? parts[2] : null, parts.Length > 3 ? parts[3] : null);
    }

    public static Bound? Read(OrderedDictionary<string, SessionEntry> entries)
        => entries.TryGetValue(Key, out var entry) ? Read(entry) : null;

    /// <summary>The value to stage under <see cref="Key"/> when the session signs in as <paramref name="userId"/>.</summary>
    public string?[] NewBinding(string userId, HttpContext? context)
    {
        var userAgent = context?.Request.Headers.UserAgent.ToString();
        if (string.IsNullOrEmpty(userAgent))
        {
            userAgent = null;
        }
        else if (userAgent.Length > UserDirectory.MaxUserAgentLength)
        {
            userAgent = userAgent[..UserDirectory.MaxUserAgentLength];
        }

        var ip = _runtime.Users.Options.RecordIpAddress ? context?.Connection.RemoteIpAddress?.ToString() : null;
        return [userId, _runtime.Expiry.Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), userAgent, ip];
    }

    /// <summary>
    /// Before a bound session is first stored under an ID (sign-in, regenerate): its entry goes
    /// first, so a crash before the save leaves a stale entry, never a live session off the list.
    /// </summary>
    public async ValueTask BeforeCreateAsync(string id, OrderedDictionary<string, SessionEntry> entries, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (_runtime.Users.HasIndex && IsBound(entries) && Read(entries) is { } bound)
        {
            await _runtime.Users.WriteEntryAsync(id, bound, expiresAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the core slid a bound session's expiry (a refresh, or a save that slid): the entry's
    /// last-seen and expiry follow, so they cost no store write of their own per request. A failure
    /// here leaves the entry a slide behind, which listing tolerates, so the request does not fail.
    /// </summary>
    public async ValueTask AfterSlideAsync(string id, OrderedDictionary<string, SessionEntry> entries, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (!_runtime.Users.HasIndex || !IsBound(entries) || Read(entries) is not { } bound)
        {
            return;
        }

        try
        {
            await _runtime.Users.WriteEntryAsync(id, bound, expiresAt, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            Log.UserSessionRefreshFailed(_runtime.Logger, ex, _runtime.Users.LoadedHandles?.Of(id) ?? new SessionIdHash(id).ToString());
        }
    }

    /// <summary>Remembers the user of a session this request ends, so its entry goes after the session is deleted.</summary>
    public void Ending(string id, OrderedDictionary<string, SessionEntry> entries)
    {
        if (_runtime.Users.HasIndex && IsBound(entries) && Read(entries) is { } bound)
        {
            (_ending ??= new(StringComparer.Ordinal))[id] = bound.UserId;
        }
    }

    /// <summary>A session this request ended is deleted: its entry goes too (data first, entry second).</summary>
    public async ValueTask DeletedAsync(string id, CancellationToken cancellationToken)
    {
        if (_ending is not null && _ending.Remove(id, out var userId))
        {
            await _runtime.Users.RemoveEntryAsync(userId, id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A session's binding: the user, and what its index entry shows.</summary>
    public sealed record Bound(string UserId, DateTimeOffset SignedInAt, string? UserAgent, string? IpAddress);
}
