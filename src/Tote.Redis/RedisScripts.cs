namespace Tote.Redis;

/// <summary>
/// The Lua scripts of the <c>redis</c> driver. Each touches one session's two keys (value and
/// metadata, one hash slot) in one atomic step. Times are epoch milliseconds from the driver's
/// <see cref="TimeProvider"/>, passed in rather than read from the server's clock, so a fake
/// clock in tests and a server whose clock drifts both behave; the keys' own TTLs are set
/// relative to that time and only clean up, so none is longer than a century
/// (<see cref="RedisSessionMetadata.MaxKeyTtl"/>): Garnet refuses an expiry past the year 9999.
/// </summary>
/// <remarks>
/// <para>
/// The metadata is one plain string, <c>"&lt;created&gt; &lt;expires&gt;"</c>, so that both keys
/// are read with one <c>MGET</c> and written with one <c>SET … PX</c> each: on a single-threaded
/// Redis the number of commands a script runs is what a session write costs the server.
/// </para>
/// <para>
/// A value without metadata is a session Tote has not written: Astro's unstorage driver writes
/// the value with a plain <c>SET</c> and never touches the metadata. Such a session is live while
/// its key exists, and is adopted (metadata written, expiry restored) at Tote's next touch.
/// Metadata that is not Tote's string (another type at the key, or unreadable text) counts as
/// none, and is overwritten at the next touch. Tote's string with times no date can hold is
/// damage: a load removes such a session, and a refresh counts the times as none, so no script
/// ever computes with them.
/// </para>
/// </remarks>
internal static class RedisScripts
{
    private const string Prelude = """
        -- Integers as text without an exponent, whichever Lua the server embeds.
        local function ms(n) return string.format('%d', n) end
        -- The epoch milliseconds a .NET DateTimeOffset can hold (RedisSessionMetadata.MinTime, MaxTime),
        -- and the longest TTL a key gets (RedisSessionMetadata.MaxKeyTtl).
        local minTime, maxTime, maxTtl = -62135596800000, 253402300799999, 3153600000000
        -- Created and expiry times, or none. MGET answers nil (false in Lua) for a key of another
        -- type, so a damaged store never fails a read. Tote's string with times no date can hold
        -- is none as well, flagged as damaged: sums and ms() on them would be wrong, or fail (Lua 5.4).
        local function times(meta)
          if not meta then return nil, nil, false end
          local created, expires = string.match(meta, '^(%-?%d+) (%-?%d+)$')
          if not created then return nil, nil, false end
          created, expires = tonumber(created), tonumber(expires)
          if created < minTime or created > maxTime or expires < minTime or expires > maxTime then
            return nil, nil, true
          end
          return created, expires, false
        end
        local function store(created, expires, now)
          local ttl = math.min(expires - now, maxTtl)
          if ttl < 1 then ttl = 1 end
          redis.call('SET', KEYS[2], ms(created) .. ' ' .. ms(expires), 'PX', ms(ttl))
          return ms(ttl)
        end

        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: now, idle timeout, then, for a load that slides, the absolute
    /// timeout and the minimum slide (a <see cref="Tote.Drivers.SlidingExpiration"/>, in
    /// milliseconds). Returns <c>{value, created, expires, slid}</c> of a live session (slid is 1
    /// when this call wrote the expiry, else 0), false when there is none, or 0 when its metadata
    /// was damaged and the session has been removed.
    /// </summary>
    /// <remarks>
    /// The driver's one slide: a sliding load moves the expiry to
    /// <c>min(now + idle, created + absolute)</c> when that moves it by at least the minimum
    /// slide, with the numbers the core's rule hands over, and adopts a session written by
    /// someone else (expiry: its key's TTL, or else the idle timeout). Being atomic, its answer
    /// says whether the expiry was written, not merely whether a write was sent.
    /// </remarks>
    public const string Load = Prelude + """
        local pair = redis.call('MGET', KEYS[1], KEYS[2])
        local value = pair[1]
        if not value then return false end
        local now, idle, slide = tonumber(ARGV[1]), tonumber(ARGV[2]), #ARGV >= 4
        local created, expires, damaged = times(pair[2])
        if damaged then
          redis.call('DEL', KEYS[1], KEYS[2])
          return 0
        end
        if not created then
          local ttl = redis.call('PTTL', KEYS[1])
          created = now
          if ttl > 0 then expires = now + ttl else expires = now + idle end
          expires = math.min(expires, maxTime)
          if not slide then return {value, ms(created), ms(expires), '0'} end
          redis.call('PEXPIRE', KEYS[1], store(created, expires, now))
          return {value, ms(created), ms(expires), '1'}
        end
        if expires <= now then return false end
        if slide then
          local target = math.min(now + idle, created + tonumber(ARGV[3]), maxTime)
          if target - expires >= tonumber(ARGV[4]) then
            redis.call('PEXPIRE', KEYS[1], store(created, target, now))
            return {value, ms(created), ms(target), '1'}
          end
        end
        return {value, ms(created), ms(expires), '0'}
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: now, new value, created, expires, then the version the caller
    /// loaded and the versions' key (<see cref="RedisSessionVersions"/>), or nothing to create a
    /// session that must not be live. Returns 1 when written, 0 on conflict. The version is
    /// recomputed from the stored value, so a plain <c>SET</c> by another writer is noticed even
    /// though it leaves the metadata alone.
    /// </summary>
    /// <remarks>
    /// Every write runs this, so it is written out without <see cref="Prelude"/>'s helpers, whose
    /// definitions cost the server a good part of the script. A save that keeps the expiry (the
    /// core moves it only when it slides) leaves the metadata as it is: its TTL already ends at
    /// that expiry.
    /// </remarks>
    public const string Save = """
        local pair = redis.call('MGET', KEYS[1], KEYS[2])
        local current, meta = pair[1], pair[2]
        local now = tonumber(ARGV[1])
        local live = false
        if current then
          local expires = nil
          if meta then expires = tonumber(string.match(meta, '^%-?%d+ (%-?%d+)$')) end
          live = expires == nil or expires > now
        end
        if #ARGV < 6 then
          if live then return 0 end
        elseif not live or redis.sha1hex(ARGV[6] .. redis.sha1hex(current)) ~= ARGV[5] then
          return 0
        end
        local expires = tonumber(ARGV[4])
        local ttl = expires - now
        -- At most a century: RedisSessionMetadata.MaxKeyTtl.
        if ttl < 1 then ttl = 1 elseif ttl > 3153600000000 then ttl = 3153600000000 end
        ttl = string.format('%d', ttl)
        local stamp = string.format('%d %d', tonumber(ARGV[3]), expires)
        if meta ~= stamp then
          redis.call('SET', KEYS[2], stamp, 'PX', ttl)
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
        return 1
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: new expiry, now. Returns 1 when a live session was refreshed,
    /// 0 when none exists. Adopts a session written by someone else.
    /// </summary>
    public const string Refresh = Prelude + """
        local pair = redis.call('MGET', KEYS[1], KEYS[2])
        if not pair[1] then return 0 end
        local now, target = tonumber(ARGV[2]), tonumber(ARGV[1])
        local created, expires = times(pair[2])
        if expires and expires <= now then return 0 end
        redis.call('PEXPIRE', KEYS[1], store(created or now, target, now))
        return 1
        """;

    /// <summary>
    /// KEYS: value, metadata. ARGV: the stored bytes that were read. Deletes a damaged record only
    /// if it is still the one that was read, so a concurrent good write survives.
    /// </summary>
    public const string DeleteIfUnchanged = """
        if redis.call('MGET', KEYS[1])[1] == ARGV[1] then
          return redis.call('DEL', KEYS[1], KEYS[2])
        end
        return 0
        """;
}
