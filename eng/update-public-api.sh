#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers reports as undeclared (RS0016) to the
# project's PublicAPI.Unshipped.txt. Run after adding public API on purpose; review the diff.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for project in "$root"/src/*/*.csproj; do
  dir="$(dirname "$project")"
  out=$(dotnet build "$project" -nologo -clp:NoSummary 2>&1 || true)
  grep -o "error RS0016: Symbol '[^']*'" <<<"$out" | sed "s/error RS0016: Symbol '\(.*\)'/\1/" | sort -u >"$dir/.api.new" || true
  if [ -s "$dir/.api.new" ]; then
    { cat "$dir/PublicAPI.Unshipped.txt"; cat "$dir/.api.new"; } | grep -v '^#nullable' | sort -u | { echo '#nullable enable'; cat; } >"$dir/.api.all"
    mv "$dir/.api.all" "$dir/PublicAPI.Unshipped.txt"
    echo "$(basename "$dir"): added $(wc -l <"$dir/.api.new") symbols"
  fi
  rm -f "$dir/.api.new"
done
