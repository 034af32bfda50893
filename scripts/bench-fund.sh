#!/usr/bin/env bash
# The risk-compensation fund's scenario (issue 14) on the real binary with
# its default durable store (SQLite WAL, synchronous=FULL, with the audit
# log): scripts/benchfund seeds 100 county pools, 10,000 loans of 20 banks
# and 500 claims, starts `kedaitong serve` on them and reports over HTTP the
# p50/p95/p99 of registering a loan (FUND_LOANS one after another, default
# 1000), of the province's KPI view, and 16 registrations racing for a pool
# with room for five (fails if capacity is ever exceeded).
# PROFILE=DIR also writes the server's CPU, block and mutex profiles of the
# register phase there (builds a second binary with -tags pprof).
# FUND_INPROCESS=1 also runs the in-process Go benchmarks of ./fund.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/kedaitong ./cmd/kedaitong
if [[ -n "${PROFILE:-}" ]]; then
  go build -tags pprof -o bin/kedaitong-pprof ./cmd/kedaitong
  go run ./scripts/benchfund -bin bin/kedaitong-pprof -n "${FUND_LOANS:-1000}" -profile "$PROFILE"
  echo "profiles in $PROFILE: go tool pprof -top bin/kedaitong-pprof $PROFILE/cpu.prof"
else
  go run ./scripts/benchfund -bin bin/kedaitong -n "${FUND_LOANS:-1000}"
fi
if [[ -n "${FUND_INPROCESS:-}" ]]; then
  go test -run '^$' -bench 'BenchmarkFund(RegisterLoan|ProvinceKPIs|ConcurrentNearlyFull|Repair)' -benchtime "${FUND_BENCHTIME:-300x}" -timeout 30m ./fund |
    grep -E '^(Benchmark|ok|FAIL|---)' || true
fi
