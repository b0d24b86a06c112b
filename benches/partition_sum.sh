#!/usr/bin/env bash
# Issue 15's check on real sizes: rule-based credits are sums over
# customers, so an input cut into K files by customer, run file by file,
# must add up to the run of the whole (in memory or out of core). Cuts
# DATA_DIR/events.csv into K files by the last digit of the (generated)
# customer id, runs `mta attribute` on each, sums conversions and value per
# model and channel for the nine rule-based models (Markov and Shapley do
# not add up over customers), and checks the sums against the whole run
# with `mta compare` (relative tolerance 1e-9: the files carry 6 decimals).
#
#   benches/partition_sum.sh [CUSTOMERS] [K]        default: 10000000 4
#   LIMIT=4G benches/partition_sum.sh 100000000 8   whole run out of core
#
# Release build; generate the data first (benches/memory.sh CUSTOMERS).
set -euo pipefail
cd "$(dirname "$0")/.."

customers=${1:-10000000}
k=${2:-4}
dir=data/bench-$customers
work=$(mktemp -d "${TMPDIR:-/tmp}/mta-partition-sum.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --bin mta >&2
mta=target/release/mta
limit=()
if [ -n "${LIMIT:-}" ]; then limit=(--memory-limit "$LIMIT"); fi

echo "whole run of $dir/events.csv${LIMIT:+ with --memory-limit $LIMIT}" >&2
"$mta" attribute "$dir/events.csv" --format csv --quiet "${limit[@]}" -o "$work/whole.csv"

echo "cutting it into $k files by customer" >&2
awk -F, -v k="$k" -v out="$work/part" 'NR == 1 { h = $0; next }
  { p = substr($1, length($1)) % k; f = out p ".csv"
    if (!(f in seen)) { print h > f; seen[f] = 1 }
    print > f }' "$dir/events.csv"

for f in "$work"/part*.csv; do
  "$mta" attribute "$f" --format csv --quiet -o "${f%.csv}.credits.csv"
done

additive='^(first-click|last-click|last-non-direct|linear|position-based|j-shaped|inverse-j|time-decay|participation),'
{
  echo "model,channel,conversions,value,share"
  grep -hE "$additive" "$work"/part*.credits.csv |
    awk -F, '{ c[$1 "," $2] += $3; v[$1 "," $2] += $4 }
      END { for (key in c) printf "%s,%.6f,%.6f,0\n", key, c[key], v[key] }' | sort
} > "$work/summed.csv"
{ head -1 "$work/whole.csv"; grep -E "$additive" "$work/whole.csv"; } > "$work/whole-additive.csv"

for metric in conversions value; do
  "$mta" compare "$work/whole-additive.csv" "$work/summed.csv" --metric "$metric" --relative --tolerance 1e-9
done
echo "the $k files' credits add up to the whole run's, $(($(wc -l < "$work/summed.csv") - 1)) model-channel rows"
