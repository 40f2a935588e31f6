using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tote.Drivers;

namespace Tote.Redis;

/// <summary>
/// The <c>redis</c> driver. The value at <c>KeyPrefix + id</c> is exactly the session's Astro
/// record, as a plain Redis string; created and expiry times live in a string in the same slot
/// (<see cref="RedisSessionKeys"/>). Every operation is one command or one Lua script, so one
/// round trip; the version of a session is a keyed digest of its value
/// (<see cref="RedisSessionVersions"/>), so compare-and-swap notices any other writer, including
/// an Astro app that <c>SET</c>s the value and knows nothing of Tote. The per-user index is a
/// hash per user in a slot of its own (<see cref="RedisSessionStore"/>'s UserIndex part).
/// </summary>
internal sealed partial class RedisSessionStore : ISessionStore, ISessionStoreSlidingLoader, ISessionStoreEnumerator, ISessionStoreUserIndex, IAsyncDisposable, IDisposable
{
    public const string DriverName = "redis";

    // Strict decoding: bytes that are not valid UTF-8 are a malformed record, which reads as "not found".
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IConnectionMultiplexer _connection;
    private readonly bool _ownsConnection;
    private readonly RedisSessionKeys _keys;
    private readonly string _keyPrefix;
    private readonly TimeSpan _idleTimeout;
    private readonly RedisSessionVersions _versions = new();
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

    public async ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        // Without a slide, the idle timeout only dates a session another app wrote without a TTL.
        var loaded = await LoadCoreAsync(id, [Milliseconds(_time.GetUtcNow()), (long)_idleTimeout.TotalMilliseconds], cancellationToken).ConfigureAwait(false);
        return loaded?.Record;
    }

    public ValueTask<SlidingLoadResult?> LoadAndSlideAsync(string id, SlidingExpiration expiration, CancellationToken cancellationToken = default)
        => LoadCoreAsync(
            id,
            [
                Milliseconds(_time.GetUtcNow()),
                (long)expiration.IdleTimeout.TotalMilliseconds,
                (long)expiration.AbsoluteTimeout.TotalMilliseconds,
                (long)expiration.MinimumSlide.TotalMilliseconds,
            ],
            cancellationToken);

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();

        var bytes = Encode(record);

        // With the loaded version (and the key it was made with) the script replaces only the value
        // that version is of; without it, it creates a session only where none is live.
        var (now, created, expires) = (Milliseconds(_time.GetUtcNow()), Milliseconds(record.CreatedAt), Milliseconds(record.ExpiresAt));
        RedisValue[] arguments = expectedVersion.Token is { } expected
            ? [now, bytes, created, expires, expected, _versions.Key]
            : [now, bytes, created, expires];
        var result = await Database.ScriptEvaluateAsync(RedisScripts.Save, [_keys.Value(id), _keys.Metadata(id)], arguments)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1 ? _versions.Of(bytes) : null;
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
    /// One run of the load script (<see cref="RedisScripts.Load"/>), which slides the expiry when
    /// <paramref name="arguments"/> carry a <see cref="SlidingExpiration"/>; then the value is
    /// decoded here, where a value that is no UTF-8 text is removed as malformed.
    /// </summary>
    private async ValueTask<SlidingLoadResult?> LoadCoreAsync(string id, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey[] keys = [_keys.Value(id), _keys.Metadata(id)];
        var result = await Database.ScriptEvaluateAsync(RedisScripts.Load, keys, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (result.Resp2Type == ResultType.Integer)
        {
            // Tote's metadata with times no writer stores: damaged, so the script removed the
            // session (never adopted as another app's, which could bring back an expired one).
            Log.MalformedMetadataRemoved(_logger);
            return null;
        }

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

        var record = new SessionRecord
        {
            Data = data,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(ParseTime(parts[1])),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(ParseTime(parts[2])),
            Version = _versions.Of(bytes),
        };
        return new SlidingLoadResult(record, Slid: (string?)parts[3] == "1");
    }

    // The script only ever answers times a date can hold.
    private static long ParseTime(RedisResult time) => long.Parse((string)time!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // Removed so that a new session may take the ID; the core logs and counts the records it can
    // decode but not parse, this one it never sees.
    private async Task RemoveMalformedAsync(RedisKey[] keys, byte[] bytes, CancellationToken cancellationToken)
    {
        Log.MalformedValueRemoved(_logger);
        await Database.ScriptEvaluateAsync(RedisScripts.DeleteIfUnchanged, keys, [bytes]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }


    private static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    // Encoded strictly: text that is not valid UTF-8 (a lone surrogate) fails here instead of
    // being stored with replacement characters. Not with the encoder's message, which quotes the
    // session's text.
    private static byte[] Encode(SessionRecord record)
    {
        try
        {
            return StrictUtf8.GetBytes(record.Data);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException(
                "The session record holds a lone surrogate, which UTF-8 cannot store. Records written by Tote's session core escape them; a driver caller must pass well-formed text.",
                nameof(record));
        }
    }

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
