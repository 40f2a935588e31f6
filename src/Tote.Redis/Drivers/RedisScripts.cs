namespace Tote.Redis.Drivers;

/// <summary>
/// The Lua scripts of the <c>redis</c> driver. Each touches one session's two keys (value and
/// metadata, one hash slot) in one atomic step. Times are epoch milliseconds from the driver's
/// <see cref="TimeProvider"/>, passed in rather than read from the server's clock, so a fake
/// clock in tests and a server whose clock drifts both behave; the keys' own TTLs are set
/// relative to that time and only clean up.
/// </summary>
/// <remarks>
/// A value without metadata is a session Tote has not written: Astro's unstorage driver writes
/// the value with a plain <c>SET</c> and never touches the metadata. Such a session is live while
/// its key exists, and is adopted (metadata written, expiry restored) at Tote's next touch.
/// </remarks>
internal static class RedisScripts
{
    // Reads of keys that may hold the wrong type (a damaged store) answer false instead of failing.
    private const string Prelude = """
        local function try(...)
          local ok, result = pcall(redis.call, ...)
          if ok then return result end
          return false
        end
        -- Integers as text without an exponent, whichever Lua the server embeds.
        local function ms(n) return string.format('%d', n) end
        local function expire(ttl)
          if ttl < 1 then ttl = 1 end
          redis.call('PEXPIRE', KEYS[1], ms(ttl))
          redis.call('PEXPIRE', KEYS[2], ms(ttl))
        end

        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: now, idle timeout, absolute timeout, slide (1 or 0).
    /// Returns <c>{value, created, expires}</c> of a live session, or false. With slide, moves the
    /// expiry to min(now + idle, created + absolute) once a tenth of the idle timeout has passed,
    /// and adopts a session written by someone else.
    /// </summary>
    public const string Load = Prelude + """
        local value = try('GET', KEYS[1])
        if not value then return false end
        local now, idle, absolute, slide = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
        local meta = try('HMGET', KEYS[2], 'c', 'e') or {}
        local created, expires = tonumber(meta[1]), tonumber(meta[2])
        if not created or not expires then
          local ttl = redis.call('PTTL', KEYS[1])
          created = now
          if ttl > 0 then expires = now + ttl else expires = now + idle end
          if slide then
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[2], 'c', ms(created), 'e', ms(expires))
            expire(expires - now)
          end
          return {value, ms(created), ms(expires)}
        end
        if expires <= now then return false end
        if slide then
          local target = math.min(now + idle, created + absolute)
          if target - expires >= idle / 10 then
            redis.call('HSET', KEYS[2], 'e', ms(target))
            expire(target - now)
            expires = target
          end
        end
        return {value, ms(created), ms(expires)}
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: expected version (the SHA-1 of the value, or empty for "no
    /// live session"), new value, created, expires, now. Returns 1 when written, 0 on conflict.
    /// The version is checked against the value itself, so a plain <c>SET</c> by another writer
    /// is noticed even though it leaves the metadata alone.
    /// </summary>
    public const string Save = Prelude + """
        local current = try('GET', KEYS[1])
        local now = tonumber(ARGV[5])
        local live = false
        if current then
          local expires = tonumber(try('HGET', KEYS[2], 'e'))
          live = expires == nil or expires > now
        end
        if ARGV[1] == '' then
          if live then return 0 end
        elseif not live or redis.sha1hex(current) ~= ARGV[1] then
          return 0
        end
        local ttl = tonumber(ARGV[4]) - now
        if ttl < 1 then ttl = 1 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ms(ttl))
        redis.call('DEL', KEYS[2])
        redis.call('HSET', KEYS[2], 'c', ARGV[3], 'e', ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ms(ttl))
        return 1
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: new expiry, now. Returns 1 when a live session was refreshed,
    /// 0 when none exists. Adopts a session written by someone else.
    /// </summary>
    public const string Refresh = Prelude + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local now, target = tonumber(ARGV[2]), tonumber(ARGV[1])
        local meta = try('HMGET', KEYS[2], 'c', 'e') or {}
        local created, expires = tonumber(meta[1]), tonumber(meta[2])
        if expires and expires <= now then return 0 end
        if not created or not expires then
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[2], 'c', ms(now), 'e', ms(target))
        else
          redis.call('HSET', KEYS[2], 'e', ms(target))
        end
        expire(target - now)
        return 1
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: the SHA-1 of the value to remove. Deletes a damaged record
    /// only if it is still the one that was read, so a concurrent good write survives.
    /// </summary>
    public const string DeleteIfUnchanged = """
        local current = redis.call('GET', KEYS[1])
        if current and redis.sha1hex(current) == ARGV[1] then
          return redis.call('DEL', KEYS[1], KEYS[2])
        end
        return 0
        """;
}
