#!/usr/bin/env bash
# `kedaitong classify` on the real binary (issue 20): 25,000 items (the
# labelled corpus's headlines and summaries, repeated) through the binary,
# wall time, CPU time (user + sys: what does not depend on the machine's
# load) and peak resident memory (GNU time), median of RUNS runs.
#   RUNS=5 scripts/bench-classify.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
dir=${CLASSIFY_DIR:-/tmp/kedaitong-bench-classify}
mkdir -p "$dir" bin
go build -o bin/kedaitong ./cmd/kedaitong
f="$dir/items-25000.jsonl"
if [ ! -s "$f" ]; then
  for _ in $(seq 20); do cat intel/classify/testdata/labelled.jsonl intel/classify/testdata/composed.jsonl; done | head -n 25000 >"$f"
fi
walls=()
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e %M %U %S' -o "$dir/time" bin/kedaitong classify <"$f" >"$dir/out.jsonl"
  read -r wall kb user sys <"$dir/time"
  walls+=("$wall")
  echo "  run: ${wall} s wall, CPU ${user} s user + ${sys} s sys, $((kb / 1024)) MB peak RSS, $(wc -l <"$dir/out.jsonl") labels (load $(cut -d' ' -f1 /proc/loadavg))"
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
echo "classify 25,000 items ($(du -m "$f" | cut -f1) MB of JSON lines): median ${median} s of ${runs} (target < 2 s)"
