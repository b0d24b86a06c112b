#!/usr/bin/env bash
# End-to-end benchmark: generate seeded data once, then time `mta attribute`
# on it with /usr/bin/time -v (wall clock and peak memory), best of RUNS.
#
#   benches/e2e.sh [CUSTOMERS] [DATA_DIR]      default: 2000000 data/bench-2000000
#   RUNS=5 benches/e2e.sh 200000
#
# Release build; the data directory is reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

customers=${1:-2000000}
dir=${2:-data/bench-$customers}
runs=${RUNS:-3}

cargo build --release --locked --bin mta --example generate >&2
if [ ! -f "$dir/events.csv" ]; then
  target/release/examples/generate --customers "$customers" --seed 7 --out "$dir"
fi
mta=target/release/mta

# bench NAME ARGS... : prints "NAME  best-wall-s  peak-rss-MiB"
bench() {
  local name=$1; shift
  local best_wall="" best_rss=""
  for _ in $(seq "$runs"); do
    local log
    log=$(mktemp)
    /usr/bin/time -v "$mta" attribute "$@" --format csv --quiet >/dev/null 2>"$log"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
    rm -f "$log"
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
  done
  printf '%-40s %8.2f s %8s MiB\n' "$name" "$best_wall" "$best_rss"
}

printf 'mta e2e, %s customers, %s; best of %s runs, %s cores\n' "$customers" "$(du -h "$dir/events.csv" | cut -f1) events.csv" "$runs" "$(nproc)"
bench "events.csv (inline, all models)"      "$dir/events.csv"
[ -f "$dir/events.parquet" ] && bench "events.parquet (inline, all models)" "$dir/events.parquet"
bench "touchpoints.csv + conversions.csv"    "$dir/touchpoints.csv" --conversions "$dir/conversions.csv"
bench "paths.csv (--paths)"                  --paths "$dir/paths.csv"
bench "events.csv, --on-error skip"          "$dir/events.csv" --on-error skip
# The same with 1% bad timestamps and 0.1% rows cut short (66,046 of 6M at 2M customers).
if [ ! -f "$dir/events-bad.csv" ]; then
  awk -F, 'BEGIN{OFS=","} NR>1 && NR%100==0 {$2="not-a-time"} NR>1 && NR%1000==1 {print $1","$2; next} {print}' \
    "$dir/events.csv" > "$dir/events-bad.csv"
fi
bench "events-bad.csv, skip + --rejects"     "$dir/events-bad.csv" --on-error skip --rejects "$dir/rejects.csv"
