#!/usr/bin/env bash
# Writes go.mod's replace block from the pinned k8s.io/kubernetes release's own go.mod: that file replaces each
# staging module (k8s.io/api, apimachinery, apiserver, client-go, ...) with ./staging/src/..., which a consumer
# cannot use, so each one is replaced here by its published twin, v0.<minor>.<patch> of the same release.
#   ./gen-replaces.sh            regenerate from the version go.mod requires
#   ./gen-replaces.sh v1.34.4    pin another release (then run `go mod tidy`)
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-$(awk '($1 == "k8s.io/kubernetes" && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == "k8s.io/kubernetes") { print $3; exit }' go.mod)}"
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "gen-replaces: want a release like v1.34.4, got '$version'" >&2; exit 2; }
staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
upstream_mod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
[ -f "$upstream_mod" ] || { echo "gen-replaces: could not download k8s.io/kubernetes@$version's go.mod" >&2; exit 1; }
block="$(awk -v v="$staging" '
  $0 == "replace (" { inside = 1; next }
  inside && $0 == ")" { inside = 0; next }
  inside && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }
' "$upstream_mod")"
[ -n "$block" ] || { echo "gen-replaces: no staging replaces found in $upstream_mod" >&2; exit 1; }
# Everything before the generated block stays; the block is rewritten whole.
awk '/^\/\/ BEGIN generated replaces/ { exit } { print }' go.mod > go.mod.tmp
{
  echo "// BEGIN generated replaces: ./gen-replaces.sh from k8s.io/kubernetes@$version's go.mod; do not edit"
  echo "replace ("
  echo "$block"
  echo ")"
  echo "// END generated replaces"
} >> go.mod.tmp
mv go.mod.tmp go.mod
echo "gen-replaces: $(echo "$block" | wc -l) staging modules replaced by their $staging releases"
