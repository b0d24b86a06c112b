#!/usr/bin/env bash
# End-to-end benchmark: generate seeded data once, then time mta on it with
# /usr/bin/time -v (wall clock and peak memory), best of RUNS.
#
#   benches/e2e.sh [CUSTOMERS] [DATA_DIR]      default: 2000000 data/bench-2000000
#   RUNS=5 benches/e2e.sh 200000
#   ONLY='events' benches/e2e.sh               only the cases whose name matches
#   BASELINE=/tmp/mta-old benches/e2e.sh       the same cases with another mta
#                                              binary too, runs alternating, so
#                                              that a busy machine slows both
#
# Release build; the data directory is reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

customers=${1:-2000000}
dir=${2:-data/bench-$customers}
runs=${RUNS:-3}
baseline=${BASELINE:-}
only=${ONLY:-}

cargo build --release --locked --bin mta --example generate >&2
if [ ! -f "$dir/events.csv" ]; then
  target/release/examples/generate --customers "$customers" --seed 7 --out "$dir"
fi
mta=target/release/mta
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# once BINARY ARGS... : prints "wall-s rss-MiB" of one run (stdout discarded).
# shellcheck source=benches/lib.sh
. benches/lib.sh
once() {
  measure "$@" --quiet
}

# bench NAME ARGS... : prints "NAME  best-wall-s  peak-rss-MiB" (and the baseline's).
bench() {
  local name=$1
  shift
  if [ -n "$only" ] && ! [[ $name =~ $only ]]; then return; fi
  local best="" rss="" bbest="" brss=""
  for _ in $(seq "$runs"); do
    read -r w r < <(once "$mta" "$@")
    if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then best=$w; rss=$r; fi
    if [ -n "$baseline" ]; then
      read -r w r < <(once "$baseline" "$@")
      if [ -z "$bbest" ] || awk "BEGIN{exit !($w < $bbest)}"; then bbest=$w; brss=$r; fi
    fi
  done
  if [ -n "$baseline" ]; then
    printf '%-44s %7.2f s %6s MiB   baseline %7.2f s %6s MiB\n' "$name" "$best" "$rss" "$bbest" "$brss"
  else
    printf '%-44s %7.2f s %6s MiB\n' "$name" "$best" "$rss"
  fi
}

printf 'mta e2e, %s customers, %s; best of %s runs, %s cores\n' "$customers" "$(du -h "$dir/events.csv" | cut -f1) events.csv" "$runs" "$(nproc)"
bench "events.csv (inline, all models)"          attribute "$dir/events.csv" --format csv
# Spend per channel and day (28 days of every channel): --costs' cost.
if [ ! -f "$dir/costs.csv" ]; then
  "$mta" attribute "$dir/paths.csv" --paths --models last-click --format csv --quiet | tail -n +2 | cut -d, -f2 |
    awk 'BEGIN{print "date,channel,spend"} {for(d=1;d<=28;d++) printf "2025-02-%02d,%s,%d\n", d, $0, 100+d}' > "$dir/costs.csv"
fi
bench "events.csv --costs (all models)"          attribute "$dir/events.csv" --costs "$dir/costs.csv" --format csv
bench "scorecard (markov)"                       scorecard "$dir/events.csv" --format csv
bench "events.csv --by month (all models)"       attribute "$dir/events.csv" --by month --format csv
# The same rows with source / medium / campaign instead of a channel column.
bench "events-utm.csv (GA4 channel rules)"       attribute "$dir/events-utm.csv" --format csv
[ -f "$dir/events.parquet" ] && bench "events.parquet (inline, all models)" attribute "$dir/events.parquet" --format csv
bench "touchpoints.csv + conversions.csv"        attribute "$dir/touchpoints.csv" --conversions "$dir/conversions.csv" --format csv
bench "paths.csv (--paths)"                      attribute --paths "$dir/paths.csv" --format csv
bench "events.csv, --on-error skip"              attribute "$dir/events.csv" --on-error skip --format csv
# The same with 1% bad timestamps and 0.1% rows cut short (66,046 of 6M at 2M customers).
if [ ! -f "$dir/events-bad.csv" ]; then
  awk -F, 'BEGIN{OFS=","} NR>1 && NR%100==0 {$2="not-a-time"} NR>1 && NR%1000==1 {print $1","$2; next} {print}' \
    "$dir/events.csv" > "$dir/events-bad.csv"
fi
bench "events-bad.csv, skip + --rejects"         attribute "$dir/events-bad.csv" --on-error skip --rejects "$out/rejects.csv" --format csv
# Outputs that write a row per path, journey or conversion, and the HTML report.
bench "report (HTML, all models)"                report "$dir/events.csv" -o "$out/report.html"
bench "paths -> csv"                             paths "$dir/events.csv" -o "$out/paths.csv"
bench "journeys -> csv"                          journeys "$dir/events.csv" -o "$out/journeys.csv"
bench "journeys -> parquet"                      journeys "$dir/events.csv" -o "$out/journeys.parquet"
bench "per-conversion linear,first-click -> csv" attribute "$dir/events.csv" --per-conversion --models linear,first-click -o "$out/pc.csv"
