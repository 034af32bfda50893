#!/usr/bin/env bash
# The officials' dashboard on the real binary (issue 17): 200 concurrent
# readers of GET /api/v1/dashboard and of the /dashboard page for 10 s
# each, on a `serve --demo` store (default durable SQLite), while a bank
# writes every 200 ms. Figures recorded in BENCHMARKS.md ("Officials'
# dashboard on the binary (issue 17)").
#
#   scripts/bench-dashboard.sh
#   DASH_READERS=50 DASH_DURATION=5s scripts/bench-dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/kedaitong" ./cmd/kedaitong
go run ./scripts/benchdash -bin "$out/kedaitong" -readers "${DASH_READERS:-200}" -duration "${DASH_DURATION:-10s}"
