#!/usr/bin/env bash
# The risk-compensation fund's scenario (issue 14), on the embedded store as
# the server runs it (SQLite, WAL, synchronous=FULL, with the audit log):
# 100 county pools, 10,000 loans, 500 claims (built once without fsync, then
# reopened durable). Reports p50/p99 of registering a loan, of the province's
# KPI view, and the wall time of 16 registrations racing for a nearly full
# pool (which fails if capacity is ever exceeded).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'BenchmarkFund(RegisterLoan|ProvinceKPIs|ConcurrentNearlyFull)' -benchtime "${FUND_BENCHTIME:-300x}" -timeout 30m ./fund |
  grep -E '^(Benchmark|ok|FAIL|---)' || true
