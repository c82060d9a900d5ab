#!/usr/bin/env bash
# CycloneDX SBOM of the production dependencies the app's image ships:
#   bash scripts/sbom.sh [output file, default sbom.cdx.json]
# Installs the tree the Dockerfile's prod-deps stage installs (npm ci --omit=dev) in a scratch directory and
# describes it with `npm sbom --omit=dev`. Not on the full tree: there npm sbom also drops production packages that a
# dev dependency reaches too (npm/cli#7909). On the production tree it reports the absent devDependencies as missing
# (ESBOMPROBLEMS), so the scratch copy's manifest loses them once installed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-sbom.cdx.json}")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
work="$scratch/$(node -p "require('$root/package.json').name")" # npm sbom names the SBOM's subject after the folder
mkdir "$work"

cp "$root/package.json" "$root/package-lock.json" "$work/"
cd "$work"
npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
npm pkg delete devDependencies
npm sbom --omit=dev --sbom-format cyclonedx --sbom-type application >"$out"
echo "sbom: $(node -p "require(process.argv[1]).components.length" "$out") components in $out"
