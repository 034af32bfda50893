#!/usr/bin/env bash
# The officials' dashboard on the real binary (issues 17 and 19): 200
# concurrent readers of GET /api/v1/dashboard and of the /dashboard page for
# 10 s each, on a `serve --demo` store (default durable SQLite) with 2,000
# more applications over every county (volume, added over HTTP before the
# run), while a bank writes every 200 ms. Prints the clients' latency, the
# server-side latency from the request log, the server's CPU per answer and
# the load average. Figures recorded in BENCHMARKS.md ("Officials' dashboard
# on the binary (issue 17)", "Dashboard page (session 22)").
#
#   scripts/bench-dashboard.sh
#   DASH_READERS=50 DASH_DURATION=5s DASH_APPS=200 scripts/bench-dashboard.sh
#
# With profiles (CPU, allocations, block, mutex of each phase):
#   go build -tags pprof -o /tmp/kd ./cmd/kedaitong && go run ./scripts/benchdash -bin /tmp/kd -profile /tmp/prof
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/kedaitong" ./cmd/kedaitong
go run ./scripts/benchdash -bin "$out/kedaitong" -readers "${DASH_READERS:-200}" -duration "${DASH_DURATION:-10s}" -apps "${DASH_APPS:-2000}"
