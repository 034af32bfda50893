#!/usr/bin/env bash
# `kedaitong match` on the real binary (issue 19): generates the benchmark
# instances (review/match/internal/matchgen; the same instances as the Go
# benchmarks of review/match) and times the binary on each, reporting wall
# time and peak resident memory (GNU time), seats filled and total affinity.
#   RUNS=5 scripts/bench-match.sh        # runs per instance (default 3; the median is reported)
#   MATCH_SIZES="5000x3000x100" scripts/bench-match.sh
# Instances are kept in ${MATCH_DIR:-/tmp/kedaitong-bench-match} between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
dir=${MATCH_DIR:-/tmp/kedaitong-bench-match}
sizes=${MATCH_SIZES:-"5000x3000x100 20000x10000x200 20000x10000x200x1000"}
mkdir -p "$dir" bin
go build -o bin/kedaitong ./cmd/kedaitong
for size in $sizes; do
  IFS=x read -r nA nE cand scale <<<"$size"
  scale=${scale:-1}
  f="$dir/match-$size.json"
  if [ ! -s "$f" ]; then
    go run ./review/match/internal/matchgen -applications "$nA" -experts "$nE" -candidates "$cand" -scale "$scale" >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
  walls=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$dir/time" bin/kedaitong match <"$f" >"$dir/out.json"
    read -r wall kb <"$dir/time"
    walls+=("$wall")
    echo "  run: ${wall} s, $((kb / 1024)) MB peak RSS"
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  seats=$(tail -c 300 "$dir/out.json" | grep -o '"seats_filled":[0-9]*' | cut -d: -f2)
  total=$(tail -c 300 "$dir/out.json" | grep -o '"total_affinity":[0-9.e+-]*' | cut -d: -f2)
  echo "match ${nA} applications x ${nE} experts x ${cand} candidates (scores up to ${scale}), $(du -m "$f" | cut -f1) MB of JSON: median ${median} s of ${runs}; seats ${seats}, total affinity ${total}"
done
