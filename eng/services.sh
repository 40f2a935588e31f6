#!/usr/bin/env bash
# Starts the servers the tests need, for eng/test.sh: a real redis-server and a throwaway
# PostgreSQL cluster, each on a free loopback port with a temporary directory and no persistence
# worth keeping. Installs them with apt-get when missing (CI runs as root on a fresh Debian
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

# The newest installed PostgreSQL's programs (Debian keeps them off the PATH).
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

# A throwaway cluster: trust authentication on loopback only, no fsync (the data is thrown away).
# PostgreSQL refuses to run as root, so as root initdb and pg_ctl run as the postgres user the
# package creates, in a directory it owns.
start_postgres() {
  local bin port dir as_pg=()
  bin="$(pg_bin)"
  [ -n "$bin" ] || return 0
  port=$(free_port)
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-postgres-XXXXXX")"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  echo "${as_pg[*]} '$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1; rm -rf '$dir'" >>"$artifacts/services.stop"
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  echo "export TOTE_TEST_POSTGRES=\"Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres\"" >>"$artifacts/services.env"
  echo "services: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

start_redis
start_postgres
