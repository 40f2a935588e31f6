using Microsoft.Extensions.Logging;

namespace Tote.Sql;

/// <summary>
/// Every log line the SQL drivers write, with stable event ids (from 200, after the core's and
/// Redis's); the logger's category (<c>Tote.Sqlite</c>, <c>Tote.PostgreSql</c>) says which driver.
/// Never a session ID, a connection string or a password.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Tote sessions are stored by the {Driver} driver in {Location}, table {Table}.")]
    public static partial void Started(ILogger logger, string driver, string location, string table);

    [LoggerMessage(201, LogLevel.Warning, "A stored session row was malformed (its record empty or not text, or its version or times not integers a date can hold) and was removed; the visitor starts a fresh session.")]
    public static partial void MalformedRecordRemoved(ILogger logger);

    [LoggerMessage(202, LogLevel.Warning, "The {Driver} session store could not check or create table {Table} at startup; it tries again at the first session request, which answers 503 until the database is reachable.")]
    public static partial void TableNotReady(ILogger logger, string driver, string table, Exception exception);

    [LoggerMessage(203, LogLevel.Warning, "The {Driver} session store may not create the per-user index table {Table} (no CREATE privilege on the schema). Sessions work, but signing in and UserSessions fail until it exists: create it with the statements in the driver's README, or grant CREATE and restart.")]
    public static partial void UserIndexTableNotCreated(ILogger logger, string driver, string table, Exception exception);
}
