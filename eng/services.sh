#!/usr/bin/env bash
# Starts the servers the tests need, for eng/test.sh: a real redis-server on a free loopback
# port with a temporary directory and no persistence. Installs it with apt-get when missing
# (CI runs as root on a fresh Debian machine), and npm too, which the Astro interop test uses to
# install Astro and Node 22 into artifacts/astro-interop (never globally). Writes:
#   artifacts/services.env   exports the tests read (TOTE_TEST_REDIS=127.0.0.1:<port>)
#   artifacts/services.stop  commands that stop what was started (eng/test.sh runs them on exit)
# Usage: eng/services.sh start
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="$root/artifacts"
mkdir -p "$artifacts"
: >"$artifacts/services.env"

[ "${1:-}" = start ] || { echo "usage: eng/services.sh start" >&2; exit 2; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "services: ${missing[*]} not installed and cannot be (not root); the tests that need them will report themselves skipped." >&2
  fi
fi
command -v redis-server >/dev/null || exit 0

# A port nothing answers on: bash's /dev/tcp connect fails for a free port.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "services: no free port found for redis-server" >&2; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-redis-XXXXXX")"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
echo "kill \$(cat '$dir/redis.pid' 2>/dev/null) 2>/dev/null; rm -rf '$dir'" >>"$artifacts/services.stop"

for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    echo "export TOTE_TEST_REDIS=127.0.0.1:$port" >>"$artifacts/services.env"
    echo "services: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port" >&2
    exit 0
  fi
  sleep 0.1
done
echo "services: redis-server did not answer on 127.0.0.1:$port; see $dir/redis.log" >&2
exit 1
