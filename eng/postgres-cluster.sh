#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary
# directory, then pg_ctl on a free loopback port with trust authentication, no fsync and room for
# 500 connections. PostgreSQL refuses to run as root, so as root initdb and pg_ctl run as the
# postgres user the Debian package creates, in a directory it owns. Prints the Npgsql connection
# string on stdout and appends the command that stops the cluster (and removes its directory) to
# <stop-file>. Exits 3 when PostgreSQL is not installed (apt-get install postgresql).
# Usage: eng/postgres-cluster.sh <stop-file>
set -euo pipefail

stop_file="${1:?usage: eng/postgres-cluster.sh <stop-file>}"

# The newest installed PostgreSQL's programs (Debian keeps them off the PATH).
bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] || { echo "postgres-cluster: PostgreSQL is not installed" >&2; exit 3; }

# A port nothing answers on: bash's /dev/tcp connect fails for a free port.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "postgres-cluster: no free port found" >&2; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-postgres-XXXXXX")"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
echo "${as_pg[*]} '$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1; rm -rf '$dir'" >>"$stop_file"
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "postgres-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
