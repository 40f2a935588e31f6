namespace Tote.Redis;

/// <summary>
/// The Lua scripts of the per-user index. Each touches only the user's hash
/// (<see cref="RedisSessionKeys.User"/>), one slot; the sessions the entries point to live in
/// other slots, so no script reads them (<see cref="RedisSessionStore"/> lists in three steps).
/// Times are epoch milliseconds from the driver's <see cref="TimeProvider"/>, passed in.
/// </summary>
/// <remarks>
/// The hash's TTL only ever grows, to the latest expiry any entry was written or healed with plus
/// <see cref="Retention"/>, capped at a century as the sessions' keys are
/// (<see cref="RedisSessionMetadata.MaxKeyTtl"/>): the index of a user nobody lists ends with
/// the user's last session, and an entry whose session slid while its own rewrite failed
/// outlives it by the margin. A hash without a TTL (persisted by hand) keeps none.
/// </remarks>
internal static class RedisUserIndexScripts
{
    /// <summary>
    /// How long an entry, and the hash, are kept past the expiry the entry was written with. The
    /// core rewrites an entry whenever its session's expiry slides; if that write fails, the
    /// session outlives its entry's expiry, and this margin (with listing healing the entry) keeps
    /// it listed until a later rewrite succeeds.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    /// <summary>
    /// KEYS: the user's hash. ARGV: now, session ID, entry (<see cref="RedisUserIndexEntries"/>),
    /// the entry's expiry, <see cref="Retention"/> in milliseconds. Writes the entry and extends
    /// the hash's TTL. A new entry (a sign-in) also removes the entries whose own expiry is more
    /// than the retention past, so a user who signs in again and again but is never listed does
    /// not pile up entries of expired sessions; a slide's rewrite of an existing entry scans nothing.
    /// </summary>
    public const string Set = """
        local now, expires, retention = tonumber(ARGV[1]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local ttl = redis.call('PTTL', KEYS[1])
        if redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) == 1 and ttl ~= -2 then
          local all = redis.call('HGETALL', KEYS[1])
          for i = 1, #all, 2 do
            local ends = tonumber(string.match(all[i + 1], '^%-?%d+ %-?%d+ (%-?%d+) '))
            if ends and ends + retention < now and all[i] ~= ARGV[2] then redis.call('HDEL', KEYS[1], all[i]) end
          end
        end
        -- At most a century: RedisSessionMetadata.MaxKeyTtl.
        local target = math.min(expires - now + retention, 3153600000000)
        if target < 1 then target = 1 end
        if ttl == -2 or (ttl >= 0 and ttl < target) then
          redis.call('PEXPIRE', KEYS[1], string.format('%d', target))
        end
        return 1
        """;

    /// <summary>
    /// KEYS: the user's hash. ARGV: the TTL the hash should have at least, in milliseconds (0 for
    /// no change), then for each entry to change its session ID, the value listing read, and
    /// the new value or an empty string to remove it. An entry whose value changed since it was
    /// read (rewritten by a sign-in or a slide meanwhile) is left as it is. Returns how many
    /// entries changed.
    /// </summary>
    public const string Clean = """
        local changed = 0
        for i = 2, #ARGV, 3 do
          if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
            if ARGV[i + 2] == '' then
              redis.call('HDEL', KEYS[1], ARGV[i])
            else
              redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
            end
            changed = changed + 1
          end
        end
        local target = tonumber(ARGV[1])
        if target > 0 then
          local ttl = redis.call('PTTL', KEYS[1])
          if ttl >= 0 and ttl < target then
            redis.call('PEXPIRE', KEYS[1], string.format('%d', target))
          end
        end
        return changed
        """;
}
