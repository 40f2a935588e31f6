#!/usr/bin/env bash
# Whole-request load test: wrk against bench/Tote.Benchmarks.Http on 127.0.0.1, for Tote on the
# memory and fs drivers and for the built-in ASP.NET Core session, in one run on one machine.
# Each cell is the median of three passes after a warm-up; every request carries one of the
# pre-created sessions, round robin. Prints one markdown table and the budget verdicts.
#
# Usage: eng/bench-http.sh
# Environment: BENCH_DURATION (s per pass, 4), BENCH_WARMUP (s, 2), BENCH_SESSIONS (1000),
#              BENCH_PORT (5190), BENCH_STACKS ("tote-memory tote-fs builtin")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

duration="${BENCH_DURATION:-4}"
warmup="${BENCH_WARMUP:-2}"
sessions="${BENCH_SESSIONS:-1000}"
port="${BENCH_PORT:-5190}"
stacks="${BENCH_STACKS:-tote-memory tote-fs builtin}"
base="http://127.0.0.1:$port"
out="$root/artifacts/bench/http"
lua="$root/bench/Tote.Benchmarks.Http/sessions.lua"
routes=("GET /plain" "GET /nosession" "GET /cart" "POST /cart?item=x")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '==> %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl >/dev/null
  else
    echo "wrk is not installed (apt-get install wrk)." >&2
    exit 1
  fi
fi

rm -rf "$out"
mkdir -p "$out"
step "dotnet build bench/Tote.Benchmarks.Http -c Release"
dotnet build bench/Tote.Benchmarks.Http -c Release -nologo -clp:NoSummary -v quiet >&2

app=""
stop_app() {
  if [ -n "$app" ]; then
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    app=""
  fi
}
trap stop_app EXIT

median() { sort -g | sed -n 2p; }

for stack in $stacks; do
  case "$stack" in
    tote-memory) env=(BENCH_STACK=tote Tote__Driver=memory) ;;
    tote-fs) env=(BENCH_STACK=tote Tote__Driver=fs "Tote__FileSystem__Path=$out/fs-sessions") ;;
    builtin) env=(BENCH_STACK=builtin) ;;
    *) echo "unknown stack $stack" >&2; exit 1 ;;
  esac

  step "$stack: starting on $base"
  env "${env[@]}" dotnet run -c Release --no-build --project bench/Tote.Benchmarks.Http -- --urls "$base" \
    >"$out/$stack.log" 2>&1 &
  app=$!
  for _ in $(seq 1 100); do
    curl -fs "$base/plain" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$base/plain" >/dev/null || { echo "$stack did not start; see $out/$stack.log" >&2; exit 1; }

  step "$stack: creating $sessions sessions"
  for _ in $(seq 1 "$sessions"); do printf 'url = "%s/cart?item=seed"\noutput = "/dev/null"\n' "$base"; done >"$out/$stack.curl"
  curl -s -X POST -D "$out/$stack.headers" --config "$out/$stack.curl"
  sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$out/$stack.headers" | tr -d '\r' >"$out/$stack.cookies"
  created=$(wc -l <"$out/$stack.cookies")
  [ "$created" -eq "$sessions" ] || { echo "$stack: created $created sessions, expected $sessions" >&2; exit 1; }

  # Warm every route up first (JIT, pools, caches), so that the first route measured is not the coldest.
  for route in "${routes[@]}"; do
    read -r method path <<<"$route"
    wrk -t2 -c32 -d"${warmup}s" -s "$lua" "$base" -- "$method" "$path" "$out/$stack.cookies" >/dev/null
  done

  for route in "${routes[@]}"; do
    read -r method path <<<"$route"
    : >"$out/passes"
    for pass in 1 2 3; do
      result=$(wrk -t2 -c32 -d"${duration}s" --timeout 5s -s "$lua" "$base" -- "$method" "$path" "$out/$stack.cookies" | grep '^RESULT')
      read -r _ rps p99 bad sock <<<"$result"
      [ "$bad" = 0 ] && [ "$sock" = 0 ] || echo "warning: $stack $route pass $pass: $bad bad responses, $sock socket errors" >&2
      echo "$rps $p99" >>"$out/passes"
    done
    rps=$(cut -d' ' -f1 "$out/passes" | median)
    p99=$(cut -d' ' -f2 "$out/passes" | median)
    echo "$stack|$method $path|$rps|$p99" | tee -a "$out/results" >&2
  done
  stop_app
done

step "results (wrk -t2 -c32, median of 3 × ${duration} s after ${warmup} s warm-up, $sessions sessions round robin)"
awk -F'|' '
  { rps[$1 SUBSEP $2] = $3; p99[$1 SUBSEP $2] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } if (!($2 in rseen)) { rseen[$2] = 1; rorder[++m] = $2 } }
  function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f×", a / b) : "–" }
  END {
    print "| stack | route | req/s | p99 ms | vs /plain | vs builtin |"
    print "| --- | --- | ---: | ---: | ---: | ---: |"
    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
      s = order[i]; r = rorder[j]; k = s SUBSEP r
      if (!(k in rps)) continue
      printf "| %s | %s | %.0f | %.2f | %s | %s |\n", s, r, rps[k], p99[k], ratio(rps[k], rps[s SUBSEP "GET /plain"]), ratio(rps[k], rps["builtin" SUBSEP r])
    }
    print ""
    m_plain = rps["tote-memory" SUBSEP "GET /plain"]
    if (m_plain > 0) {
      v = rps["tote-memory" SUBSEP "GET /nosession"] / m_plain
      printf "budget: tote-memory /nosession = %.2f× /plain (needs ≥ 0.97): %s\n", v, (v >= 0.97 ? "PASS" : "FAIL")
      v = rps["tote-memory" SUBSEP "GET /cart"] / m_plain
      printf "budget: tote-memory read = %.2f× /plain (needs ≥ 0.85): %s\n", v, (v >= 0.85 ? "PASS" : "FAIL")
    }
    b = rps["builtin" SUBSEP "POST /cart?item=x"]
    if (b > 0) {
      v = rps["tote-memory" SUBSEP "POST /cart?item=x"] / b
      printf "budget: tote-memory write = %.2f× builtin write (needs ≥ 1.5): %s\n", v, (v >= 1.5 ? "PASS" : "FAIL")
    }
  }' "$out/results" | tee "$out/summary.md"
