#!/usr/bin/env bash
# The officials' dashboard on the real binary (issues 17 and 19): 200
# concurrent readers of GET /api/v1/dashboard and of the /dashboard page for
# 10 s each, on a `serve --demo` store (default durable SQLite) with 2,000
# more applications over every county (volume, added over HTTP before the
# run), while a bank writes every 200 ms. Readers send a browser's
# Accept-Encoding (DASH_ENCODING=identity for uncompressed answers). Prints
# the clients' latency, the server-side latency from the request log, the
# server's CPU per answer, the bytes per answer as sent and the load average.
# Figures recorded in BENCHMARKS.md ("Officials' dashboard (session 23)").
#
#   scripts/bench-dashboard.sh
#   DASH_READERS=50 DASH_DURATION=5s DASH_APPS=200 scripts/bench-dashboard.sh
#   PROFILE=/tmp/prof scripts/bench-dashboard.sh   # CPU, allocation, block and mutex profiles of each phase
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tags=()
if [[ -n "${PROFILE:-}" ]]; then
  tags=(-tags pprof)
fi
go build "${tags[@]}" -o "$out/kedaitong" ./cmd/kedaitong
echo "before: $(uptime)"
prof=()
if [[ -n "${PROFILE:-}" ]]; then
  prof=(-profile "$PROFILE")
fi
go run ./scripts/benchdash -bin "$out/kedaitong" -readers "${DASH_READERS:-200}" -duration "${DASH_DURATION:-10s}" -apps "${DASH_APPS:-2000}" \
  -accept-encoding "${DASH_ENCODING:-gzip, deflate, br}" "${prof[@]}"
if [[ -n "${PROFILE:-}" ]]; then
  cp "$out/kedaitong" "$PROFILE/kedaitong"
  echo "profiles in $PROFILE: go tool pprof -top $PROFILE/kedaitong $PROFILE/html-profile.pprof"
fi
echo "after: $(uptime)"
