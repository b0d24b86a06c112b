#!/usr/bin/env bash
# `mta sql` on real engines: every query it writes is run and its rows
# compared with mta's own results on the same data (paths with `mta paths`,
# credits with `mta attribute`, and the Markov / Shapley credits of `mta
# attribute --paths` on the engine's paths with those of the events; the
# Markov chain with `mta markov`'s and the credits of `mta attribute
# --transitions` on it with those of the events), on
# the bundled testdata and on generated data (20,000 customers), for the
# journey flags that change the SQL (lookback, max touches, analysis period,
# channel filters, model parameters, separate conversions, window journeys,
# rules files, conversion types, GA4 export tables).
#
# Engines: DuckDB; PostgreSQL (a throwaway server of Debian's postgresql
# package, installed when missing and run as root); Apache Spark in local
# mode (pyspark, on the machine's Java 17; a case of each kind, Spark being
# slow to start a job); BigQuery and Snowflake, which cannot run here: their
# queries are parsed by sqlglot in that dialect, transpiled to DuckDB and
# run there.
#
#   tests/e2e/sql.sh [MTA] [ENGINE...]   MTA: the binary (default target/debug/mta)
#
# Installs duckdb, sqlglot and pyspark from PyPI into target/sql-venv the
# first time; nothing of it is committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
bin=${1:-target/debug/mta}
shift || true
engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(duckdb bigquery snowflake postgres spark)

venv=target/sql-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb, sqlglot, pyspark" >/dev/null 2>&1; then
  echo "installing duckdb, sqlglot and pyspark into $venv..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check duckdb==2.0.1 sqlglot==30.31.0 pyspark==4.3.0
fi

work=$(mktemp -d)
pgdata=""
cleanup() {
  if [ -n "$pgdata" ]; then
    as_pg "$pg/pg_ctl" -D "$pgdata/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cargo run --locked -q --example generate -- --customers 20000 --seed 11 --channels 8 --no-parquet --out "$work/gen" >/dev/null
chmod -R a+rX "$work"

if [[ " ${engines[*]} " == *" postgres "* ]]; then
  pg=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$pg" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "sql.sh: PostgreSQL is missing; install it (apt-get install postgresql) or run as root" >&2
      exit 1
    fi
    echo "installing postgresql..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  # initdb refuses root: as root, the server runs as the postgres user.
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pgdata=$(mktemp -d)
  chmod 755 "$pgdata"
  [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
  as_pg "$pg/initdb" -D "$pgdata/data" -A trust -U postgres >/dev/null
  port=$((50000 + RANDOM % 10000))
  as_pg "$pg/pg_ctl" -D "$pgdata/data" -o "-k $pgdata -p $port -c listen_addresses=''" -l "$pgdata/log" -w start >/dev/null
  export PGHOST=$pgdata PGPORT=$port PGUSER=postgres
fi

"$venv/bin/python" tests/e2e/sql_check.py "$bin" "$work" "${engines[@]}" 2>&1 | grep -v -E "^(WARN|Setting default log level|To adjust logging level|Using Spark's default log4j)| WARN |FutureWarning|require_minimum_pandas_version"
status=${PIPESTATUS[0]}
echo "sql.sh: $(($(date +%s) - started))s"
exit "$status"
