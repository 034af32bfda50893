#!/usr/bin/env bash
# Issue 19: 64 experts saving score drafts on the real binary with its
# default durable store (SQLite WAL, synchronous=FULL). Builds bin/kedaitong,
# seeds a fresh data folder (64 experts, 16 panels, every seat accepted),
# starts `kedaitong serve` on it and has the 64 experts save drafts
# (PUT /api/v1/assignments/{id}/score) for DURATION (default 10s).
# PROFILE=DIR also writes the server's CPU, block and mutex profiles there
# (builds a second binary with -tags pprof). It prints the load average
# before and after (the machine is shared: compare figures run back to back)
# and the server's CPU per save, which suffers less from sharing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
go build -o bin/kedaitong ./cmd/kedaitong
echo "before: $(uptime)"
if [[ -n "${PROFILE:-}" ]]; then
  go build -tags pprof -o bin/kedaitong-pprof ./cmd/kedaitong
  go run ./scripts/benchscores -bin bin/kedaitong-pprof -duration "$duration" -profile "$PROFILE"
  echo "profiles in $PROFILE: go tool pprof -top bin/kedaitong-pprof $PROFILE/cpu.prof"
else
  go run ./scripts/benchscores -bin bin/kedaitong -duration "$duration"
fi
echo "after: $(uptime)"
