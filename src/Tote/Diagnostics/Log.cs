using Microsoft.Extensions.Logging;

namespace Tote.Diagnostics;

/// <summary>
/// Every log line Tote writes, with stable event ids. A session is named only by its
/// <see cref="SessionIdHash"/>, never by its ID or cookie value.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Created session {Session}.")]
    public static partial void SessionCreated(ILogger logger, SessionIdHash session);

    [LoggerMessage(2, LogLevel.Debug, "Loaded session {Session}.")]
    public static partial void SessionLoaded(ILogger logger, SessionIdHash session);

    [LoggerMessage(3, LogLevel.Debug, "Saved session {Session} after {Attempts} attempt(s).")]
    public static partial void SessionSaved(ILogger logger, SessionIdHash session, int attempts);

    [LoggerMessage(4, LogLevel.Debug, "Session {Session} changed in the store since it was loaded; merging onto the latest version and retrying.")]
    public static partial void SaveConflict(ILogger logger, SessionIdHash session);

    [LoggerMessage(5, LogLevel.Debug, "Destroyed session {Session}.")]
    public static partial void SessionDestroyed(ILogger logger, SessionIdHash session);

    [LoggerMessage(6, LogLevel.Debug, "Regenerated session {OldSession} as {Session}.")]
    public static partial void SessionRegenerated(ILogger logger, SessionIdHash oldSession, SessionIdHash session);

    [LoggerMessage(7, LogLevel.Warning, "The stored record of session {Session} is corrupt and was removed; the visitor starts a fresh session. {Reason}")]
    public static partial void CorruptRecord(ILogger logger, SessionIdHash session, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Session {Session} was destroyed, regenerated or expired while this request was using it; its changes were dropped so the session is not recreated.")]
    public static partial void ChangesDropped(ILogger logger, SessionIdHash session);

    [LoggerMessage(9, LogLevel.Error, "The session could not be saved because the store failed; answering {StatusCode}.")]
    public static partial void SaveFailedBeforeResponse(ILogger logger, Exception exception, int statusCode);

    [LoggerMessage(10, LogLevel.Error, "The session could not be saved after the response had started; its changes are lost.")]
    public static partial void SaveFailedAfterResponse(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Debug, "The request ended in an unhandled exception; session changes were not saved.")]
    public static partial void SaveSkippedAfterException(ILogger logger);

    [LoggerMessage(12, LogLevel.Debug, "The client sent session ID {Session}, which the store does not hold; it was ignored.")]
    public static partial void UnknownSessionId(ILogger logger, SessionIdHash session);

    [LoggerMessage(13, LogLevel.Debug, "The request carried a malformed, oversized or repeated session ID; it was ignored.")]
    public static partial void RejectedSessionId(ILogger logger);

    [LoggerMessage(14, LogLevel.Warning, "Session {Session} changed after the response had started, and the cookie could no longer be updated.")]
    public static partial void CookieNotUpdated(ILogger logger, SessionIdHash session);

    [LoggerMessage(15, LogLevel.Warning, "A new session was needed after the response had started, when no cookie can be sent; its changes were dropped.")]
    public static partial void CreationAfterResponseDropped(ILogger logger);

    [LoggerMessage(16, LogLevel.Debug, "Refreshed the expiry of session {Session}.")]
    public static partial void SessionRefreshed(ILogger logger, SessionIdHash session);

    [LoggerMessage(18, LogLevel.Error, "The session store failed while the request used the session; answering {StatusCode}.")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int statusCode);

    [LoggerMessage(40, LogLevel.Warning, "The session cookie {CookieName} was sent with the Secure attribute on a plain-http request, so browsers and test clients drop it and the session will look empty on the next request. Serve the app over https (behind a TLS-terminating proxy, add app.UseForwardedHeaders()), give the test client an https base address, run in the Development environment, or set Tote:Cookie:SecurePolicy to SameAsRequest. This warning is written once.")]
    public static partial void SecureCookieOverHttp(ILogger logger, string cookieName);

    [LoggerMessage(30, LogLevel.Information, "Sessions are stored in files under {Directory} (the fs driver): single-machine storage. Processes on this machine share them; servers behind a load balancer do not, so use a shared driver (redis, postgres) there.")]
    public static partial void FileStoreStarted(ILogger logger, string directory);

    [LoggerMessage(31, LogLevel.Warning, "The distributed-cache driver cannot compare-and-swap: when concurrent requests change one session the last writer wins, and UpdateAsync is not atomic. Use fs, redis, sqlite or postgres where that matters.")]
    public static partial void DistributedCacheCannotCompareAndSwap(ILogger logger);

    [LoggerMessage(32, LogLevel.Debug, "Swept {Count} expired session(s).")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(33, LogLevel.Warning, "Sweeping expired sessions failed; trying again at the next interval.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(50, LogLevel.Warning, "The {Driver} session store is at its bound ({Bound}); since the last warning it evicted {NewSessions} session(s) used only once and {ReturningSessions} session(s) of returning visitors. A flood of new sessions only evicts the former; if returning visitors are evicted, raise the bound or rate-limit session creation. Written at most once a minute.")]
    public static partial void SessionsEvicted(ILogger logger, string driver, string bound, long newSessions, long returningSessions);

    [LoggerMessage(51, LogLevel.Warning, "Evicting sessions from the {Driver} session store failed; it stays over its bound until the next new session or sweep tries again.")]
    public static partial void EvictionFailed(ILogger logger, string driver, Exception exception);

    [LoggerMessage(60, LogLevel.Warning, "The stored record of session {Session} is {Length} characters, over the limit of {Limit} (Tote:MaxSessionSize); it was removed without being read, and the visitor starts a fresh session.")]
    public static partial void OversizedRecord(ILogger logger, SessionIdHash session, int length, int limit);

    [LoggerMessage(62, LogLevel.Warning, "The changes to session {Session} (keys: {Keys}) would grow it to {Size} characters, over the limit of {Limit} (Tote:MaxSessionSize); they were staged before the session was loaded, so the end-of-request save dropped them and kept the stored session. Read the session before setting values that may not fit, so that Set throws SessionTooLargeException where you can handle it.")]
    public static partial void OversizedChangesDropped(ILogger logger, SessionIdHash session, string keys, long size, int limit);

    [LoggerMessage(61, LogLevel.Warning, "The value stored under key '{Key}' of session {Session} cannot be read as {Type} ({Reason}); it reads as missing and is removed at the session's next save (Tote:UnreadableValues is Drop).")]
    public static partial void UnreadableValueDropped(ILogger logger, string key, SessionIdHash session, string type, string reason);

    [LoggerMessage(70, LogLevel.Warning, "The '{Driver}' session store failed {Failures} times in a row, the last time with {Error}. Store calls now fail at once for {BreakSeconds} s (requests that use a session answer at once instead of waiting); then one call tests whether the store is back.")]
    public static partial void StoreCircuitOpened(ILogger logger, string driver, int failures, string error, double breakSeconds);

    [LoggerMessage(71, LogLevel.Information, "The '{Driver}' session store answers again; store calls resume.")]
    public static partial void StoreCircuitClosed(ILogger logger, string driver);

    [LoggerMessage(72, LogLevel.Debug, "The '{Driver}' session store still fails ({Error}); store calls keep failing at once for another {BreakSeconds} s.")]
    public static partial void StoreCircuitReopened(ILogger logger, string driver, string error, double breakSeconds);

    [LoggerMessage(73, LogLevel.Warning, "The '{Driver}' session store did not answer at startup. The app starts anyway; requests that use a session answer {StatusCode} until the store answers. {Reason}")]
    public static partial void StoreUnreachableAtStartup(ILogger logger, Exception exception, string driver, int statusCode, string reason);

    [LoggerMessage(74, LogLevel.Debug, "The '{Driver}' session store answered at startup.")]
    public static partial void StoreReachableAtStartup(ILogger logger, string driver);

    [LoggerMessage(80, LogLevel.Debug, "Signed in session {Handle}.")]
    public static partial void SignedIn(ILogger logger, string handle);

    [LoggerMessage(81, LogLevel.Information, "Revoked session {Handle}.")]
    public static partial void SessionRevoked(ILogger logger, string handle);

    [LoggerMessage(83, LogLevel.Warning, "The user index entry of session {Handle} could not be refreshed; its last-seen time lags until the next slide.")]
    public static partial void UserSessionRefreshFailed(ILogger logger, Exception exception, string handle);

    [LoggerMessage(84, LogLevel.Error, "The key of session handles cannot be read: {Reason} Until this is fixed, signing in, GetUserIdAsync, Session.Handle and UserSessions fail.")]
    public static partial void HandleKeyUnreadable(ILogger logger, Exception exception, string reason);

    [LoggerMessage(90, LogLevel.Information, "Authentication tickets of the '{Scheme}' cookie scheme are kept in the '{Driver}' session store; its cookie holds only a key.")]
    public static partial void TicketStoreConfigured(ILogger logger, string scheme, string driver);

    [LoggerMessage(91, LogLevel.Debug, "Stored the authentication ticket of the '{Scheme}' cookie scheme as session {Handle}.")]
    public static partial void TicketStored(ILogger logger, string scheme, string handle);

    [LoggerMessage(92, LogLevel.Debug, "Renewed the authentication ticket session {Handle} of the '{Scheme}' cookie scheme.")]
    public static partial void TicketRenewed(ILogger logger, string scheme, string handle);

    [LoggerMessage(93, LogLevel.Debug, "Removed the authentication ticket session {Handle} of the '{Scheme}' cookie scheme (sign-out).")]
    public static partial void TicketRemoved(ILogger logger, string scheme, string handle);

    [LoggerMessage(94, LogLevel.Debug, "The authentication ticket session {Handle} of the '{Scheme}' cookie scheme no longer exists (expired, revoked or signed out); the device is signed out of the scheme.")]
    public static partial void TicketNotFound(ILogger logger, string scheme, string handle);

    [LoggerMessage(95, LogLevel.Warning, "The stored authentication ticket session {Handle} of the '{Scheme}' cookie scheme is corrupt and was removed; the device is signed out of the scheme. {Reason}")]
    public static partial void CorruptTicket(ILogger logger, string scheme, string handle, string reason);

    [LoggerMessage(96, LogLevel.Warning, "The record named by an authentication cookie of the '{Scheme}' scheme (session {Handle}) holds no ticket; the device is signed out of the scheme and the record is left alone.")]
    public static partial void NotATicket(ILogger logger, string scheme, string handle);

    [LoggerMessage(97, LogLevel.Debug, "The authentication ticket session {Handle} of the '{Scheme}' cookie scheme ended before its renewal (revoked, expired or signed out); it is not recreated.")]
    public static partial void TicketEndedBeforeRenewal(ILogger logger, string scheme, string handle);

    [LoggerMessage(98, LogLevel.Debug, "The principal signing in with the '{Scheme}' cookie scheme has no user ID (no NameIdentifier claim and no name); its ticket is stored bound to no user, so UserSessions neither lists nor revokes it.")]
    public static partial void TicketUnbound(ILogger logger, string scheme);
}
