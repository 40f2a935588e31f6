#!/usr/bin/env bash
# Whole-request load test: wrk against bench/Tote.Benchmarks.Http on 127.0.0.1, for Tote on the
# memory, fs, sqlite, postgres and redis drivers and for the built-in ASP.NET Core session (on the
# memory cache and on AddStackExchangeRedisCache), in one run on one machine. The redis stacks
# share one redis-server the script starts on a free loopback port (or BENCH_REDIS), also measure
# new-session requests, and count the Redis commands each route sends. The postgres stack uses a
# throwaway cluster from eng/postgres-cluster.sh (or BENCH_POSTGRES); the sqlite stack a file
# under artifacts/bench/http.
# Each cell is the median of three passes after a warm-up; every request carries one of the
# pre-created sessions, round robin. A pass is four one-second slices, and the stacks take turns
# slice by slice; every read slice follows a /plain slice on the same stack, so a read's ratio to
# /plain, and a stack's ratio to the built-in session, are taken pass by pass over slices that ran
# side by side in time (the median of the three passes' ratios). Every write slice starts on
# fresh sessions. Before anything is timed, every route's status and body are checked on every
# stack, and a wrong answer stops the run. Prints one markdown table and the budget verdicts.
# On BENCH_SIGNED_IN_STACKS it also measures the read and the write on sessions signed in as a user
# (GET/POST /account/cart), each slice paired with the same request on an anonymous session.
# Stacks listen on BENCH_PORT, BENCH_PORT+1, … at the same time.
#
# Usage: eng/bench-http.sh
# Environment: BENCH_DURATION (one-second slices per pass, 4), BENCH_WARMUP (s, 10), BENCH_SESSIONS (1000),
#              BENCH_PORT (5190),
#              BENCH_STACKS ("tote-memory tote-fs tote-sqlite tote-postgres builtin tote-redis builtin-redis"),
#              BENCH_SIGNED_IN_STACKS (of those, the ones that also measure signed-in requests: "tote-memory tote-postgres tote-redis"),
#              BENCH_REDIS (host:port of a Redis to use instead of starting one),
#              BENCH_POSTGRES (an Npgsql connection string to use instead of starting a cluster)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

duration="${BENCH_DURATION:-4}"
# Ten seconds, not two: under load the JIT keeps compiling a request path for several seconds
# (tiered PGO; measured here, a Redis write route still had 1268 methods compiled between 8 s and
# 16 s of load, and ran at half its steady throughput in the first 8 s). A shorter warm-up
# measures the JIT, and penalizes whichever stack runs more distinct code.
warmup="${BENCH_WARMUP:-10}"
sessions="${BENCH_SESSIONS:-1000}"
port="${BENCH_PORT:-5190}"
stacks="${BENCH_STACKS:-tote-memory tote-fs tote-sqlite tote-postgres builtin tote-redis builtin-redis}"
out="$root/artifacts/bench/http"
lua="$root/bench/Tote.Benchmarks.Http/sessions.lua"
routes=("GET /plain" "GET /nosession" "GET /cart" "POST /cart?item=x")
has_redis() { [[ " $stacks " == *-redis\ * ]]; }
has_postgres() { [[ " $stacks " == *\ tote-postgres\ * ]]; }
# Redis stacks also measure requests without a session cookie, each of which creates a session.
has_redis && routes+=("POST /cart?item=x new")
# Users and devices (issue 17): the read and the write again on sessions signed in as a user, each
# slice paired with the same request on an anonymous session of the same stack.
signed_in_stacks=$(for s in ${BENCH_SIGNED_IN_STACKS:-tote-memory tote-postgres tote-redis}; do [[ " $stacks " == *" $s "* ]] && echo "$s"; done | tr '\n' ' ')
[ -n "${signed_in_stacks// /}" ] && routes+=("GET /account/cart signed-in" "POST /account/cart?item=x signed-in")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '==> %s\n' "$*" >&2; }

needs=(wrk)
has_redis && [ -z "${BENCH_REDIS:-}" ] && needs+=(redis-server)
if has_postgres && [ -z "${BENCH_POSTGRES:-}" ] && ! find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | grep -q .; then
  needs+=(postgresql)
fi
for tool in "${needs[@]}"; do
  [ "$tool" = postgresql ] && { [ "$(id -u)" = 0 ] || { echo "postgresql is not installed (apt-get install postgresql)." >&2; exit 1; }; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; continue; }
  command -v "$tool" >/dev/null && continue
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" curl >/dev/null
  else
    echo "$tool is not installed (apt-get install $tool)." >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out"
step "dotnet build bench/Tote.Benchmarks.Http -c Release"
dotnet build bench/Tote.Benchmarks.Http -c Release -nologo -clp:NoSummary -v quiet >&2

# All stacks run side by side on their own ports, and the passes interleave (pass 1 of every stack,
# then pass 2, …), so that load from anything else on the machine falls on every stack alike.
apps=()
stop_apps() {
  for pid in "${apps[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
redis_dir=""
postgres_stop="$out/postgres.stop"
stop_all() {
  stop_apps
  if [ -f "$postgres_stop" ]; then
    bash "$postgres_stop" || true
    rm -f "$postgres_stop"
  fi
  if [ -n "$redis_dir" ]; then
    redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$redis_dir"
  fi
}
trap stop_all EXIT

redis="${BENCH_REDIS:-}"
if has_redis && [ -z "$redis" ]; then
  redis_port=$((port + 1000))
  redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/tote-bench-redis-XXXXXX")"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
  redis="127.0.0.1:$redis_port"
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  step "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on $redis"
fi
postgres="${BENCH_POSTGRES:-}"
if has_postgres && [ -z "$postgres" ]; then
  postgres="$("$root/eng/postgres-cluster.sh" "$postgres_stop")"
fi
printf 'nosession=1\n' >"$out/fresh.cookies"

median() { sort -g | sed -n 2p; }
cookies_for() { # stack kind: the stack's sessions, its signed-in ones, or for "new" a cookie that is no session's
  case "${2:-}" in
    new) echo "$out/fresh.cookies" ;;
    signed-in) echo "$out/$1.signed-in.cookies" ;;
    *) echo "$out/$1.cookies" ;;
  esac
}
wrk_run() { # stack method path seconds [kind]
  wrk -t2 -c32 -d"$4s" --timeout 5s -s "$lua" "${url[$1]}" -- "$2" "$3" "$(cookies_for "$1" "${5:-}")"
}

# Redis commands per request on one route: 200 sequential requests, INFO commandstats before and
# after. Commands run inside Tote's Lua scripts are counted too, so they are listed by name.
count_commands() { # stack method path [kind]
  local host=${redis%:*} rport=${redis##*:} n=200 before after lines cookies
  cookies=$(cookies_for "$1" "${4:-}")
  lines=$(wc -l <"$cookies")
  before=$(redis-cli -h "$host" -p "$rport" INFO commandstats | tr -d '\r')
  for i in $(seq 1 $n); do
    # "next" keeps each request's Cookie header its own (curl config options are otherwise global).
    [ "$i" -gt 1 ] && echo next
    printf 'url = "%s%s"\nrequest = "%s"\nheader = "Cookie: %s"\noutput = "/dev/null"\n' "${url[$1]}" "$3" "$2" "$(sed -n "$(( (i - 1) % lines + 1 ))p" "$cookies")"
  done >"$out/count.curl"
  curl -s --config "$out/count.curl"
  after=$(redis-cli -h "$host" -p "$rport" INFO commandstats | tr -d '\r')
  awk -F'[:=,]' -v n=$n '
    /^cmdstat_/ { name = substr($1, 9); if (FNR == NR) b[name] = $3; else a[name] = $3 }
    END { for (k in a) { d = (a[k] - b[k]) / n; if (k != "info" && d >= 0.005) { total += d; list = list sprintf("%s%s %.2f", (list == "" ? "" : " · "), k, d) } }
          printf "%.2f (%s)\n", total, list }' <(echo "$before") <(echo "$after")
}

# Fresh sessions for a stack, one item in each cart (one POST /cart?item=seed per session), their
# cookies in $out/<stack>.cookies; or, for "signed-in", each signed in as its own user at creation
# (POST /login?user=bench-N&item=seed), their cookies in $out/<stack>.signed-in.cookies.
create_sessions() { # stack [kind]
  local cookies route=/cart?item=seed
  cookies=$(cookies_for "$1" "${2:-}")
  for i in $(seq 1 "$sessions"); do
    [ "${2:-}" = signed-in ] && route="/login?user=bench-$i&item=seed"
    printf 'url = "%s%s"\noutput = "/dev/null"\n' "${url[$1]}" "$route"
  done >"$out/$1.curl"
  curl -s -X POST -D "$out/$1.headers" --config "$out/$1.curl"
  sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$out/$1.headers" | tr -d '\r' >"$cookies"
  local created
  created=$(wc -l <"$cookies")
  [ "$created" -eq "$sessions" ] || { echo "$1: created $created ${2:-} sessions, expected $sessions" >&2; exit 1; }
}

# Every route answers what it should before anything is timed: a route that answers 200 with the
# wrong body (an empty body, a cart that never grows) would otherwise be measured as a fast route.
# One extra session, not one of the measured ones, walks through a new session, a read and a write.
fail_route() { # stack what expected status body
  echo "error: $1 $2 answered $4 with body '$5'; expected 200 with body '$3'. Fix bench/Tote.Benchmarks.Http before timing it; see $out/$1.log" >&2
  exit 1
}
expect() { # stack method path expected [cookie]: sets $answer_cookie from any Set-Cookie
  local response status body header=()
  [ -n "${5:-}" ] && header=(-H "Cookie: $5")
  response=$(curl -s -X "$2" -D "$out/$1.validate.headers" -w '\n%{http_code}' "${header[@]}" "${url[$1]}$3") || true
  status=${response##*$'\n'}
  body=${response%$'\n'*}
  [ "$status" = 200 ] && [ "$body" = "$4" ] || fail_route "$1" "$2 $3${5:+ (with a session cookie)}" "$4" "$status" "$body"
  answer_cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$out/$1.validate.headers" | tr -d '\r' | head -n1)
}
validate_routes() { # stack
  expect "$1" GET /plain ok
  expect "$1" GET /nosession ok
  expect "$1" GET /cart 0
  expect "$1" POST "/cart?item=validate" 1
  [ -n "$answer_cookie" ] || fail_route "$1" "POST /cart (no cookie)" "1 and a session cookie" "200 without Set-Cookie" 1
  local cookie=$answer_cookie
  expect "$1" GET /cart 1 "$cookie"
  expect "$1" POST "/cart?item=x" 2 "$cookie"
  expect "$1" GET /cart 2 "$cookie"
  # The measured sessions hold the one item create_sessions put in each.
  expect "$1" GET /cart 1 "$(head -n1 "$out/$1.cookies")"
  [[ " $signed_in_stacks " == *" $1 "* ]] || return 0
  # Signed in: a session bound at login reads and writes its cart; an anonymous session is refused
  # (403), so that wrk counts a request whose session is not signed in as a bad response.
  expect "$1" POST "/login?user=validate&item=x" validate
  [ -n "$answer_cookie" ] || fail_route "$1" "POST /login (no cookie)" "validate and a session cookie" "200 without Set-Cookie" validate
  cookie=$answer_cookie
  expect "$1" GET /account/cart 1 "$cookie"
  expect "$1" POST "/account/cart?item=x" 2 "$cookie"
  expect "$1" GET /account/cart 2 "$cookie"
  expect "$1" GET /account/cart 1 "$(head -n1 "$out/$1.signed-in.cookies")"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $(head -n1 "$out/$1.cookies")" "${url[$1]}/account/cart") || true
  [ "$status" = 403 ] || fail_route "$1" "GET /account/cart (anonymous session)" "403" "$status" "(not checked)"
}

declare -A url
index=0
for stack in $stacks; do
  case "$stack" in
    tote-memory) env=(BENCH_STACK=tote Tote__Driver=memory) ;;
    tote-fs) env=(BENCH_STACK=tote Tote__Driver=fs "Tote__FileSystem__Path=$out/fs-sessions") ;;
    tote-sqlite) mkdir -p "$out/sqlite"; env=(BENCH_STACK=tote Tote__Driver=sqlite "Tote__Sqlite__ConnectionString=Data Source=$out/sqlite/sessions.db") ;;
    tote-postgres) env=(BENCH_STACK=tote Tote__Driver=postgres "Tote__PostgreSql__ConnectionString=$postgres") ;;
    builtin) env=(BENCH_STACK=builtin) ;;
    tote-redis) env=(BENCH_STACK=tote Tote__Driver=redis "Tote__Redis__Configuration=$redis") ;;
    builtin-redis) env=(BENCH_STACK=builtin "BENCH_REDIS=$redis") ;;
    *) echo "unknown stack $stack" >&2; exit 1 ;;
  esac
  base="http://127.0.0.1:$((port + index))"
  index=$((index + 1))
  url[$stack]="$base"

  step "$stack: starting on $base"
  env "${env[@]}" dotnet run -c Release --no-build --project bench/Tote.Benchmarks.Http -- --urls "$base" \
    >"$out/$stack.log" 2>&1 &
  apps+=($!)
  for _ in $(seq 1 100); do
    curl -fs "$base/plain" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$base/plain" >/dev/null || { echo "$stack did not start; see $out/$stack.log" >&2; exit 1; }

  step "$stack: creating $sessions sessions"
  create_sessions "$stack"
  if [[ " $signed_in_stacks " == *" $stack "* ]]; then
    step "$stack: creating $sessions signed-in sessions"
    create_sessions "$stack" signed-in
  fi
  step "$stack: validating every route's answer"
  validate_routes "$stack"

  # Warm the read-only routes up (JIT, pools), so that the first route measured is not the coldest.
  for route in "${routes[@]}"; do
    read -r method path kind <<<"$route"
    [ "${kind:-}" = signed-in ] && [[ " $signed_in_stacks " != *" $stack "* ]] && continue
    [ "$method" = GET ] && wrk_run "$stack" "$method" "$path" "$warmup" "${kind:-}" >/dev/null
  done
done

# Writes come last: they grow the carts, and reads are measured on the carts as created (one
# item), the same on every stack. Every write slice starts on fresh sessions: a timed slice grows
# the carts of a faster stack faster, and on carts carried over from earlier slices (and the
# warm-up) the faster stack would do more work per request than the slower one, and both would
# work on carts far longer than a shopper's. Fresh carts keep the difference to what one second
# grows (about 38 items against 25 on the memory driver; a 4 s pass on the same sessions grew
# about 150 against 100).
for route in "${routes[@]}"; do
  read -r method path kind <<<"$route"
  label="$method $path"
  route_stacks="$stacks"
  if [ "${kind:-}" = new ]; then
    label="$method $path (new session)"
    route_stacks=$(tr ' ' '\n' <<<"$stacks" | grep -- '-redis$' | tr '\n' ' ')
  elif [ "${kind:-}" = signed-in ]; then
    label="$method $path (signed in)"
    route_stacks=$signed_in_stacks
  fi
  step "$label"
  for stack in $route_stacks; do
    if [[ "$stack" == *-redis ]] && [ "$path" != /plain ] && [ "$path" != /nosession ]; then
      echo "$stack|$label|$(count_commands "$stack" "$method" "$path" "${kind:-}")" >>"$out/commands"
    fi
    wrk_run "$stack" "$method" "$path" "$warmup" "${kind:-}" >/dev/null
    : >"$out/$stack.passes"
  done
  # A pass is BENCH_DURATION one-second slices of each stack's route, the stacks (and, for the
  # reads, a /plain slice before each) taking turns slice by slice. This machine's throughput
  # swings by ±15 % within seconds, on nginx as on Kestrel: two 4 s /plain passes in a row
  # measured 0.85–1.25× each other, one-second slices taking turns 0.91–1.04×. Taking turns
  # slice by slice puts those swings on both sides of every ratio.
  for pass in 1 2 3; do
    for _ in $(seq 1 "$duration"); do
      for stack in $route_stacks; do
        [ "$method" = POST ] && [ "${kind:-}" != new ] && create_sessions "$stack" "${kind:-}"
        # The reads' budgets are ratios to /plain, taken slice by slice on the same stack; a
        # signed-in slice pairs instead with the same request (/account/cart → /cart) on the
        # stack's anonymous sessions (fresh ones for a write), in the same column.
        plain=0
        if [ "${kind:-}" = signed-in ]; then
          [ "$method" = POST ] && create_sessions "$stack"
          read -r _ plain _ <<<"$(wrk_run "$stack" "$method" "${path#/account}" 1 | grep '^RESULT')"
        elif [ "$method" = GET ] && [ "$path" != /plain ]; then
          read -r _ plain _ <<<"$(wrk_run "$stack" GET /plain 1 | grep '^RESULT')"
        fi
        read -r _ rps p99 bad sock <<<"$(wrk_run "$stack" "$method" "$path" 1 "${kind:-}" | grep '^RESULT')"
        echo "$stack|$label|$pass|$rps|$p99|$plain|$bad|$sock" >>"$out/slices"
      done
    done
    # The pass: mean req/s and p99 of its slices, and mean /plain req/s of the paired slices.
    for stack in $route_stacks; do
      read -r rps p99 bad sock plain <<<"$(awk -F'|' -v k="$stack|$label|$pass" '$1 "|" $2 "|" $3 == k { n++; r += $4; p += $5; q += $6; b += $7; s += $8 }
        END { printf "%.1f %.3f %d %d %.1f\n", r / n, p / n, b, s, q / n }' "$out/slices")"
      [ "$bad" = 0 ] && [ "$sock" = 0 ] || echo "warning: $stack $label pass $pass: $bad bad responses, $sock socket errors" >&2
      echo "$rps $p99 $plain" >>"$out/$stack.passes"
    done
  done
  for stack in $route_stacks; do
    rps=$(cut -d' ' -f1 "$out/$stack.passes" | median)
    p99=$(cut -d' ' -f2 "$out/$stack.passes" | median)
    paired=$(awk '$3 > 0 { printf "%.4f\n", $1 / $3 }' "$out/$stack.passes" | median)
    # Against the built-in session on the same store, pass by pass (their slices took turns).
    builtin=$([[ "$stack" == *-redis ]] && echo builtin-redis || echo builtin)
    vsbuiltin=""
    if [ "$stack" != "$builtin" ] && [[ " $route_stacks " == *" $builtin "* ]]; then
      vsbuiltin=$(paste -d' ' "$out/$stack.passes" "$out/$builtin.passes" | awk '{ printf "%.4f\n", $1 / $4 }' | median)
    fi
    echo "$stack|$label|$rps|$p99|$paired|$vsbuiltin" | tee -a "$out/results" >&2
  done
done

step "results (wrk -t2 -c32, median of 3 × ${duration} s after ${warmup} s warm-up, $sessions sessions round robin)"
awk -F'|' '
  { rps[$1 SUBSEP $2] = $3; p99[$1 SUBSEP $2] = $4; if ($5 != "") paired[$1 SUBSEP $2] = $5; if ($6 != "") vsb[$1 SUBSEP $2] = $6
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } if (!($2 in rseen)) { rseen[$2] = 1; rorder[++m] = $2 } }
  function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f×", a / b) : "–" }
  # A read against /plain: the median of its passes paired with /plain passes, when it has them.
  function vsplain(s, r) { k = s SUBSEP r; return (k in paired) ? paired[k] : (rps[s SUBSEP "GET /plain"] > 0 ? rps[k] / rps[s SUBSEP "GET /plain"] : 0) }
  # Against the built-in session on the same store: the median of the pass-by-pass ratios.
  function vsbuiltin(s, r) { k = s SUBSEP r; b = (s ~ /-redis$/ ? "builtin-redis" : "builtin"); return (k in vsb) ? vsb[k] : (((b SUBSEP r) in rps) && rps[b SUBSEP r] > 0 ? rps[k] / rps[b SUBSEP r] : 0) }
  END {
    print "| stack | route | req/s | p99 ms | vs /plain | vs builtin (same store) |"
    print "| --- | --- | ---: | ---: | ---: | ---: |"
    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
      s = order[i]; r = rorder[j]; k = s SUBSEP r
      if (!(k in rps)) continue
      printf "| %s | %s | %.0f | %.2f | %s | %s |\n", s, r, rps[k], p99[k], (k in paired ? sprintf("%.2f× %s(paired)", paired[k], (r ~ /signed in/ ? "anonymous " : "")) : ratio(rps[k], rps[s SUBSEP "GET /plain"])), (vsbuiltin(s, r) > 0 ? sprintf("%.2f×", vsbuiltin(s, r)) : "–")
    }
    print ""
    m_plain = rps["tote-memory" SUBSEP "GET /plain"]
    if (m_plain > 0) {
      v = vsplain("tote-memory", "GET /nosession")
      printf "budget: tote-memory /nosession = %.2f× /plain (needs ≥ 0.97): %s\n", v, (v >= 0.97 ? "PASS" : "FAIL")
      v = vsplain("tote-memory", "GET /cart")
      printf "budget: tote-memory read = %.2f× /plain (needs ≥ 0.85): %s\n", v, (v >= 0.85 ? "PASS" : "FAIL")
    }
    if (rps["builtin" SUBSEP "POST /cart?item=x"] > 0 && m_plain > 0) {
      v = vsbuiltin("tote-memory", "POST /cart?item=x")
      printf "budget: tote-memory write = %.2f× builtin write (needs ≥ 1.5): %s\n", v, (v >= 1.5 ? "PASS" : "FAIL")
    }
  }' "$out/results" | tee "$out/summary.md"

if [ -s "$out/commands" ]; then
  step "Redis: Tote's redis driver against the built-in session on AddStackExchangeRedisCache"
  awk -F'|' '
    FNR == NR { cmd[$1 SUBSEP $2] = $3; next }
    { rps[$1 SUBSEP $2] = $3; p99[$1 SUBSEP $2] = $4; paired[$1 SUBSEP $2] = $5; vsb[$1 SUBSEP $2] = $6 }
    # Tote against the built-in session: the median of the pass-by-pass ratios.
    function row(label, route) {
      v = vsb["tote-redis" SUBSEP route]
      printf "| %s | %.0f | %.2f | %s | %.0f | %.2f | %s | %s |\n", label, rps["tote-redis" SUBSEP route], p99["tote-redis" SUBSEP route], cmd["tote-redis" SUBSEP route],
        rps["builtin-redis" SUBSEP route], p99["builtin-redis" SUBSEP route], cmd["builtin-redis" SUBSEP route], (v != "" ? sprintf("%.2f×", v) : "–")
    }
    # Signed in against anonymous on tote-redis: the commands of each, and the paired req/s ratio.
    function signed(label, anonymous, route) {
      k = "tote-redis" SUBSEP route
      if (k in rps) printf "| %s | %s | %s | %.2f× |\n", label, cmd["tote-redis" SUBSEP anonymous], cmd[k], paired[k]
    }
    function budget(label, route, need) {
      v = vsb["tote-redis" SUBSEP route]
      if (v != "") printf "budget: tote-redis %s = %.2f× builtin-redis (needs ≥ %.1f): %s\n", label, v, need, (v >= need ? "PASS" : "FAIL")
    }
    END {
      print ""
      print "| request | Tote req/s | Tote p99 ms | Tote Redis commands/request | built-in req/s | built-in p99 ms | built-in Redis commands/request | Tote vs built-in |"
      print "| --- | ---: | ---: | --- | ---: | ---: | --- | ---: |"
      row("read (GET /cart)", "GET /cart")
      row("write (POST /cart)", "POST /cart?item=x")
      row("new session (POST /cart, no cookie)", "POST /cart?item=x (new session)")
      print ""
      budget("read", "GET /cart", 1.5)
      budget("write", "POST /cart?item=x", 1.3)
      if (("tote-redis" SUBSEP "GET /account/cart (signed in)") in rps) {
        print ""
        print "| tote-redis request | anonymous: Redis commands/request | signed in: Redis commands/request | signed in vs anonymous req/s (paired) |"
        print "| --- | --- | --- | ---: |"
        signed("read (GET /cart, GET /account/cart)", "GET /cart", "GET /account/cart (signed in)")
        signed("write (POST /cart, POST /account/cart)", "POST /cart?item=x", "POST /account/cart?item=x (signed in)")
      }
    }' "$out/commands" "$out/results" | tee -a "$out/summary.md"
fi
