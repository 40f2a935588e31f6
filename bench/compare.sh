#!/usr/bin/env bash
# Before/after BenchmarkDotNet comparison in one sitting: builds bench/Tote.Benchmarks at a
# baseline ref (in a temporary git worktree under artifacts/, with that ref's own bench sources)
# and in the working tree (uncommitted changes included), then runs the same filter on both,
# taking turns class by class (baseline, current, baseline, current, …) so that the machine's
# drift falls on both sides, and prints one markdown table:
#   benchmark | before mean | after mean | ratio | before alloc | after alloc
#
# Usage: bench/compare.sh <baseline-ref> [filter…]
#   filters default to '*SessionCoreBenchmarks*' '*MiddlewareBenchmarks*' (BenchmarkDotNet globs
#   over Namespace.Class.Method; several filters are or-ed).
# Environment:
#   COMPARE_ARGS    BenchmarkDotNet arguments for both sides ("--job short"), e.g. "--job short --iterationCount 15"
#   COMPARE_ROUNDS  turns per class (1); with more, each cell is the median of the rounds' means
#
# Both sides run with BenchmarkDotNet's in-process toolchain (--inProcess). The default toolchain
# finds the benchmark project by searching the repository for Tote.Benchmarks.csproj, and with the
# baseline worktree under artifacts/ it finds two and refuses; in-process also saves two builds of
# a generated project per class. Both sides are measured the same way, so the ratio holds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
ref="$1"
shift
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=('*SessionCoreBenchmarks*' '*MiddlewareBenchmarks*')
read -r -a bdn_args <<<"${COMPARE_ARGS:---job short}"
rounds="${COMPARE_ROUNDS:-1}"

command -v python3 >/dev/null || { echo "bench/compare.sh needs python3 to read BenchmarkDotNet's JSON reports." >&2; exit 1; }
commit=$(git rev-parse --verify --quiet "$ref^{commit}") || { echo "'$ref' is not a commit in this repository (try HEAD~1, a branch or a tag)." >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
step() { printf '==> %s\n' "$*" >&2; }

out="$root/artifacts/bench/compare"
baseline="$out/baseline"
rm -rf "$out/runs"
mkdir -p "$out/runs"
remove_worktree() {
  git -C "$root" worktree remove --force "$baseline" >/dev/null 2>&1 || rm -rf "$baseline"
  git -C "$root" worktree prune --expire now
}
remove_worktree
trap remove_worktree EXIT

step "baseline: $ref ($(git log -1 --format='%h %s' "$commit" | cut -c1-80)) in ${baseline#"$root"/}"
git worktree add --detach --quiet "$baseline" "$commit"

declare -A dll
for side in baseline current; do
  tree=$([ "$side" = baseline ] && echo "$baseline" || echo "$root")
  project="$tree/bench/Tote.Benchmarks/Tote.Benchmarks.csproj"
  step "$side: dotnet build ${project#"$root"/} -c Release"
  # No build servers: none stays behind in the baseline worktree once it is removed.
  dotnet build "$project" -c Release -nologo -clp:NoSummary -v quiet --disable-build-servers >&2
  dll[$side]=$(dotnet msbuild "$project" -nologo -getProperty:TargetPath -p:Configuration=Release)
  [ -f "${dll[$side]}" ] || { echo "$side: no benchmark assembly at '${dll[$side]}' after the build." >&2; exit 1; }
done

# Each side's benchmarks that match the filters, "Namespace.Class.Method" one a line.
list() { # side
  (cd "$out/runs" && dotnet "${dll[$1]}" --list flat --filter "${filters[@]}") | grep -E '^[A-Za-z_][A-Za-z0-9_.]*\.[A-Za-z_][A-Za-z0-9_]*$' | sort -u || true
}
list baseline >"$out/runs/baseline.list"
list current >"$out/runs/current.list"
classes=$(sed 's/\.[^.]*$//' "$out/runs/baseline.list" "$out/runs/current.list" | sort -u)
[ -n "$classes" ] || { echo "No benchmark matches ${filters[*]} at $ref or in the working tree." >&2; exit 1; }

for round in $(seq 1 "$rounds"); do
  for class in $classes; do
    for side in baseline current; do
      # The exact names of this class's matching benchmarks on this side: a filter that is the
      # user's filters and the class at once (BenchmarkDotNet or-s its filters).
      mapfile -t names < <(awk -v c="$class" '{ p = $0; sub(/\.[^.]*$/, "", p) } p == c' "$out/runs/$side.list")
      if [ ${#names[@]} -eq 0 ]; then
        step "$side: $class has no matching benchmark; skipped"
        continue
      fi
      run="$out/runs/$side/$round/${class##*.}"
      mkdir -p "$run"
      step "round $round/$rounds, $side: ${class##*.} (${#names[@]} benchmarks)"
      (cd "$run" && dotnet "${dll[$side]}" --filter "${names[@]}" --inProcess --exporters json \
        --artifacts "$run" "${bdn_args[@]}") >"$run/output.log" 2>&1 ||
        { echo "$side: BenchmarkDotNet failed on $class; see ${run#"$root"/}/output.log" >&2; exit 1; }
      ls "$run"/results/*.json >/dev/null 2>&1 || { echo "$side: no JSON report for $class; see ${run#"$root"/}/output.log" >&2; exit 1; }
    done
  done
done

step "results ($ref → working tree; ${bdn_args[*]}, in-process, $rounds round(s))"
python3 - "$out/runs" <<'PY' | tee "$out/summary.md"
import glob, json, os, statistics, sys

runs = sys.argv[1]
cells = {}   # (class, benchmark) -> side -> {"mean": [...], "alloc": [...]}
order = []
for side in ("baseline", "current"):
    for path in sorted(glob.glob(os.path.join(runs, side, "*", "*", "results", "*.json"))):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for b in report.get("Benchmarks", []):
            stats = b.get("Statistics") or {}
            if "Mean" not in stats:
                continue   # a benchmark that failed: no statistics
            name = (b.get("MethodTitle") or b.get("Method") or "").strip("'")
            params = b.get("Parameters") or ""
            key = (b.get("Type", ""), name + (f" ({params})" if params else ""))
            if key not in cells:
                cells[key] = {}
                order.append(key)
            cell = cells[key].setdefault(side, {"mean": [], "alloc": []})
            cell["mean"].append(stats["Mean"])
            alloc = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
            if alloc is not None:
                cell["alloc"].append(alloc)

def time(ns):
    if ns is None: return "–"
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= size: return f"{ns / size:.2f} {unit}"
    return f"{ns:.1f} ns"

def size(b):
    if b is None: return "–"
    return f"{b / 1024:.2f} KB" if b >= 1024 else f"{b:.0f} B"

def median(cell, what):
    values = (cell or {}).get(what) or []
    return statistics.median(values) if values else None

print("| benchmark | before mean | after mean | ratio | before alloc | after alloc |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for key in order:
    before, after = cells[key].get("baseline"), cells[key].get("current")
    b, a = median(before, "mean"), median(after, "mean")
    ratio = f"{a / b:.2f}" if a is not None and b else "–"
    print(f"| {key[0]}: {key[1]} | {time(b)} | {time(a)} | {ratio} | {size(median(before, 'alloc'))} | {size(median(after, 'alloc'))} |")
PY
