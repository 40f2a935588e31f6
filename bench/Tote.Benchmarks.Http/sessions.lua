-- wrk script for eng/bench-http.sh: every request carries the cookie of the next pre-created
-- session, round robin, each thread starting at its own offset.
-- Arguments: METHOD PATH COOKIE-FILE (one "name=value" per line).
-- Prints one line at the end: RESULT <req/s> <p99 ms> <non-2xx/3xx responses> <socket errors>

local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  method = args[1]
  path = args[2]
  cookies = {}
  for line in io.lines(args[3]) do
    cookies[#cookies + 1] = line
  end
  n = (id - 1) * math.floor(#cookies / 2)
end

function request()
  n = n % #cookies + 1
  return wrk.format(method, path, { ["Cookie"] = cookies[n] })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %.1f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
