#!/usr/bin/env bash
# The one test command: installs and starts what the tests need, runs every test project and the
# packaging checks, stops what it started, and ends with one line "N passed, N failed, N skipped".
# Usage: eng/test.sh [extra dotnet test arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cleanup() {
  # Services started by eng/services.sh register their stop commands here.
  if [ -f "$root/artifacts/services.stop" ]; then
    bash "$root/artifacts/services.stop" || true
    rm -f "$root/artifacts/services.stop"
  fi
}
trap cleanup EXIT

# The sample's browser test drives Debian's chromium through Playwright; no browser is ever
# downloaded. Installed here (as root, with apt-get) so that CI always runs that test.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
rm -rf "$root/artifacts/browser"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ -x "$root/eng/services.sh" ]; then
  "$root/eng/services.sh" start
  # What the started servers tell the tests (addresses), as environment variables.
  if [ -f "$root/artifacts/services.env" ]; then
    # shellcheck disable=SC1091
    source "$root/artifacts/services.env"
  fi
fi

dotnet build Tote.slnx -c Release -nologo -clp:NoSummary

# A hung test must fail the run, not eat CI's time limit: the whole suite takes about 5 minutes.
# No standard input: a test host in timeout's background process group that touched the
# terminal would be stopped (SIGTTIN) and look like a hung test.
status=0
hung=0
timeout --kill-after=30s "${TEST_TIMEOUT:-20m}" dotnet test --solution Tote.slnx -c Release --no-build \
  --results-directory "$results" --report-xunit-trx "$@" </dev/null 2>&1 | tee "$results/dotnet-test.log" || status=${PIPESTATUS[0]}
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "eng/test.sh: the tests did not finish within ${TEST_TIMEOUT:-20m} (a hung test?); counted as one failure." >&2
  hung=1
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# dotnet test's own summary counts every test module; the .trx files can miss one whose file
# another module's overwrote (they are named by the time they were written). Prefer it.
summary=$(sed -n 's/^  \(total\|failed\|succeeded\|skipped\): \([0-9]*\)$/\1=\2/p' "$results/dotnet-test.log" | tail -n 4)
if [ "$(wc -l <<<"$summary")" = 4 ] && grep -q '^succeeded=' <<<"$summary"; then
  passed=$(sed -n 's/^succeeded=//p' <<<"$summary")
  failed=$(( $(sed -n 's/^failed=//p' <<<"$summary") > failed ? $(sed -n 's/^failed=//p' <<<"$summary") : failed ))
  skipped=$(sed -n 's/^skipped=//p' <<<"$summary")
fi
failed=$((failed + hung))

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test ran: treating this as a failure." >&2
  status=1
fi

# Two checks outside dotnet test, each counted as one test: the packages as a user installs them
# (packed from the build above, built into an app outside the solution and run), and a checkout
# under a path containing /src/. TOTE_TEST_PACKAGES=0 skips them (about a minute).
for check in "test-packages.sh --no-build" "test-checkout-path.sh"; do
  if [ "${TOTE_TEST_PACKAGES:-1}" = 0 ]; then
    skipped=$((skipped + 1))
  elif bash "$root/eng/"$check; then
    passed=$((passed + 1))
  else
    echo "eng/test.sh: eng/$check failed; counted as one failure." >&2
    failed=$((failed + 1))
    [ "$status" != 0 ] || status=1
  fi
done

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
