#!/usr/bin/env bash
# Whether a project is a shipped package (XML docs, public API tracked, packed) must depend on
# where it sits in the repository, not on the checkout's path: a checkout at ~/src/tote once
# made every test project a "shipped library" and failed to build. This copies the working tree
# (tracked and new files) to <temp>/src/tote and evaluates each project there (no build: about
# a second per project). eng/test.sh counts it as one test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
checkout="$tmp/src/tote"
mkdir -p "$checkout"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do [ -f "$file" ] && printf '%s\0' "$file"; done |
  tar --null -T - -cf - | tar -xf - -C "$checkout"

failures=0
checked=0
while IFS= read -r project; do
  [ -f "$project" ] || continue
  case "$project" in
    src/*/*.csproj) expected="true true true" ;;
    *) expected="false false false" ;;
  esac
  json=$(dotnet msbuild "$checkout/$project" -getProperty:IsShippedLibrary -getProperty:IsPackable -getProperty:GenerateDocumentationFile)
  value() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" <<<"$json"; }
  shipped=$(value IsShippedLibrary); packable=$(value IsPackable); docs=$(value GenerateDocumentationFile)
  actual="${shipped:-false} ${packable:-false} ${docs:-false}"
  checked=$((checked + 1))
  if [ "$actual" != "$expected" ]; then
    echo "eng/test-checkout-path.sh: FAILED: in a checkout at $checkout, $project has IsShippedLibrary/IsPackable/GenerateDocumentationFile = $actual; expected $expected" >&2
    failures=$((failures + 1))
  fi
done < <(git ls-files --cached --others --exclude-standard '*.csproj')

if [ "$checked" -eq 0 ] || [ "$failures" -gt 0 ]; then
  echo "eng/test-checkout-path.sh: $failures of $checked projects decide 'shipped' by the checkout's path" >&2
  exit 1
fi
echo "eng/test-checkout-path.sh: $checked projects evaluate the same in a checkout under /src/"
