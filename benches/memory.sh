#!/usr/bin/env bash
# Memory-bounded reading (issue 15): wall time and peak memory of mta on
# generated CSV, beside polars' bare text read of the same file
# (examples/bare_read), best of RUNS; the targets are relative to it.
#
#   benches/memory.sh [CUSTOMERS] [DATA_DIR]    default: 2000000 data/bench-2000000
#   RUNS=3 benches/memory.sh 10000000
#   RUNS=1 LIMIT=4G NO_BARE=1 benches/memory.sh 100000000
#
# SORTED=1 runs on the same rows sorted by time instead of grouped by
# customer, as most warehouse exports are (events-by-time.csv, made once).
# LIMIT passes --memory-limit to mta (out of core past it; partitions under
# TEMP_DIR, default the system temp dir). NO_BARE=1 skips polars' read, for
# files whose text does not fit in memory (at 100M customers, 13 GB of CSV:
# polars holds about 3x that). Past 10M customers the data is generated
# without Parquet files (at 100M: about 15 GB of CSV, 3 minutes).
#
# Release build; the data directory is generated once and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
. benches/lib.sh

customers=${1:-2000000}
dir=${2:-data/bench-$customers}
runs=${RUNS:-3}

cargo build --release --locked --bin mta --example generate --example bare_read >&2
if [ ! -f "$dir/events.csv" ]; then
  big=()
  if [ "$customers" -gt 10000000 ]; then big=(--no-parquet); fi
  target/release/examples/generate --customers "$customers" --seed 7 --out "$dir" "${big[@]}" >&2
fi

# best NAME CMD... : prints "NAME  best-wall-s  its-peak-MiB" and sets $wall.
best() {
  local name=$1 w r bw="" br=""
  shift
  for _ in $(seq "$runs"); do
    read -r w r < <(measure "$@")
    if [ -z "$bw" ] || awk "BEGIN{exit !($w < $bw)}"; then bw=$w; br=$r; fi
  done
  printf '%-40s %7.2f s %6s MiB' "$name" "$bw" "$br"
  wall=$bw
}

events=$dir/events.csv
if [ -n "${SORTED:-}" ]; then
  events=$dir/events-by-time.csv
  if [ ! -f "$events" ]; then
    { head -n 1 "$dir/events.csv"; tail -n +2 "$dir/events.csv" | LC_ALL=C sort -t, -k2,2 -S 25%; } > "$events.tmp"
    mv "$events.tmp" "$events"
  fi
fi
printf 'mta memory, %s customers, %s %s; best of %s runs, %s cores\n' \
  "$customers" "$(du -h "$events" | cut -f1)" "$(basename "$events")" "$runs" "$(nproc)"
if [ -z "${NO_BARE:-}" ]; then
  best "polars bare read (all text)" target/release/examples/bare_read "$events"
  echo
  read_wall=$wall
fi
limit=()
if [ -n "${LIMIT:-}" ]; then
  limit=(--memory-limit "$LIMIT")
  if [ -n "${TEMP_DIR:-}" ]; then limit+=(--temp-dir "$TEMP_DIR"); fi
fi
best "mta attribute (all models)${LIMIT:+ --memory-limit $LIMIT}" \
  target/release/mta attribute "$events" --format csv --quiet "${limit[@]}"
if [ -z "${NO_BARE:-}" ]; then
  awk -v a="$wall" -v b="$read_wall" 'BEGIN{printf "   %.2fx the bare read", a / b}'
fi
echo
