using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tote.Drivers;
using Tote.Redis.Diagnostics;

namespace Tote.Redis.Drivers;

/// <summary>
/// The <c>redis</c> driver. The value at <c>KeyPrefix + id</c> is exactly the session's Astro
/// record, as a plain Redis string; created and expiry times live in a hash in the same slot
/// (<see cref="RedisSessionKeys"/>). Every operation is one Lua script or one command, so one
/// round trip; the version of a session is the SHA-1 of its value, so compare-and-swap notices
/// any other writer, including an Astro app that <c>SET</c>s the value and knows nothing of Tote.
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
        var bytes = StrictUtf8.GetBytes(record.Data);
        var result = await Database.ScriptEvaluateAsync(
            RedisScripts.Save,
            [_keys.Value(id), _keys.Metadata(id)],
            [
                expectedVersion.Token ?? string.Empty,
                bytes,
                Milliseconds(record.CreatedAt),
                Milliseconds(record.ExpiresAt),
                Milliseconds(_time.GetUtcNow()),
            ]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1 ? VersionOf(bytes) : null;
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

                // A Tote session whose recorded expiry has passed is not live; one without metadata (written by Astro) is.
                var expires = await database.HashGetAsync(_keys.Metadata(id), "e").WaitAsync(cancellationToken).ConfigureAwait(false);
                if (expires.IsNull || (long)expires > Milliseconds(_time.GetUtcNow()))
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

    private async ValueTask<SessionRecord?> LoadCoreAsync(string id, TimeSpan idleTimeout, TimeSpan absoluteTimeout, bool slide, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new[] { _keys.Value(id), _keys.Metadata(id) };
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
        var bytes = (byte[]?)parts[0];
        if (bytes is null)
        {
            return null;
        }

        string data;
        try
        {
            data = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Removed so that a new session may take the ID; the core logs and counts the ones it
            // can decode but not parse, this one it never sees.
            Log.MalformedValueRemoved(_logger);
            await Database.ScriptEvaluateAsync(RedisScripts.DeleteIfUnchanged, keys, [VersionOf(bytes).Token])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        return new SessionRecord
        {
            Data = data,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)parts[1]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)parts[2]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            Version = VersionOf(bytes),
        };
    }

    private static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

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

    // The SHA-1 of the stored bytes, the same the scripts compute with redis.sha1hex: a content
    // hash for change detection, not a security measure.
#pragma warning disable CA5350 // Do not use weak cryptographic algorithms
    private static SessionVersion VersionOf(byte[] bytes) => new(Convert.ToHexStringLower(SHA1.HashData(bytes)));
#pragma warning restore CA5350

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
