#!/usr/bin/env bash
# Packs every shipped package (each project under src/) into artifacts/packages, with symbols
# (.snupkg) beside each .nupkg. The version is eng/Version.props's VersionPrefix.
#
# Usage: eng/pack.sh [--version-suffix SUFFIX] [--output DIR] [--configuration CONFIG] [--no-build]
#   --version-suffix preview.1   packs <VersionPrefix>-preview.1 (such as 0.1.0-preview.1). Use a
#                                new suffix for each local build an app restores: NuGet caches a
#                                version forever, and never sees a repack under the same version.
#   --output DIR                 where the packages go (default: artifacts/packages)
#   --configuration CONFIG       default: Release
#   --no-build                   pack what the last build of that configuration left in bin/
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

suffix=""
output="$root/artifacts/packages"
configuration="Release"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version-suffix) suffix="${2:?--version-suffix needs a value, such as preview.1}"; shift 2 ;;
    --version-suffix=*) suffix="${1#*=}"; shift ;;
    --output|-o) output="${2:?--output needs a directory}"; shift 2 ;;
    --output=*) output="${1#*=}"; shift ;;
    --configuration|-c) configuration="${2:?--configuration needs a value}"; shift 2 ;;
    --no-build) extra+=(--no-build); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "eng/pack.sh: unknown argument '$1' (see eng/pack.sh --help)" >&2; exit 2 ;;
  esac
done

if [ -n "$suffix" ] && ! [[ "$suffix" =~ ^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$ ]]; then
  echo "eng/pack.sh: '$suffix' is not a valid prerelease suffix: use letters, digits, hyphens and dots, such as preview.1." >&2
  exit 2
fi

prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' eng/Version.props)
if [ -z "$prefix" ]; then
  echo "eng/pack.sh: no <VersionPrefix> in eng/Version.props." >&2
  exit 1
fi
version="$prefix${suffix:+-$suffix}"
mkdir -p "$output"
output="$(cd "$output" && pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Packing the solution builds only the packable projects (src/) and what they reference.
dotnet pack Tote.slnx -c "$configuration" -nologo -clp:NoSummary -v:minimal "${extra[@]}" \
  -p:VersionSuffix="$suffix" -p:PackageOutputPath="$output/"

# Every project under src/ is a package: one left out of Tote.slnx must not go unnoticed.
missing=0
for project in src/*/*.csproj; do
  id="$(basename "$project" .csproj)"
  for file in "$output/$id.$version.nupkg" "$output/$id.$version.snupkg"; do
    if [ ! -f "$file" ]; then
      echo "eng/pack.sh: $file was not produced (is $project in Tote.slnx?)" >&2
      missing=1
    fi
  done
done
[ "$missing" = 0 ] || exit 1

echo "Packed $version into $output:"
for project in src/*/*.csproj; do
  echo "  $(basename "$project" .csproj).$version.nupkg (+ .snupkg)"
done
