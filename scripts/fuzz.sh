#!/usr/bin/env bash
# Runs every fuzz target of the project for a short time (FUZZTIME, default 10s each).
set -euo pipefail
t=${FUZZTIME:-10s}
found=0
while IFS= read -r f; do
  pkg=./$(dirname "$f")
  for name in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    found=1
    echo "fuzz $pkg $name for $t"
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg"
  done
done < <(git ls-files '*_test.go' 2>/dev/null | xargs grep -l '^func Fuzz' 2>/dev/null || true)
[ $found = 1 ] || echo "no fuzz targets"
