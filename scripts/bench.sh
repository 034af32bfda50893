#!/usr/bin/env bash
# The benchmark scenarios recorded in BENCHMARKS.md. Each line runs Go
# benchmarks; the figures are the custom metrics they report (p50/p99, req/s,
# MB/s, peak heap). Set BENCH to a regexp to run only some, e.g.
#   BENCH=Store make bench
set -euo pipefail
only=${BENCH:-.}
run() { # name, package, -bench regexp, -benchtime
  if [[ "$1" =~ $only ]]; then
    echo "== $1"
    go test -run '^$' -bench "$3" -benchtime "$4" -timeout 30m "$2" | grep -E '^(Benchmark|ok|FAIL|---)' || true
  fi
}
run "HTTP (64 concurrent clients, in-process server on loopback)" ./web 'Healthz64|AuthenticatedRead64|StoreRead64' 20000x
run "Auth overhead and log-in" ./web 'Guard|Login' 200x
run "Store on SQLite (1,000,000 documents for find)" ./internal/store 'BenchmarkSQLite' 1x
run "Store on the FerretDB stand-in (10,000 documents)" ./internal/store 'BenchmarkFerret' 1x
run "Start-up to ready" ./cmd/kedaitong 'StartupToReady' 5x
run "Panel optimiser" ./review/match 'Solve|Decode' 1x
if [[ "Panel optimiser on the binary (kedaitong match)" =~ $only ]]; then
  echo "== Panel optimiser on the binary (kedaitong match: wall time, peak RSS)"
  scripts/bench-match.sh
fi
run "Panel optimiser: replace a declined seat" ./review/match 'Decline' 100x
run "Panel assignment in the platform (500 applications x 300 experts; a decline with its replacement)" ./review/panel 'BenchmarkRun' 3x
run "Panel assignment: decline and replacement" ./review/panel 'BenchmarkDeclineReplacement' 30x
run "Expert library: 10,000-row XLSX import" ./experts 'ImportXLSX10k' 1x
run "Expert library: directory search over 10,000 experts (p95)" ./experts 'Search10k' 2800x
run "Review scoring: 64 experts submit at once (p99), closing a panel with its report" ./review/scoring 'Submit64|CloseAndReport' 10x
run "Casbin decisions" ./rbac 'RoleAllowed|Allowed' 1s
run "Audit log append" ./audit 'Append' 1000x
run "News classifier" ./intel/classify 'Classify' 2s
if [[ "News classifier on the binary (kedaitong classify, 25,000 items)" =~ $only ]]; then
  echo "== News classifier on the binary (kedaitong classify, 25,000 items: wall time, peak RSS)"
  scripts/bench-classify.sh
fi
run "News crawler (500 feeds x 50 items first crawl, unchanged re-crawl, 10 MiB feed heap)" ./intel 'CrawlFirst500x50|CrawlUnchanged|CrawlHugeFeed' 1x
if [[ "Crawler and risk map on the binary" =~ $only ]]; then scripts/bench-crawl.sh; fi
run "Risk map over 1,000,000 stories in two years (90-day map and SVG, p95)" ./riskmap 'Map90Days|SVG90Days' 50x
run "Risk map counters and alert triggers on ingest (200 feeds x 50 items, with and without the hook)" ./riskmap 'IngestHook' 3x
run "Officials' dashboard, whole province (20,000 applications, 2,000 consultations; counters kept on write)" ./dashboard 'DashboardProvince' 200x
if [[ "Enterprise data hub on the binary (100,000 tax rows; portrait with 1,000,000 rows)" =~ $only ]]; then
  echo "== Enterprise data hub on the binary (datahub import of 100,000 tax rows; portrait read with 1,000,000 rows across sources)"
  scripts/bench-datahub.sh
fi
if [[ "Risk-compensation fund (10,000 loans, 500 claims, 100 county pools; durable store)" =~ $only ]]; then
  echo "== Risk-compensation fund (10,000 loans, 500 claims, 100 county pools; durable store)"
  scripts/bench-fund.sh
fi
if [[ "Officials' dashboard on the binary (200 readers)" =~ $only ]]; then
  echo "== Officials' dashboard on the binary (200 concurrent readers while a bank writes; durable store)"
  scripts/bench-dashboard.sh
fi
if [[ "Risk map readers on the real binary (200 concurrent)" =~ $only ]]; then
  echo "== Risk map readers on the real binary (200 concurrent, durable SQLite, cached views)"
  scripts/bench-riskmap.sh
fi
if [[ "Score saves on the real binary" =~ $only ]]; then
  echo "== Score saves on the real binary (64 experts, durable SQLite, group commit)"
  scripts/bench-scores.sh
fi
run "List pages: the audit log with 5,000 entries (a sorted page; the XLSX export)" ./web 'ListAudit5000' 20x
