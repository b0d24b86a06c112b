"""Writes the GA4 BigQuery export fixtures of tests/cli/ga4.rs.

- hand.jsonl (hand-written, 12 events; tests/cli/ga4.rs derives its credits
  by hand) is rewritten as Parquet the way pyarrow (hand.parquet) and Spark
  (hand_spark.parquet) write GA4's nested schema.
- sample.jsonl.gz and sample.parquet: a generated GA4-shaped export (300
  devices, about 4,000 events) with every case the reader handles: manual
  and event-param sources, gclid, direct sessions, AI assistants, logins
  joining devices, repeated transaction ids, server-side events without a
  session, and three conversion events (purchase, sign_up, generate_lead).

Run from the repository root (the files are committed; CI does not run this):

    python3 -m venv target/pq-venv
    target/pq-venv/bin/pip install pyarrow pyspark
    target/pq-venv/bin/python testdata/ga4/make.py

The JSON is written as `bq extract --destination_format=NEWLINE_DELIMITED_JSON`
writes it: INT64 values as strings, absent values as null.
"""

import gzip
import json
import os
import random
import shutil
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = lambda name: os.path.join(HERE, name)

# GA4's BigQuery export schema, the part mta reads plus a few neighbours.
PARAM_VALUE = pa.struct(
    [
        ("string_value", pa.string()),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("double_value", pa.float64()),
    ]
)
TRAFFIC = pa.struct(
    [
        (name, pa.string())
        for name in [
            "manual_campaign_id",
            "manual_campaign_name",
            "manual_source",
            "manual_medium",
            "manual_term",
            "manual_content",
            "gclid",
            "dclid",
            "srsltid",
        ]
    ]
)
ECOMMERCE = pa.struct(
    [
        ("total_item_quantity", pa.int64()),
        ("purchase_revenue_in_usd", pa.float64()),
        ("purchase_revenue", pa.float64()),
        ("refund_value_in_usd", pa.float64()),
        ("refund_value", pa.float64()),
        ("shipping_value_in_usd", pa.float64()),
        ("shipping_value", pa.float64()),
        ("tax_value_in_usd", pa.float64()),
        ("tax_value", pa.float64()),
        ("unique_items", pa.int64()),
        ("transaction_id", pa.string()),
    ]
)
SCHEMA = pa.schema(
    [
        ("event_date", pa.string()),
        ("event_timestamp", pa.int64()),
        ("event_name", pa.string()),
        ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", PARAM_VALUE)]))),
        ("user_id", pa.string()),
        ("user_pseudo_id", pa.string()),
        ("collected_traffic_source", TRAFFIC),
        ("ecommerce", ECOMMERCE),
    ]
)
SPARK_DDL = (
    "event_date STRING, event_timestamp BIGINT, event_name STRING, "
    "event_params ARRAY<STRUCT<key: STRING, value: STRUCT<string_value: STRING, int_value: BIGINT, "
    "float_value: DOUBLE, double_value: DOUBLE>>>, user_id STRING, user_pseudo_id STRING, "
    "collected_traffic_source STRUCT<" + ", ".join(f"{f.name}: STRING" for f in TRAFFIC) + ">, "
    "ecommerce STRUCT<total_item_quantity: BIGINT, purchase_revenue_in_usd: DOUBLE, purchase_revenue: DOUBLE, "
    "refund_value_in_usd: DOUBLE, refund_value: DOUBLE, shipping_value_in_usd: DOUBLE, shipping_value: DOUBLE, "
    "tax_value_in_usd: DOUBLE, tax_value: DOUBLE, unique_items: BIGINT, transaction_id: STRING>"
)


def typed(event):
    """An event of the JSON export with its INT64 strings as integers."""
    e = dict(event)
    e["event_timestamp"] = int(e["event_timestamp"])
    e["event_params"] = [
        {"key": p["key"], "value": dict(p["value"], int_value=None if p["value"]["int_value"] is None else int(p["value"]["int_value"]))}
        for p in e["event_params"]
    ]
    return e


def write_parquet(events, name):
    table = pa.Table.from_pylist([typed(e) for e in events], schema=SCHEMA)
    pq.write_table(table, OUT(name))


def write_spark(events, name):
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").appName("ga4-fixtures").getOrCreate()
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "in.jsonl")
        with open(src, "w") as f:
            for e in events:
                f.write(json.dumps(typed(e)) + "\n")
        out = os.path.join(tmp, "out")
        spark.read.schema(SPARK_DDL).json(src).coalesce(1).write.parquet(out)
        part = [p for p in os.listdir(out) if p.endswith(".parquet")][0]
        shutil.copy(os.path.join(out, part), OUT(name))
        print("spark", spark.version)
    finally:
        spark.stop()
        shutil.rmtree(tmp)


def param(key, s=None, i=None, d=None):
    return {"key": key, "value": {"string_value": s, "int_value": None if i is None else str(i), "float_value": None, "double_value": d}}


def traffic(source=None, medium=None, campaign=None, gclid=None):
    t = {f.name: None for f in TRAFFIC}
    t.update(manual_source=source, manual_medium=medium, manual_campaign_name=campaign, gclid=gclid)
    return t


def ecommerce(revenue=None, transaction=None):
    e = {f.name: None for f in ECOMMERCE}
    e.update(purchase_revenue=revenue, purchase_revenue_in_usd=revenue, transaction_id=transaction)
    return e


def event(t_us, name, device, session=None, user=None, params=(), cts=None, ecom=None):
    import datetime as dt

    day = dt.datetime.fromtimestamp(t_us / 1e6, dt.timezone.utc).strftime("%Y%m%d")
    ps = ([param("ga_session_id", i=session)] if session is not None else []) + list(params)
    return {
        "event_date": day,
        "event_timestamp": str(t_us),
        "event_name": name,
        "event_params": ps,
        "user_id": user,
        "user_pseudo_id": device,
        "collected_traffic_source": cts,
        "ecommerce": ecom,
    }


# (source, medium, campaign) of the generated sessions, how they are carried.
SOURCES = [
    ("google", "organic", None),
    ("google", "cpc", "brand"),
    ("bing", "cpc", "generic"),
    ("facebook.com", "cpc", "spring"),
    ("instagram", "social", None),
    ("newsletter", "email", "weekly"),
    ("chatgpt.com", "referral", None),
    ("perplexity.ai", "referral", None),
    ("youtube.com", "video", None),
    ("partner.example", "referral", None),
    ("criteo", "display", "retarget"),
    ("awin", "affiliate", None),
]


def sample():
    rng = random.Random(7)
    start = 1772323200 * 1_000_000  # 2026-03-01T00:00:00Z
    events, transaction = [], 0
    for d in range(300):
        device = f"{rng.randrange(10**9, 10**10)}.{1772323200 + d}"
        user = f"user{d // 2}" if rng.random() < 0.3 else None  # pairs of devices share a login
        t = start + rng.randrange(0, 20 * 86400) * 1_000_000
        for s in range(rng.randint(1, 6)):
            session = 1772323200 + d * 100 + s
            logged_in = user if (user and rng.random() < 0.5) else None
            kind = rng.random()
            src = rng.choice(SOURCES)
            params, cts = [], None
            if kind < 0.45:
                cts = traffic(*src)
            elif kind < 0.7:
                params = [param("source", s=src[0]), param("medium", s=src[1])] + ([param("campaign", s=src[2])] if src[2] else [])
            elif kind < 0.8:
                cts = traffic(gclid=f"Cj0K{rng.randrange(10**6)}")
            events.append(event(t, "session_start", device, session, logged_in, params))
            t += rng.randrange(1, 120) * 1_000_000
            # A later event of the session may carry the manual source.
            events.append(event(t, "page_view", device, session, logged_in, cts=cts))
            for _ in range(rng.randint(0, 3)):
                t += rng.randrange(1, 600) * 1_000_000
                events.append(event(t, rng.choice(["page_view", "scroll", "user_engagement"]), device, session, logged_in))
            r = rng.random()
            if r < 0.25:
                t += rng.randrange(1, 600) * 1_000_000
                transaction += 1
                tid = f"T{transaction}"
                revenue = round(rng.uniform(10, 300), 2)
                if rng.random() < 0.2:
                    ecom, ps = ecommerce(None, tid), [param("value", d=revenue)]
                else:
                    ecom, ps = ecommerce(revenue, tid), []
                events.append(event(t, "purchase", device, session, logged_in, ps, ecom=ecom))
                if rng.random() < 0.1:  # a page reload sends it again
                    events.append(event(t + 5_000_000, "purchase", device, session, logged_in, ps, ecom=ecom))
            elif r < 0.32:
                t += rng.randrange(1, 600) * 1_000_000
                events.append(event(t, "sign_up", device, session, logged_in))
            elif r < 0.37:
                t += rng.randrange(1, 600) * 1_000_000
                events.append(event(t, "generate_lead", device, session, logged_in, [param("value", i=25)]))
            if rng.random() < 0.05:  # a server-side event: no session
                t += rng.randrange(1, 3600) * 1_000_000
                transaction += 1
                events.append(event(t, "purchase", device, None, None, ecom=ecommerce(49.0, f"T{transaction}")))
            t += rng.randrange(3600, 5 * 86400) * 1_000_000
    # An export is not in time order: BigQuery writes daily tables, by shard.
    rng.shuffle(events)
    return events


def main():
    hand = [json.loads(line) for line in open(OUT("hand.jsonl"))]
    write_parquet(hand, "hand.parquet")
    write_spark(hand, "hand_spark.parquet")
    events = sample()
    with open(OUT("sample.jsonl.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            for e in events:
                f.write((json.dumps(e, separators=(",", ":")) + "\n").encode())
    write_parquet(events, "sample.parquet")
    print("pyarrow", pa.__version__, "events", len(events))


if __name__ == "__main__":
    main()
