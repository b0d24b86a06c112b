#!/usr/bin/env bash
# Fuzzes mta's readers: seeds a corpus from testdata/, then runs each target
# for a set time. Crashes land in fuzz/artifacts/<target>/; each one fixed
# becomes a regression test (see fuzz/README.md).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 600 s; events timestamp paths; 0 = only seed)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Runs on the stable toolchain
# without a sanitizer (`-s none`): mta has no unsafe parsing code, and the
# coverage instrumentation and debug assertions (overflow checks) still apply.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(events timestamp paths)

seed() { # seed TARGET PREFIX-BYTES-IN-HEX FILE...
    local dir=fuzz/corpus/$1 bytes=$2
    shift 2
    mkdir -p "$dir"
    for f in "$@"; do
        { printf "$(sed 's/../\\x&/g' <<< "$bytes")"; cat "$f"; } > "$dir/$(basename "$f")-$bytes"
    done
}
csvs=(testdata/*.csv testdata/bad/*.csv)
# Small valid Parquet files (events and touchpoints) from the data generator.
gen=fuzz/corpus/generated
[ -f "$gen/events.parquet" ] || cargo run -q --example generate -- --customers 12 --seed 1 --out "$gen" > /dev/null
parquets=("$gen/events.parquet" testdata/bad/*.parquet)
# events: option byte 00 (defaults) and 04 (skip bad rows), chunk byte 00
# (default chunks) or 04 (64-byte chunks), then the file; event rows
# (chunk byte 84: `--conversion-events purchase --order-col order_id`) on the
# raw shop export.
seed events 0000 "${csvs[@]}" "${parquets[@]}" testdata/bad/corrupt.csv.gz
seed events 0400 "${csvs[@]}" "${parquets[@]}"
seed events 0404 "${csvs[@]}"
seed events 0484 testdata/shop_events.csv
seed events 0084 testdata/shop_events.csv
# paths: separator " > ", stopping (00) and skipping (80).
seed paths 00 testdata/paths.csv testdata/markov.csv testdata/bad/path_*.csv
seed paths 80 testdata/paths.csv testdata/bad/path_*.csv
# timestamp: timestamp cells of the fixtures under four format/zone pairs.
mkdir -p fuzz/corpus/timestamp
n=0
for f in testdata/*.csv testdata/bad/*.csv; do
    col=$(head -1 "$f" | tr ',' '\n' | grep -n '^timestamp' | cut -d: -f1 || true)
    [ -n "$col" ] || continue
    while read -r t; do
        for sel in '\x00\x00' '\x03\x00' '\x05\x01' '\x00\x02'; do
            printf "$sel%s" "$t" > "fuzz/corpus/timestamp/seed-$n"
            n=$((n + 1))
        done
    done < <(tail -n +2 "$f" | cut -d, -f"$col" | head -5)
done
[ "$secs" -gt 0 ] || exit 0

for t in "${targets[@]}"; do
    echo "== fuzzing $t for $secs s"
    cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536 -timeout=20
done
