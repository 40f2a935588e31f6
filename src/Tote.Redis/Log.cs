using Microsoft.Extensions.Logging;

namespace Tote.Redis;

/// <summary>
/// Every log line the <c>redis</c> driver writes, with stable event ids (from 100, after the
/// core's). Never a session ID or a key, which contains one.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Tote sessions are stored in Redis at {Endpoints}, under key prefix '{KeyPrefix}'.")]
    public static partial void Started(ILogger logger, string endpoints, string keyPrefix);

    [LoggerMessage(101, LogLevel.Warning, "The Redis session store lost its connection to {Endpoint} ({FailureType}); session requests fail with 503 until it is back.")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(102, LogLevel.Information, "The Redis session store is connected to {Endpoint} again.")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(103, LogLevel.Warning, "A stored session value was not valid UTF-8 text and was removed; the visitor starts a fresh session.")]
    public static partial void MalformedValueRemoved(ILogger logger);

    [LoggerMessage(104, LogLevel.Warning, "A stored session's metadata held times no date can hold; the session was removed and the visitor starts a fresh session.")]
    public static partial void MalformedMetadataRemoved(ILogger logger);
}
