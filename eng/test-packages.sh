#!/usr/bin/env bash
# The packages as a user gets them: packs every package under a unique prerelease version (so
# NuGet's cache can never serve an older build), checks what each .nupkg and .snupkg holds, then
# builds eng/consumer (an app outside the solution that references the packages by version, never
# by project) and runs it: it starts on 127.0.0.1 on a free port and keeps a session across two
# requests. Exits non-zero, saying why, when anything is missing. eng/test.sh counts it as one test.
# Usage: eng/test-packages.sh [--no-build]   (--no-build: pack the Release build already in bin/)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

packages="$root/artifacts/packages"
suffix="ci.$(date -u +%Y%m%d%H%M%S).$$"
prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' eng/Version.props)
version="$prefix-$suffix"
repository_url=$(sed -n 's:.*<RepositoryUrl>\(.*\)</RepositoryUrl>.*:\1:p' eng/Packaging.props)
global_packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')

# This run's packages are removed afterwards, from the output folder and from NuGet's cache, so
# runs do not pile up (each has its own version).
cleanup() {
  rm -f "$packages"/*."$version".nupkg "$packages"/*."$version".snupkg
  for project in src/*/*.csproj; do
    id="$(basename "$project" .csproj)"
    rm -rf "${global_packages%/}/${id,,}/$version"
    rmdir "${global_packages%/}/${id,,}" 2>/dev/null || true
  done
  rm -rf "$root/eng/consumer/bin" "$root/eng/consumer/obj"
}
trap cleanup EXIT

failures=0
fail() {
  echo "eng/test-packages.sh: FAILED: $*" >&2
  failures=$((failures + 1))
}

bash eng/pack.sh --version-suffix "$suffix" "$@"

for project in src/*/*.csproj; do
  id="$(basename "$project" .csproj)"
  nupkg="$packages/$id.$version.nupkg"
  snupkg="$packages/$id.$version.snupkg"
  listing=$(unzip -Z1 "$nupkg")
  for file in README.md LICENSE "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" "$id.nuspec"; do
    grep -qxF "$file" <<<"$listing" || fail "$id.$version.nupkg has no $file"
  done
  grep -qxF "lib/net10.0/$id.pdb" <<<"$(unzip -Z1 "$snupkg")" || fail "$id.$version.snupkg has no lib/net10.0/$id.pdb"

  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for element in '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
    "<projectUrl>$repository_url</projectUrl>" "<repository type=\"git\" url=\"$repository_url\"" '<description>' '<tags>'; do
    grep -qF "$element" <<<"$nuspec" || fail "$id's .nuspec has no $element"
  done

  # Relative links are dead on a package page: every link in the packed README is absolute.
  relative=$(unzip -p "$nupkg" README.md | grep -vE '^\s*(```|~~~)' | grep -oE '\]\([^)#][^)]*\)' | grep -vE '^\]\((https?|mailto):' || true)
  [ -z "$relative" ] || fail "$id's packed README has relative links: $(tr '\n' ' ' <<<"$relative")"

  # Source Link: the PDB maps the sources to the repository's raw files.
  # (grep -c, not -q: -q quits at the first match, and unzip, still writing, fails the pipeline.)
  unzip -p "$snupkg" "lib/net10.0/$id.pdb" | grep -acF "${repository_url/github.com/raw.githubusercontent.com}/" >/dev/null ||
    fail "$id.pdb has no Source Link to ${repository_url/github.com/raw.githubusercontent.com}"
done

# The consumer references every package by this exact version from artifacts/packages (its own
# nuget.config), and none of the repository's build settings reach it (its own Directory.*.props).
if dotnet build eng/consumer/PackageConsumer.csproj -c Release -nologo -clp:NoSummary -v:minimal -p:ToteVersion="$version"; then
  dotnet eng/consumer/bin/Release/net10.0/PackageConsumer.dll || fail "the consumer app built from the packages did not pass (see above)"
else
  fail "the consumer app did not build against the packages $version (see above)"
fi

if [ "$failures" -gt 0 ]; then
  echo "eng/test-packages.sh: $failures problem(s) with the packages $version" >&2
  exit 1
fi
echo "eng/test-packages.sh: the packages $version install and work"
