#!/usr/bin/env bash
# Issue 19: 200 concurrent readers of the risk map (its JSON and its SVG) on
# the real binary with its default durable store (SQLite WAL,
# synchronous=FULL): `kedaitong serve --demo` on a fresh data folder, an
# analyst, a bank officer and an official reading for DURATION (default 10s)
# without HTTP caching, then again revalidating with If-None-Match (as
# browsers do). Prints req/s, the clients' p50/p95/p99 and the server-side
# percentiles from the request log.
# PROFILE=DIR also writes the server's CPU profile there (-tags pprof build).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
readers=${READERS:-200}
go build -o bin/kedaitong ./cmd/kedaitong
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${PROFILE:-}" ]]; then
  go build -tags pprof -o bin/kedaitong-pprof ./cmd/kedaitong
  go run ./scripts/benchriskmap -bin bin/kedaitong-pprof -duration "$duration" -readers "$readers" -profile "$PROFILE"
  echo "profile in $PROFILE: go tool pprof -top bin/kedaitong-pprof $PROFILE/cpu.prof"
else
  go run ./scripts/benchriskmap -bin bin/kedaitong -duration "$duration" -readers "$readers"
  go run ./scripts/benchriskmap -bin bin/kedaitong -duration "$duration" -readers "$readers" -revalidate
fi
