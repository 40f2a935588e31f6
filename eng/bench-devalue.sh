#!/usr/bin/env bash
# Benchmarks Tote.Devalue against System.Text.Json (BenchmarkDotNet, same run) and against
# devalue 5.9.4 on Node (same payload text), then prints one markdown table and the budget
# verdict. See bench/README.md.
#
# Usage: eng/bench-devalue.sh [--job default|short|medium|long] [--node-time-ms N] [extra BenchmarkDotNet args]
#   --job           BenchmarkDotNet job (default: "default", about 4 to 7 minutes on 2 cores)
#   --node-time-ms  measuring time per Node operation (default 5000, after a 2000 ms warm-up)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

job="${BENCH_JOB:-default}"
node_time_ms=5000
bdn_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --job) job="$2"; shift 2 ;;
    --job=*) job="${1#--job=}"; shift ;;
    --node-time-ms) node_time_ms="$2"; shift 2 ;;
    *) bdn_args+=("$1"); shift ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out="$root/artifacts/bench/devalue"
bdn_out="$out/BenchmarkDotNet.Artifacts"
node_dir="$root/bench/devalue-node"
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n==> %s\n' "$*" >&2; }
started=$SECONDS
# The machine may be shared: the load averages at start and end say how far to trust the numbers.
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

step "npm ci (devalue $(sed -n 's/.*"devalue": "\(.*\)".*/\1/p' "$node_dir/package.json" | head -n 1))"
(cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)

step "dotnet build bench/Tote.Benchmarks -c Release"
dotnet build bench/Tote.Benchmarks -c Release -nologo -clp:NoSummary -v quiet

step "writing the payload"
dotnet run -c Release --no-build --project bench/Tote.Benchmarks -- \
  --write-payload "$out/session-typed.devalue" "$out/session-astro.devalue"

step "devalue on Node: typed payload text (2000 ms warm-up, ${node_time_ms} ms per operation)"
node "$node_dir/bench.mjs" "$out/session-typed.devalue" --time-ms "$node_time_ms" | tee "$out/node-typed.json"
step "devalue on Node: Astro Map payload text"
node "$node_dir/bench.mjs" "$out/session-astro.devalue" --time-ms "$node_time_ms" | tee "$out/node-astro.json"

step "BenchmarkDotNet, job: $job"
dotnet run -c Release --no-build --project bench/Tote.Benchmarks -- \
  --filter '*DevalueBenchmarks*' --job "$job" --artifacts "$bdn_out" "${bdn_args[@]}"

report="$(find "$bdn_out/results" -name '*DevalueBenchmarks-report-brief.json' | head -n 1)"
if [ -z "$report" ]; then
  echo "BenchmarkDotNet wrote no JSON report under $bdn_out/results" >&2
  exit 1
fi

step "results (BenchmarkDotNet job: $job; whole script took $((SECONDS - started)) s)"
node "$node_dir/report.mjs" --bdn "$report" \
  --node-typed "$out/node-typed.json" --node-astro "$out/node-astro.json" --job "$job" \
  --load "start $load_start, end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" \
  | tee "$out/summary.md"
