#!/usr/bin/env bash
# `mta sql` on real engines: every query it writes is run on DuckDB and its
# rows compared with mta's own results on the same data (paths with `mta
# paths`, credits with `mta attribute`), on the bundled testdata and on
# generated data (20,000 customers), for the journey flags that change the
# SQL (lookback, max touches, analysis period, channel filters, model
# parameters, separate conversions).
#
#   tests/e2e/sql.sh [MTA]      MTA: the binary (default target/debug/mta)
#
# Installs duckdb from PyPI into target/sql-venv the first time; nothing of
# it is committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
bin=${1:-target/debug/mta}

venv=target/sql-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb" >/dev/null 2>&1; then
  echo "installing duckdb into $venv..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check duckdb==2.0.1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --locked -q --example generate -- --customers 20000 --seed 11 --channels 8 --no-parquet --out "$work/gen" >/dev/null

"$venv/bin/python" tests/e2e/sql_check.py "$bin" "$work" duckdb
echo "sql.sh: $(($(date +%s) - started))s"
