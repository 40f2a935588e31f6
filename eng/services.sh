#!/usr/bin/env bash
# Starts the servers the tests need, for eng/test.sh: a real redis-server, a Redis Cluster (three
# primaries, each with one replica) and a throwaway PostgreSQL cluster (eng/postgres-cluster.sh),
# each on free loopback ports with temporary directories. Installs them with apt-get when missing (CI runs as root on a fresh Debian
# machine), and npm too, which the Astro interop test uses to install Astro and Node 22 into
# artifacts/astro-interop (never globally). Writes:
#   artifacts/services.env   exports the tests read (TOTE_TEST_REDIS=127.0.0.1:<port>,
#                            TOTE_TEST_REDIS_CLUSTER=127.0.0.1:<port>,… (the cluster's primaries),
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
# redis-cli (which creates the cluster) comes with redis-tools, which redis-server depends on.
command -v redis-cli >/dev/null || missing+=(redis-tools)
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

# A Redis Cluster of three primaries, each with one replica, for the cluster tests. A node also
# listens on its port + 10000 (the cluster bus), so both must be free, and both stay below
# Linux's ephemeral range (32768 up), where an outgoing connection's local port, which no probe
# sees, makes the bind fail. A short node timeout (2 s) lets a replica take over within seconds.
cluster_port() {
  for _ in $(seq 1 50); do
    candidate=$((12000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null \
      && ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 10000))") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "services: no free port pair for a Redis Cluster node found" >&2
  return 1
}

start_redis_cluster() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || return 0
  local dir port ports=() nodes=() primaries
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-redis-cluster-XXXXXX")"
  for i in 1 2 3 4 5 6; do
    port=$(cluster_port)
    mkdir -p "$dir/$i"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/$i" --save "" --appendonly no \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --daemonize yes --pidfile "$dir/$i/redis.pid" --logfile "$dir/$i/redis.log"
    echo "kill \$(cat '$dir/$i/redis.pid' 2>/dev/null) 2>/dev/null" >>"$artifacts/services.stop"
    ports+=("$port")
    nodes+=("127.0.0.1:$port")
  done
  echo "rm -rf '$dir'" >>"$artifacts/services.stop"

  for i in 1 2 3 4 5 6; do
    port=${ports[$((i - 1))]}
    for _ in $(seq 1 100); do
      [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
      sleep 0.1
    done
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" != PONG ]; then
      echo "services: Redis Cluster node on 127.0.0.1:$port did not answer; see $dir/$i/redis.log" >&2
      return 1
    fi
  done
  if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1; then
    echo "services: redis-cli --cluster create failed; see $dir/create.log" >&2
    return 1
  fi

  # Every node must agree the cluster is whole (slots covered, each primary's replica known)
  # before a test uses it; replicas are announced over the bus a moment after the create.
  cluster_whole() {
    redis-cli -p "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok' \
      && [ "$(redis-cli -p "$1" cluster nodes 2>/dev/null | awk '$3 ~ /slave/' | wc -l)" = 3 ]
  }
  for port in "${ports[@]}"; do
    for _ in $(seq 1 300); do
      cluster_whole "$port" && break
      sleep 0.1
    done
    if ! cluster_whole "$port"; then
      echo "services: Redis Cluster node 127.0.0.1:$port did not see the whole cluster (cluster_state:ok, 3 replicas) within 30 s; see $dir" >&2
      return 1
    fi
  done

  # redis-cli picks which nodes become primaries; ask the cluster.
  primaries=$(redis-cli -p "${ports[0]}" cluster nodes | awk '$3 ~ /master/ && $9 != "" { sub(/@.*/, "", $2); print $2 }' | sort | paste -sd, -)
  echo "export TOTE_TEST_REDIS_CLUSTER=$primaries" >>"$artifacts/services.env"
  echo "services: Redis Cluster (3 primaries, 3 replicas) with primaries $primaries" >&2
}

# A throwaway cluster (eng/postgres-cluster.sh, shared with the benchmarks).
start_postgres() {
  [ -n "$(pg_bin)" ] || return 0
  local connection
  connection="$("$root/eng/postgres-cluster.sh" "$artifacts/services.stop")"
  echo "export TOTE_TEST_POSTGRES=\"$connection\"" >>"$artifacts/services.env"
}

start_redis
start_redis_cluster
start_postgres
