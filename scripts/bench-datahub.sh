#!/usr/bin/env bash
# The enterprise data hub on the real binary and its default durable store
# (SQLite, synchronous=FULL) — issue 18:
#   1. `kedaitong datahub import` of 100,000 tax rows (25,000 enterprises
#      x 4 years) into a fresh store holding their registrations; again
#      unchanged (target < 20 s each);
#   2. a store with 1,000,000 rows across sources (50,000 enterprises:
#      registration, 4 tax years, 10 patents, 5 contracts each), then the
#      portrait read through `kedaitong serve` over HTTP: p50/p99 of
#      GET /api/v1/enterprises/{credit_code} over 200 random enterprises
#      (target < 50 ms).
#   DATAHUB_ROWS=small scripts/bench-datahub.sh   # step 1 only
# Files and stores live in ${DATAHUB_DIR:-/tmp/kedaitong-bench-datahub}.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${DATAHUB_DIR:-/tmp/kedaitong-bench-datahub}
mkdir -p "$dir" bin
go build -o bin/kedaitong ./cmd/kedaitong
bin=$PWD/bin/kedaitong
# secs prints the wall time, then the CPU time (user + sys) in brackets: on
# a shared machine the CPU time is the figure that does not depend on load.
secs() { /usr/bin/time -f '%e (CPU %U+%S)' -o "$dir/time" "$@" >"$dir/out.json" 2>"$dir/err.txt"; cat "$dir/time"; }

echo "-- 100,000 tax rows (load average $(cut -d' ' -f1 /proc/loadavg))"
mkdir -p "$dir/small"
[ -s "$dir/small/tax.csv" ] || go run ./scripts/datahubgen -n 25000 -years 4 -out "$dir/small"
rm -rf "$dir/store-small" && mkdir -p "$dir/store-small"
echo "  registration (25,000 rows): $(secs "$bin" datahub import --source registration "$dir/small/registration.csv" --data "$dir/store-small") s"
echo "  tax (100,000 rows, first import): $(secs "$bin" datahub import --source tax "$dir/small/tax.csv" --data "$dir/store-small") s  $(head -c 80 "$dir/out.json")"
echo "  tax (100,000 rows, unchanged re-import): $(secs "$bin" datahub import --source tax "$dir/small/tax.csv" --data "$dir/store-small") s  $(head -c 80 "$dir/out.json")"
[ "${DATAHUB_ROWS:-}" = small ] && exit 0

echo "-- portrait with 1,000,000 rows across sources"
mkdir -p "$dir/big"
[ -s "$dir/big/contracts.csv" ] || go run ./scripts/datahubgen -n 50000 -years 4 -patents 10 -contracts 5 -out "$dir/big"
if [ ! -s "$dir/store-big/.complete" ]; then
  rm -rf "$dir/store-big" && mkdir -p "$dir/store-big"
  for s in registration tax ip contracts; do
    f=$dir/big/$s.csv
    echo "  import $s ($(($(wc -l <"$f") - 1)) rows): $(secs "$bin" datahub import --source "$s" "$f" --data "$dir/store-big") s"
  done
  touch "$dir/store-big/.complete"
fi
printf 'Bench-datahub-2026\n' | "$bin" user add --username bench.admin --role admin --data "$dir/store-big" >/dev/null 2>&1 || true
port=18187
"$bin" serve --addr 127.0.0.1:$port --data "$dir/store-big" --crawl=false --rate-limit 0 >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
tok=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"bench.admin","password":"Bench-datahub-2026"}' "http://127.0.0.1:$port/api/v1/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
codes=$(cut -d, -f1 "$dir/big/registration.csv" | tail -n +2 | shuf -n 200 --random-source=<(yes))
: >"$dir/lat.txt"
for c in $codes; do
  curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/enterprises/$c" >>"$dir/lat.txt"
done
sort -n "$dir/lat.txt" | awk '{a[NR]=$1} END {printf "  GET portrait over HTTP (200 enterprises): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000, a[NR]*1000}'
