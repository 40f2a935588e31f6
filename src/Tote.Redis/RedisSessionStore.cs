using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Diagnostics;

namespace Tote.Redis.Drivers;

/// <summary>
/// The <c>redis</c> driver. The value at <c>KeyPrefix + id</c> is exactly the session's Astro
/// record, as a plain Redis string; created and expiry times live in a string in the same slot
/// (<see cref="RedisSessionKeys"/>). Every operation is one command or one Lua script, so one
/// round trip; the version of a session is its value itself, so compare-and-swap notices any
/// other writer, including an Astro app that <c>SET</c>s the value and knows nothing of Tote.
/// </summary>
internal sealed class RedisSessionStore : ISessionStore, ISessionStoreSlidingLoader, ISessionStoreEnumerator, IAsyncDisposable, IDisposable
{
    public const string DriverName = "redis";

    // Strict decoding: bytes that are not valid UTF-8 are a malformed record, which reads as "not found".
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IConnectionMultiplexer _connection;
    private readonly bool _ownsConnection;
    private readonly RedisSessionKeys _keys;
    private readonly string _keyPrefix;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="connection">The connection to use.</param>
    /// <param name="ownsConnection">Whether this store created the connection and must close it.</param>
    /// <param name="options">The driver's options.</param>
    /// <param name="idleTimeout">
    /// The expiry given to a session found without Tote's metadata and without a TTL (written by
    /// another app) when it is first loaded.
    /// </param>
    /// <param name="time">The clock every expiry is measured by.</param>
    /// <param name="logger">Where connection events are logged.</param>
    public RedisSessionStore(IConnectionMultiplexer connection, bool ownsConnection, RedisSessionStoreOptions options, TimeSpan idleTimeout, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _keys = new RedisSessionKeys(options.KeyPrefix);
        _keyPrefix = options.KeyPrefix;
        _idleTimeout = idleTimeout;
        _time = time;
        _logger = logger;
        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;
    }

    private IDatabase Database => _connection.GetDatabase();

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
        => LoadCoreAsync(id, _idleTimeout, TimeSpan.Zero, slide: false, cancellationToken);

    public ValueTask<SessionRecord?> LoadAndSlideAsync(string id, TimeSpan idleTimeout, TimeSpan absoluteTimeout, CancellationToken cancellationToken = default)
        => LoadCoreAsync(id, idleTimeout, absoluteTimeout, slide: true, cancellationToken);

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();

        // Encoded strictly: text that is not valid UTF-8 (a lone surrogate) fails here instead of
        // being stored with replacement characters.
        var bytes = StrictUtf8.GetBytes(record.Data);

        // With the loaded value as a fifth argument the script replaces only that; without it, it
        // creates a session only where none is live.
        var (now, created, expires) = (Milliseconds(_time.GetUtcNow()), Milliseconds(record.CreatedAt), Milliseconds(record.ExpiresAt));
        RedisValue[] arguments = expectedVersion.Token is { } expected
            ? [now, bytes, created, expires, expected]
            : [now, bytes, created, expires];
        var result = await Database.ScriptEvaluateAsync(RedisScripts.Save, [_keys.Value(id), _keys.Metadata(id)], arguments)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1 ? VersionOf(record.Data) : null;
    }

    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // One command for both keys: atomic, and valid in a cluster because they share a slot.
        await Database.KeyDeleteAsync([_keys.Value(id), _keys.Metadata(id)]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await Database.ScriptEvaluateAsync(
            RedisScripts.Refresh,
            [_keys.Value(id), _keys.Metadata(id)],
            [Milliseconds(expiresAt), Milliseconds(_time.GetUtcNow())]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>
    /// Lists live sessions with <c>SCAN</c> over every primary (one pass per cluster node), then
    /// one metadata check per key, for admin tools: not for request paths.
    /// </summary>
    public async IAsyncEnumerable<string> GetSessionIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pattern = EscapeGlob(_keyPrefix) + "*";
        var database = Database;
        foreach (var server in _connection.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(database.Database, pattern, pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var name = key.ToString();
                var id = name[_keyPrefix.Length..];
                if (!IsSessionId(id))
                {
                    continue;
                }

                // A Tote session whose recorded expiry has passed, or whose times are damaged, is not live; one
                // without metadata (written by Astro) is. MGET, not GET: metadata of another type reads as none
                // instead of failing the listing.
                var metadata = await database.StringGetAsync([_keys.Metadata(id)]).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!RedisSessionMetadata.TryParse(metadata[0], out var created, out var expires)
                    || (RedisSessionMetadata.HoldsDates(created, expires) && expires > Milliseconds(_time.GetUtcNow())))
                {
                    yield return id;
                }
            }
        }
    }

    public void Dispose()
    {
        Detach();
        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Detach();
        if (_ownsConnection)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One <c>MGET</c> of value and metadata: plain commands cost a single-threaded Redis a fraction
    /// of a script. A slide that is due is sent right behind it without waiting for the answer, so
    /// a read still waits for one round trip. Only a value without Tote's metadata (written by
    /// another app) takes the load script, which adopts it atomically.
    /// </summary>
    private async ValueTask<SessionRecord?> LoadCoreAsync(string id, TimeSpan idleTimeout, TimeSpan absoluteTimeout, bool slide, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey[] keys = [_keys.Value(id), _keys.Metadata(id)];
        var stored = await Database.StringGetAsync(keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        var bytes = (byte[]?)stored[0];
        if (bytes is null)
        {
            return null;
        }

        if (!RedisSessionMetadata.TryParse(stored[1], out var created, out var expires))
        {
            return await AdoptAsync(keys, idleTimeout, absoluteTimeout, slide, cancellationToken).ConfigureAwait(false);
        }

        if (!RedisSessionMetadata.HoldsDates(created, expires))
        {
            // Tote's metadata with times no writer stores: damaged, so the session reads as not
            // found (never adopted as another app's, which could bring back an expired one), and
            // the slide below never computes with them.
            await RemoveMalformedMetadataAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var now = Milliseconds(_time.GetUtcNow());
        if (expires <= now)
        {
            return null;
        }

        if (TryDecode(bytes) is not { } data)
        {
            await RemoveMalformedAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var slid = false;
        if (slide)
        {
            var idle = (long)idleTimeout.TotalMilliseconds;
            // Never past the calendar's end, as the core's expiry, for timeouts of many millennia.
            var target = Math.Min(Math.Min(now + idle, created + (long)absoluteTimeout.TotalMilliseconds), RedisSessionMetadata.MaxTime);
            if (target - expires >= idle / 10)
            {
                // Two plain commands, neither of which can bring back a session deleted meanwhile:
                // SET … XX writes only metadata that still exists, PEXPIRE only a key that does.
                var ttl = TimeSpan.FromMilliseconds(Math.Clamp(target - now, 1, RedisSessionMetadata.MaxKeyTtl));
                var database = Database;
                _ = database.StringSetAsync(keys[1], RedisSessionMetadata.Format(created, target), ttl, When.Exists, CommandFlags.FireAndForget);
                _ = database.KeyExpireAsync(keys[0], ttl, CommandFlags.FireAndForget);
                expires = target;
                slid = true;
            }
        }

        return Record(data, created, expires, slid);
    }

    private async ValueTask<SessionRecord?> AdoptAsync(RedisKey[] keys, TimeSpan idleTimeout, TimeSpan absoluteTimeout, bool slide, CancellationToken cancellationToken)
    {
        var result = await Database.ScriptEvaluateAsync(
            RedisScripts.Load,
            keys,
            [
                Milliseconds(_time.GetUtcNow()),
                (long)idleTimeout.TotalMilliseconds,
                (long)absoluteTimeout.TotalMilliseconds,
                slide ? 1 : 0,
            ]).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        if ((byte[]?)parts[0] is not { } bytes)
        {
            return null;
        }

        if (TryDecode(bytes) is not { } data)
        {
            await RemoveMalformedAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var created = long.Parse((string)parts[1]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var expires = long.Parse((string)parts[2]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (!RedisSessionMetadata.HoldsDates(created, expires))
        {
            // Only in a race with a damaging writer: the script neither reads nor writes times out of range.
            await RemoveMalformedMetadataAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return Record(data, created, expires, slid: (string?)parts[3] == "1");
    }

    // Removed so that a new session may take the ID; the core logs and counts the records it can
    // decode but not parse, this one it never sees.
    private async Task RemoveMalformedAsync(RedisKey[] keys, byte[] bytes, CancellationToken cancellationToken)
    {
        Log.MalformedValueRemoved(_logger);
        await RemoveIfUnchangedAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveMalformedMetadataAsync(RedisKey[] keys, byte[] bytes, CancellationToken cancellationToken)
    {
        Log.MalformedMetadataRemoved(_logger);
        await RemoveIfUnchangedAsync(keys, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveIfUnchangedAsync(RedisKey[] keys, byte[] bytes, CancellationToken cancellationToken)
        => await Database.ScriptEvaluateAsync(RedisScripts.DeleteIfUnchanged, keys, [bytes]).WaitAsync(cancellationToken).ConfigureAwait(false);

    private static SessionRecord Record(string data, long created, long expires, bool slid) => new()
    {
        Data = data,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires),
        Version = VersionOf(data),
        Slid = slid,
    };

    private static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    // Empty text is no record either, and could not be a version.
    private static string? TryDecode(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    // The form Tote and Astro issue: a lowercase UUID v4.
    private static bool IsSessionId(string value)
        => value.Length == 36
            && Guid.TryParseExact(value, "D", out var guid)
            && guid.Version == 4
            && string.Equals(guid.ToString("D"), value, StringComparison.Ordinal);

    private static string EscapeGlob(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    // The version of a session is its value: the save script compares the stored value with it,
    // which notices any other writer, costs the server no hashing (Lua compares two equal strings
    // by length and bytes), and costs this process nothing but the reference it already holds.
    private static SessionVersion VersionOf(string data) => new(data);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
        => Log.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
        => Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");

    private void Detach()
    {
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
    }
}
