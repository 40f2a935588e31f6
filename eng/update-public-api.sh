#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers reports as undeclared (RS0016) to the
# project's PublicAPI.Unshipped.txt. Run after adding public API on purpose; review the diff.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Dependencies first, and only the symbols a project's own files declare: a package that builds
# against a dependency which failed to build must not record the dependency's symbols as its own.
for name in Tote.Devalue Tote Tote.Testing Tote.Redis Tote.Sqlite Tote.PostgreSql; do
  project="$root/src/$name/$name.csproj"
  dir="$(dirname "$project")"
  out=$(dotnet build "$project" -nologo -clp:NoSummary 2>&1 || true)
  grep "^$dir/" <<<"$out" | grep -o "error RS0016: Symbol '[^']*'" | sed "s/error RS0016: Symbol '\(.*\)'/\1/" | sort -u >"$dir/.api.new" || true
  if [ -s "$dir/.api.new" ]; then
    { cat "$dir/PublicAPI.Unshipped.txt"; cat "$dir/.api.new"; } | grep -v '^#nullable' | sort -u | { echo '#nullable enable'; cat; } >"$dir/.api.all"
    mv "$dir/.api.all" "$dir/PublicAPI.Unshipped.txt"
    echo "$(basename "$dir"): added $(wc -l <"$dir/.api.new") symbols"
  fi
  rm -f "$dir/.api.new"
done
