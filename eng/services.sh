#!/usr/bin/env bash
# Starts the servers the tests need, for eng/test.sh: a real redis-server and a throwaway
# PostgreSQL cluster (eng/postgres-cluster.sh), each on a free loopback port with a temporary
# directory. Installs them with apt-get when missing (CI runs as root on a fresh Debian
# machine), and npm too, which the Astro interop test uses to install Astro and Node 22 into
# artifacts/astro-interop (never globally). Writes:
#   artifacts/services.env   exports the tests read (TOTE_TEST_REDIS=127.0.0.1:<port>,
#                            TOTE_TEST_POSTGRES="Host=127.0.0.1;Port=<port>;Username=postgres;Database=postgres")
#   artifacts/services.stop  commands that stop what was started (eng/test.sh runs them on exit)
# Usage: eng/services.sh start
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="$root/artifacts"
mkdir -p "$artifacts"
: >"$artifacts/services.env"

[ "${1:-}" = start ] || { echo "usage: eng/services.sh start" >&2; exit 2; }

# The newest installed PostgreSQL's programs (Debian keeps them off the PATH; 'postgresql' installs them).
pg_bin() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v npm >/dev/null || missing+=(npm)
[ -n "$(pg_bin)" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "services: ${missing[*]} not installed and cannot be (not root); the tests that need them will report themselves skipped." >&2
  fi
fi

# A port nothing answers on: bash's /dev/tcp connect fails for a free port.
free_port() {
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "services: no free port found" >&2
  return 1
}

start_redis() {
  command -v redis-server >/dev/null || return 0
  local port dir
  port=$(free_port)
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-redis-XXXXXX")"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  echo "kill \$(cat '$dir/redis.pid' 2>/dev/null) 2>/dev/null; rm -rf '$dir'" >>"$artifacts/services.stop"

  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "export TOTE_TEST_REDIS=127.0.0.1:$port" >>"$artifacts/services.env"
      echo "services: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "services: redis-server did not answer on 127.0.0.1:$port; see $dir/redis.log" >&2
  return 1
}

# A throwaway cluster (eng/postgres-cluster.sh, shared with the benchmarks).
start_postgres() {
  [ -n "$(pg_bin)" ] || return 0
  local connection
  connection="$("$root/eng/postgres-cluster.sh" "$artifacts/services.stop")"
  echo "export TOTE_TEST_POSTGRES=\"$connection\"" >>"$artifacts/services.env"
}

start_redis
start_postgres
