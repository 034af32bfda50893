#!/usr/bin/env bash
# Crawler and risk-map throughput on the real binary, default durable
# store (SQLite, synchronous=FULL). Figures recorded in BENCHMARKS.md
# ("Crawler and risk map on the binary (issue 19)").
#
#   scripts/bench-crawl.sh              # 500 feeds x 50 items on 50 loopback hosts; 200 readers for 10 s
#   KEDAI_BENCH_FEEDS=100 scripts/bench-crawl.sh   # a shorter crawl
#
# The crawl benchmark starts 50 feed servers on 127.0.0.2-51, adds the
# sources to a fresh data folder, then runs `kedaitong crawl --once` (first
# crawl: items/s) and `kedaitong crawl --once --all` (unchanged re-crawl,
# every feed answers 304: feeds/s, and whether the store changed at all),
# each with --cpuprofile; the top of both profiles is printed. Besides
# items/s and feeds/s (crawl's own clock and wall time) it reports the
# commands' CPU time (first-cpu-µs/item, recrawl-cpu-ms), which suffers
# less than wall time when other work shares the machine, and the bytes the
# first crawl wrote to the disk per item (first-disk-KB/item), which other
# load does not change.
# KEDAI_BENCH_KEEP=DIR keeps a copy of the first crawl's data folder there
# (to look at its tables: sqlite3 DIR/kedaitong.db "SELECT name, count(*)
# FROM dbstat GROUP BY name"; "Crawler (session 23)" in BENCHMARKS.md);
# KEDAI_BENCH_DEBUG=1 also logs the store's transactions and writes;
# KEDAI_BENCH_WORKERS=N passes --workers N; KEDAI_BENCH_BINARY=PATH runs
# another build (an earlier commit) for before/after pairs
# ("Crawler (session 22)" in BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
echo "== Crawler on the binary (first crawl and unchanged re-crawl)"
KEDAI_BENCH_PROFILE="$prof" go test -run '^$' -bench 'CrawlBinary' -benchtime 1x -timeout 30m ./cmd/kedaitong | grep -E '^(Benchmark|ok|FAIL|---|\s+bench)' || true
go build -o "$prof/kedaitong" ./cmd/kedaitong
for p in crawl-first crawl-again; do
  if [[ -s "$prof/$p.pprof" ]]; then
    echo "-- pprof top ($p)"
    go tool pprof -top -nodecount 15 "$prof/kedaitong" "$prof/$p.pprof" 2>/dev/null | sed -n '1,22p' || true
  fi
done
echo "== Risk map and officials' dashboard: 200 concurrent readers on the binary"
go test -run '^$' -bench 'RiskmapReaders200' -benchtime 1x -timeout 10m ./cmd/kedaitong | grep -E '^(Benchmark|ok|FAIL|---)' || true
