#!/usr/bin/env bash
# The one test command: installs and starts what the tests need, runs every test project,
# stops what it started, and ends with one line "N passed, N failed".
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
status=0
hung=0
timeout --kill-after=30s "${TEST_TIMEOUT:-20m}" dotnet test --solution Tote.slnx -c Release --no-build \
  --results-directory "$results" --report-xunit-trx "$@" || status=$?
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
failed=$((failed + hung))

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test ran: treating this as a failure." >&2
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
