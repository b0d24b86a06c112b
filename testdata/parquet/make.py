"""Writes the Parquet fixtures of tests/cli/parquet_types.rs: testdata/events.csv
as pandas, pyarrow, polars, DuckDB and Spark write it, with the column types
each writer produces for ids, channels, timestamps, flags and amounts.

Run from the repository root (the files are committed; CI does not run this):

    python3 -m venv target/pq-venv
    target/pq-venv/bin/pip install pyarrow pandas polars duckdb pyspark
    target/pq-venv/bin/python testdata/parquet/make.py

Versions used for the committed files are printed and recorded in
testdata/parquet/VERSIONS.txt.
"""

import csv
import datetime as dt
import decimal
import os
import shutil
import tempfile

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = lambda name: os.path.join(HERE, name)

rows = list(csv.DictReader(open(os.path.join(HERE, "..", "events.csv"))))
customers = [r["customer_id"] for r in rows]
ids = {c: i + 1 for i, c in enumerate(sorted(set(customers)))}
channels = [r["channel"] for r in rows]
times = [dt.datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc) for r in rows]
naive = [t.replace(tzinfo=None) for t in times]
flags = [r["conversion"] == "1" for r in rows]
values = [r["value"] or None for r in rows]
floats = [float(v) if v else None for v in values]
decimals = [decimal.Decimal(v) if v else None for v in values]

versions = {}


def pandas_files():
    versions["pandas"] = pd.__version__
    # Categorical ids and channels, naive nanosecond times, bool flags, NaN for no value.
    df = pd.DataFrame(
        {
            "customer_id": pd.Categorical(customers),
            "channel": pd.Categorical(channels),
            "timestamp": pd.to_datetime(naive),
            "conversion": flags,
            "value": floats,
        }
    )
    df.to_parquet(OUT("pandas_category.parquet"), index=False)
    # Integer ids, zone-aware millisecond times, a float flag (an int column
    # with a missing value becomes float in pandas), float32 amounts.
    df = pd.DataFrame(
        {
            "customer_id": [ids[c] for c in customers],
            "channel": channels,
            "timestamp": pd.to_datetime(times).as_unit("ms"),
            "conversion": [1.0 if f else None for f in flags],
            "value": pd.array(floats, dtype="Float32"),
        }
    )
    df.to_parquet(OUT("pandas_ints.parquet"), index=False)


def pyarrow_files():
    versions["pyarrow"] = pa.__version__
    # Dictionary channels, large-string ids, instants in a zone, int8 flags, decimal amounts.
    t = pa.table(
        {
            "customer_id": pa.array(customers, pa.large_string()),
            "channel": pa.array(channels, pa.string()).dictionary_encode(),
            "timestamp": pa.array(times, pa.timestamp("us", tz="Europe/Paris")),
            "conversion": pa.array([int(f) for f in flags], pa.int8()),
            "value": pa.array(decimals, pa.decimal128(10, 2)),
        }
    )
    pq.write_table(t, OUT("pyarrow_dictionary.parquet"))
    # String views, unsigned ids, naive second times, text flags, float32 amounts.
    t = pa.table(
        {
            "customer_id": pa.array([ids[c] for c in customers], pa.uint64()),
            "channel": pa.array(channels, pa.string_view()),
            "timestamp": pa.array(naive, pa.timestamp("s")),
            "conversion": pa.array(["true" if f else "false" for f in flags]),
            "value": pa.array(floats, pa.float32()),
        }
    )
    pq.write_table(t, OUT("pyarrow_views.parquet"))
    # Dates (no time of day) and uint64 ids, one above the largest int64.
    t = pa.table(
        {
            "customer_id": pa.array([2**64 - 1] * 3 + [8], pa.uint64()),
            "timestamp": pa.array([dt.date(2025, 3, d) for d in (1, 2, 3, 2)], pa.date32()),
            "channel": ["Email", "Search", "Direct", "Email"],
            "conversion": pa.array([False, False, True, True]),
            "value": pa.array([None, None, 10.5, 4.0], pa.float64()),
        }
    )
    pq.write_table(t, OUT("pyarrow_dates.parquet"))


def polars_files():
    versions["polars"] = pl.__version__
    # Categorical ids, Enum channels, UTC nanosecond times, UInt8 flags, decimal amounts.
    df = pl.DataFrame(
        {
            "customer_id": pl.Series(customers, dtype=pl.Categorical),
            "channel": pl.Series(channels, dtype=pl.Enum(sorted(set(channels)))),
            "timestamp": pl.Series(times).dt.cast_time_unit("ns").dt.convert_time_zone("UTC"),
            "conversion": pl.Series([int(f) for f in flags], dtype=pl.UInt8),
            "value": pl.Series(decimals, dtype=pl.Decimal(10, 2)),
        }
    )
    df.write_parquet(OUT("polars_types.parquet"))
    # Int32 ids, naive millisecond times, boolean flags, float32 amounts.
    df = pl.DataFrame(
        {
            "customer_id": pl.Series([ids[c] for c in customers], dtype=pl.Int32),
            "channel": channels,
            "timestamp": pl.Series(naive).dt.cast_time_unit("ms"),
            "conversion": flags,
            "value": pl.Series(floats, dtype=pl.Float32),
        }
    )
    df.write_parquet(OUT("polars_ints.parquet"))


def duckdb_files():
    versions["duckdb"] = duckdb.__version__
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE e AS SELECT * FROM read_csv(?, columns = {'customer_id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'channel': 'VARCHAR', 'conversion': 'INTEGER', 'value': 'DECIMAL(18,2)'}, header = true)",
        [os.path.join(HERE, "..", "events.csv")],
    )
    # ENUM channels, TIMESTAMPTZ, BOOLEAN flags, DECIMAL amounts.
    con.execute("CREATE TYPE ch AS ENUM ('Direct', 'Display', 'Email', 'Paid Search', 'Social')")
    con.execute(
        "COPY (SELECT customer_id, channel::ch AS channel, timestamp, conversion = 1 AS conversion, value FROM e) TO '"
        + OUT("duckdb_types.parquet")
        + "' (FORMAT parquet)"
    )
    # UBIGINT ids, naive TIMESTAMP, INTEGER flags, DOUBLE amounts.
    con.execute(
        "COPY (SELECT dense_rank() OVER (ORDER BY customer_id)::UBIGINT AS customer_id, channel, timestamp::TIMESTAMP AS timestamp, conversion, value::DOUBLE AS value FROM e ORDER BY ALL) TO '"
        + OUT("duckdb_ints.parquet")
        + "' (FORMAT parquet)"
    )


def spark_files():
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    versions["spark"] = spark.version
    schema = T.StructType(
        [
            T.StructField("customer_id", T.StringType()),
            T.StructField("channel", T.StringType()),
            T.StructField("timestamp", T.TimestampType()),
            T.StructField("conversion", T.IntegerType()),
            T.StructField("value", T.DecimalType(10, 2)),
        ]
    )
    data = [(c, ch, t, int(f), d) for c, ch, t, f, d in zip(customers, channels, times, flags, decimals)]
    df = spark.createDataFrame(data, schema)

    def write(frame, name, timestamp_type):
        spark.conf.set("spark.sql.parquet.outputTimestampType", timestamp_type)
        tmp = tempfile.mkdtemp()
        frame.coalesce(1).write.mode("overwrite").parquet(os.path.join(tmp, "out"))
        part = [f for f in os.listdir(os.path.join(tmp, "out")) if f.endswith(".parquet")][0]
        shutil.copy(os.path.join(tmp, "out", part), OUT(name))
        shutil.rmtree(tmp)

    # Spark's default timestamp encoding (INT96), decimal amounts, int flags.
    write(df, "spark_int96.parquet", "INT96")
    # TIMESTAMP_MICROS, long ids, boolean flags, double amounts.
    from pyspark.sql import functions as F

    ids_df = spark.createDataFrame([(c, i) for c, i in ids.items()], ["customer_id", "id"])
    df2 = (
        df.join(ids_df, "customer_id")
        .select(
            F.col("id").cast("long").alias("customer_id"),
            "channel",
            "timestamp",
            (F.col("conversion") == 1).alias("conversion"),
            F.col("value").cast("double").alias("value"),
        )
        .orderBy("timestamp")
    )
    write(df2, "spark_micros.parquet", "TIMESTAMP_MICROS")
    spark.stop()


pandas_files()
pyarrow_files()
polars_files()
duckdb_files()
spark_files()
with open(OUT("VERSIONS.txt"), "w") as f:
    for k, v in versions.items():
        f.write(f"{k} {v}\n")
print(versions)
