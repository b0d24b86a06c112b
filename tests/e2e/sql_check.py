"""Runs the queries of `mta sql` on real engines and compares their results
with mta's own on the same data (called by tests/e2e/sql.sh).

For every case (a data set and journey flags): `--output paths` must give
the same multiset of rows as `mta paths` (revenue to 1e-6, as `mta paths`
prints six decimals), and `--output credits` the same figures as `mta
attribute --format json` for the nine rule-based models (to 1e-9), and
`--output transitions` the chain of `mta markov` with the Markov credits of
the events through `mta attribute --transitions` (to 1e-9).

    python sql_check.py MTA WORKDIR ENGINE...
        ENGINE: duckdb, spark, postgres, or bigquery / snowflake (parsed
        with sqlglot in that dialect, transpiled to DuckDB and run there)
"""

import csv
import io
import json
import math
import subprocess
import sys
import time

MTA, WORK, ENGINES = sys.argv[1], sys.argv[2], sys.argv[3:]
RULE_MODELS = "first-click,last-click,last-non-direct,linear,position-based,j-shaped,inverse-j,time-decay,participation"


# mta's own results on the same data do not depend on the engine: run once.
MEMO = {}


def mta(*args):
    key = None if any("engine-" in a for a in args) else args
    if key in MEMO:
        return MEMO[key]
    done = subprocess.run([MTA, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mta {' '.join(args)} failed: {done.stderr}")
    if key is not None:
        MEMO[key] = done.stdout
    return done.stdout


def columns(path):
    """The CSV's header, each column with its SQL type (by name)."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    kinds = {"timestamp": "timestamp", "value": "double", "conversion": "int"}
    return [(c, kinds.get(c, "text")) for c in header]


class DuckDB:
    name = "duckdb"

    def __init__(self):
        import duckdb

        self.db = duckdb.connect()
        self.db.execute("SET TimeZone = 'UTC'")

    def load(self, table, path):
        if path.endswith(".parquet"):
            self.db.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet('{path}')")
            return
        types = {"timestamp": "TIMESTAMPTZ", "double": "DOUBLE", "int": "INTEGER", "text": "VARCHAR"}
        spec = ", ".join(f"'{c}': '{types[k]}'" for c, k in columns(path))
        self.db.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, columns = {{{spec}}})")

    def run(self, sql):
        cur = self.db.execute(sql)
        cols = [c[0] for c in cur.description]
        return cols, cur.fetchall()


class Transpiled(DuckDB):
    """BigQuery or Snowflake, which do not run here: the query must parse in
    its dialect (sqlglot), and transpiled to DuckDB it must give mta's rows."""

    def __init__(self, dialect):
        super().__init__()
        self.name = dialect

    def run(self, sql):
        import sqlglot

        trees = sqlglot.parse(sql, read=self.name)
        assert len(trees) == 1, f"{len(trees)} statements"
        return super().run(trees[0].sql(dialect="duckdb"))


class Spark:
    name = "spark"

    def __init__(self):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, table, path):
        if path.endswith(".parquet"):
            self.spark.read.parquet(path).createOrReplaceTempView(table)
            return
        types = {"timestamp": "TIMESTAMP", "double": "DOUBLE", "int": "INT", "text": "STRING"}
        schema = ", ".join(f"`{c}` {types[k]}" for c, k in columns(path))
        self.spark.read.csv(path, header=True, schema=schema).createOrReplaceTempView(table)

    def run(self, sql):
        df = self.spark.sql(sql.strip().rstrip(";"))
        return df.columns, [tuple(r) for r in df.collect()]


class Postgres:
    """A server of Debian's postgresql package, started by tests/e2e/sql.sh
    (PGHOST, PGPORT in the environment); driven through psql."""

    name = "postgres"

    def psql(self, *args, stdin=None):
        done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", *args], input=stdin, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"psql: {done.stderr}")
        return done.stdout

    def load(self, table, path):
        types = {"timestamp": "TIMESTAMPTZ", "double": "DOUBLE PRECISION", "int": "INTEGER", "text": "TEXT"}
        cols = ", ".join(f'"{c}" {types[k]}' for c, k in columns(path))
        self.psql("-c", f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({cols})")
        with open(path) as f:
            self.psql("-c", f"\\copy {table} FROM STDIN WITH (FORMAT csv, HEADER true)", stdin=f.read())
        # Statistics, as a real table has them (without, the planner picks nested loops).
        self.psql("-c", f"ANALYZE {table}")

    def run(self, sql):
        out = list(csv.reader(io.StringIO(self.psql("--csv", stdin="SET TIME ZONE 'UTC';\n" + sql))))
        cols, rows = out[0], out[1:]
        # psql prints text: the figures back to numbers.
        text = 2 if cols[0] in ("model", "from") else 1
        return cols, [tuple(r[:text]) + tuple(float(v) for v in r[text:]) for r in rows]


def close(a, b, tol):
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def check_paths(engine, case, flags, tables):
    sql = mta("sql", "--dialect", engine.name, "--output", "paths", *tables, *flags)
    cols, rows = engine.run(sql)
    assert cols == ["path", "total_conversions", "total_conversion_value", "total_null"], cols
    want = list(csv.reader(io.StringIO(mta("paths", *case["files"], *flags, "--format", "csv", "-q"))))[1:]
    # The pipeline of the README: the engine's paths into `mta attribute
    # --paths` give the data-driven models the credits of the events.
    paths_csv = f"{WORK}/engine-paths.csv"
    with open(paths_csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(cols)
        out.writerows((r[0], repr(r[1]), repr(float(r[2])), repr(r[3])) for r in rows)
    if rows:
        models = ["--models", "markov,shapley,linear", "--format", "json", "-q"]
        from_paths = json.loads(mta("attribute", "--paths", paths_csv, *models))
        from_events = json.loads(mta("attribute", *case["files"], *flags, *models))
        for a, b in zip(from_paths["models"], from_events["models"]):
            # A channel only in journeys without a path (unattributed, out of
            # the period) is absent from the paths: its credit must be 0.
            x = {c["channel"]: c for c in a["credits"]}
            zero = {"conversions": 0.0, "value": 0.0}
            for y in b["credits"]:
                got = x.pop(y["channel"], zero)
                if not all(close(got[k], y[k], 1e-9) for k in ("conversions", "value")):
                    raise AssertionError(f"{a['model']} from the engine's paths {got} != from the events {y}")
            if x:
                raise AssertionError(f"channels only in the engine's paths: {list(x)}")
    got = sorted((r[0], float(r[1]), float(r[2]), float(r[3])) for r in rows)
    want = sorted((r[0], float(r[1]), float(r[2]), float(r[3])) for r in want)
    if len(got) != len(want):
        raise AssertionError(f"{len(got)} path rows, mta paths has {len(want)}")
    for g, w in zip(got, want):
        if g[0] != w[0] or not all(close(a, b, 1e-6) for a, b in zip(g[1:], w[1:])):
            raise AssertionError(f"path row {g} != mta's {w}")
    return len(got)


def check_credits(engine, case, flags, tables):
    flags = flags + case.get("models", [])
    sql = mta("sql", "--dialect", engine.name, "--output", "credits", *tables, *flags)
    cols, rows = engine.run(sql)
    assert cols == ["model", "channel", "conversions", "value", "share"], cols
    doc = json.loads(mta("attribute", *case["files"], *flags, "--models", RULE_MODELS, "--format", "json", "-q"))
    want = [
        (m["model"], c["channel"], c["conversions"], c["value"], c["share"])
        for m in doc["models"]
        for c in m["credits"]
    ]
    if [(r[0], r[1]) for r in rows] != [(w[0], w[1]) for w in want]:
        raise AssertionError(f"rows differ: {[(r[0], r[1]) for r in rows][:20]} vs {[(w[0], w[1]) for w in want][:20]}")
    for g, w in zip(rows, want):
        if not all(close(a, b, 1e-9) for a, b in zip(g[2:], w[2:])):
            raise AssertionError(f"credit {g} != mta's {w}")
    return len(rows)


def check_transitions(engine, case, flags, tables, order, repeats):
    """The engine's chain is mta's (`mta markov --transitions`), and
    `mta attribute --transitions` on it gives the Markov credits of the events."""
    chain = ["--markov-order", str(order)] + (["--keep-repeats"] if repeats else [])
    sql = mta("sql", "--dialect", engine.name, "--output", "transitions", *tables, *flags, *chain)
    cols, rows = engine.run(sql)
    assert cols == ["from", "to", "count", "value"], cols
    doc = json.loads(mta("markov", *case["files"], *flags, *chain, "--format", "json", "-q"))
    want = sorted((t["from"], t["to"], t["count"]) for t in doc["transitions"])
    got = sorted((r[0], r[1], float(r[2])) for r in rows)
    if [g[:2] for g in got] != [w[:2] for w in want]:
        raise AssertionError(f"transitions differ: {got[:12]} vs mta's {want[:12]}")
    for g, w in zip(got, want):
        if not close(g[2], w[2], 1e-9):
            raise AssertionError(f"transition {g} != mta's {w}")
    if not rows:
        return 0
    path = f"{WORK}/engine-transitions.csv"
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(cols)
        out.writerows((r[0], r[1], repr(float(r[2])), repr(float(r[3]))) for r in rows)
    fmt = ["--format", "json", "-q"]
    from_chain = json.loads(mta("attribute", "--transitions", path, *chain, *fmt))["models"][0]
    from_events = json.loads(mta("attribute", *case["files"], *flags, "--models", "markov", *chain, *fmt))["models"][0]
    x = {c["channel"]: c for c in from_chain["credits"]}
    for y in from_events["credits"]:
        got = x.pop(y["channel"], {"conversions": 0.0, "value": 0.0})
        if not all(close(got[k], y[k], 1e-9) for k in ("conversions", "value")):
            raise AssertionError(f"markov from the engine's transitions {got} != from the events {y}")
    if x:
        raise AssertionError(f"channels only in the engine's transitions: {list(x)}")
    return len(rows)


# Source / medium / campaign triples at the edges of GA4's rules: each is
# one customer's single converting touch with revenue 2^k, so each path's
# revenue says exactly which triples got that channel.
EDGE_TRIPLES = [
    ("(direct)", "(none)", ""), ("(direct)", "(not set)", ""), ("", "", ""),
    ("newsletter", "email", "Summer cross-network push"), ("amazon", "cpc", ""), ("partner", "ppc", "Spring-Shop"),
    ("partner", "ppc", "eshop-deals"), ("partner", "cpc", "bshop"), ("partner", "cpc", "shopping"), ("google", "cpc", "brand"),
    ("www.bing.com", "paid-search", ""), ("WWW.Facebook.com", " Paid_Social ", ""), ("youtube.com", "cpv", ""),
    ("x", "display", ""), ("x", "CPM", ""), ("x", "retargeting", ""), ("chatgpt.com", "referral", ""),
    ("x", "ai-assistant", ""), ("www.etsy.com", "referral", ""), ("x", "", "shopping_spree"), ("instagram", "referral", ""),
    ("x", "social media", ""), ("vimeo", "x", ""), ("x", "instream-video", ""), ("duckduckgo", "x", ""),
    ("x", "organic", ""), ("x", "app", ""), ("crm", "E-Mail", ""), ("e mail", "x", ""), ("x", "affiliate", ""),
    ("x", "audio", ""), ("sms", "x", ""), ("x", "web-push", ""), ("x", "mobile-banner", ""), ("firebase", "x", ""),
    ("unknown", "unknown", ""), ("Ünïcode", "Ümedium", ""), ("www.", "x", ""), ("www.www.google.com", "cpc", ""),
]


def edge_file(path):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["customer_id", "timestamp", "source", "medium", "campaign", "conversion", "value"])
        for k, (src, med, camp) in enumerate(EDGE_TRIPLES):
            out.writerow([f"c{k:02d}", "2025-03-01T10:00:00Z", src, med, camp, 1, 2**k])
    return path


# A rules file (`--channel-rules FILE`): regular expressions on the whole
# value, case-insensitive, first match wins; a quote in a channel name, a
# backslash in a pattern, a rule without conditions.
RULES = r"""channel,source,medium,campaign
Brand Search,google|bing,cpc,brand.*
Paid Search,(google|bing|www\.bing\.com)(\.com)?,cpc|ppc|paid-search,
Newsletter,,e[-_ ]?mail,
Bob's Partners,.*\.example,referral,
Bob's Partners,partner|coupons,affiliate,
Social,(t\.co|facebook|instagram)(\.com)?,,
Shop,,,.*shop.*
"""


def rules_file(path, catch_all):
    with open(path, "w") as f:
        f.write(RULES + ("Everything else,,,\n" if catch_all else ""))
    return path


def typed_files(gen):
    """Conversion types on the generated data: a `conversion_type` column on
    every row (read on conversions only; trimmed, case-insensitive, empty is
    `(not set)`), the same on the conversions file, and an event-level file
    whose conversions are events (a purchase's channel often empty)."""
    with open(f"{gen}/events.csv") as f:
        header, *body = list(csv.reader(f))
    types = ["purchase", "Lead", " sign_up ", ""]
    with open(f"{gen}/events-typed.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header + ["conversion_type"])
        out.writerows(r + [types[k % 4]] for k, r in enumerate(body))
    with open(f"{gen}/events-named.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["customer_id", "timestamp", "channel", "event_name", "value"])
        for k, (customer, time, channel, conversion, value) in enumerate(body):
            if conversion == "1":
                event = ["purchase", "sign_up", "generate_lead"][k % 3]
                # Purchases, a conversion event in every case, often lack a channel.
                out.writerow([customer, time, "" if event == "purchase" and k % 2 else channel, event, value])
            else:
                out.writerow([customer, time, channel, ["page_view", "session_start"][k % 2], "5" if k % 7 == 0 else ""])
    with open(f"{gen}/conversions.csv") as f:
        header, *body = list(csv.reader(f))
    with open(f"{gen}/conversions-typed.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header + ["conversion_type"])
        out.writerows(r + [types[k % 4]] for k, r in enumerate(body))


def cases():
    t = "testdata"
    g = f"{WORK}/gen"
    ga4 = ["--channel-rules", "ga4"]
    edges = edge_file(f"{WORK}/edges-utm.csv")
    rules = rules_file(f"{WORK}/rules.csv", False)
    catch_all = rules_file(f"{WORK}/rules-all.csv", True)
    for flags, on_spark in [(["--channel-rules", rules], False), (["--channel-rules", f"{rules},ga4"], True)]:
        yield {"name": "GA4 rule edges", "files": [edges], "tables": {"events": edges}, "spark": on_spark}, flags
    yield {"name": "utm.csv", "files": [f"{t}/utm.csv"], "tables": {"events": f"{t}/utm.csv"}, "spark": False}, ["--channel-rules", f"{rules},ga4"]
    for flags in [["--channel-rules", catch_all], ["--channel-rules", f"{rules},ga4", "--exclude-channels", "Social"]]:
        yield {"name": "generated events-utm.csv", "files": [f"{g}/events-utm.csv"], "tables": {"events": f"{g}/events-utm.csv"}, "spark": False}, flags
    yield {"name": "GA4 rule edges", "files": [edges], "tables": {"events": edges}, "spark": False}, ga4
    yield {"name": "utm.csv", "files": [f"{t}/utm.csv"], "tables": {"events": f"{t}/utm.csv"}, "spark": False}, ga4
    for flags in [ga4, ga4 + ["--exclude-channels", "Direct", "--lookback", "14d"]]:
        yield {"name": "generated events-utm.csv", "files": [f"{g}/events-utm.csv"], "tables": {"events": f"{g}/events-utm.csv"}, "spark": False}, flags
    inline = [
        [],
        ["--lookback", "3d"],
        ["--max-touches", "2"],
        ["--from", "2025-01-10", "--to", "2025-01-20"],
        ["--exclude-channels", "direct"],
        ["--include-channels", "Email,Social", "--lookback", "10d"],
        ["--path-transform", "exposure"],
        ["--path-transform", "first", "--max-touches", "3"],
        ["--path-transform", "remove-if-not-all:Direct|Display"],
        ["--path-transform", "remove-if-last-and-not-all:Direct,exposure"],
    ]
    # Spark (slow to start each job) runs a case of each kind: marked `spark`.
    spark = [False, False, False, True, False, False, False, False, False, True]
    for flags, on_spark in zip(inline, spark):
        yield {"name": "events.csv", "files": [f"{t}/events.csv"], "tables": {"events": f"{t}/events.csv"}, "spark": on_spark}, flags
    # Model parameters (for `--output credits` only).
    yield {
        "name": "events.csv",
        "files": [f"{t}/events.csv"],
        "tables": {"events": f"{t}/events.csv"},
        "models": ["--half-life", "2d", "--position-weights", "0.3,0.3,0.4", "--direct-channel", "email"],
        "spark": False,
    }, []
    for flags in [[], ["--lookback", "7d", "--max-touches", "3"], ["--exclude-channels", "Email"]]:
        yield {
            "spark": flags == [],
            "name": "touchpoints.csv + conversions.csv",
            "files": [f"{t}/touchpoints.csv", "--conversions", f"{t}/conversions.csv"],
            "tables": {"events": f"{t}/touchpoints.csv", "conversions": f"{t}/conversions.csv"},
        }, flags
    for name in ["ties.csv", "lookback.csv"]:
        for flags in [[], ["--lookback", "1d"], ["--journey-mode", "window", "--lookback", "2d"]]:
            yield {"name": name, "files": [f"{t}/{name}"], "tables": {"events": f"{t}/{name}"}, "spark": False}, flags
    generated = [
        [],
        ["--lookback", "7d", "--max-touches", "4"],
        ["--from", "2025-02-01", "--to", "2025-04-01", "--lookback", "14d"],
        ["--exclude-channels", "Direct,Display"],
        ["--path-transform", "exposure,remove-if-last-and-not-all:Direct|Email", "--lookback", "30d"],
        ["--path-transform", "first,remove-if-not-all:Display"],
    ]
    for flags in generated:
        yield {"name": "generated events.csv", "files": [f"{g}/events.csv"], "tables": {"events": f"{g}/events.csv"}, "spark": flags == generated[1]}, flags
    # Window journeys (fractribution's and Snowplow's): each conversion's
    # lookback, shared touches across conversions.
    window = ["--journey-mode", "window"]
    for flags, on_spark in [
        (window + ["--lookback", "5d"], False),
        (window + ["--lookback", "10d", "--from", "2025-01-10", "--to", "2025-01-20"], False),
        (window + ["--lookback", "30d", "--exclude-channels", "Email", "--max-touches", "2"], False),
    ]:
        yield {"name": "events.csv", "files": [f"{t}/events.csv"], "tables": {"events": f"{t}/events.csv"}, "spark": on_spark}, flags
    for flags, on_spark in [
        (window + ["--lookback", "14d"], True),
        (window + ["--lookback", "30d", "--from", "2025-02-01", "--to", "2025-04-01", "--path-transform", "exposure"], False),
        (window + ["--lookback", "7d", "--include-channels", "Paid Search,Email,Social,Direct", "--max-touches", "3"], False),
    ]:
        yield {"name": "generated events.csv", "files": [f"{g}/events.csv"], "tables": {"events": f"{g}/events.csv"}, "spark": on_spark}, flags
    yield {
        "spark": False,
        "name": "generated touchpoints.csv + conversions.csv",
        "files": [f"{g}/touchpoints.csv", "--conversions", f"{g}/conversions.csv"],
        "tables": {"events": f"{g}/touchpoints.csv", "conversions": f"{g}/conversions.csv"},
    }, window + ["--lookback", "10d", "--from", "2025-03-01"]
    typed_files(g)
    typed = f"{g}/events-typed.csv"
    for flags, on_spark in [
        (["--conversion-types", "purchase,LEAD"], True),
        (["--conversion-types", "(not set)", "--lookback", "7d"], False),
        (["--type-col", "conversion_type", "--conversion-types", "sign_up", "--journey-mode", "window", "--lookback", "10d"], False),
    ]:
        yield {"name": "generated events-typed.csv", "files": [typed], "tables": {"events": typed}, "spark": on_spark}, flags
    yield {
        "spark": False,
        "name": "generated touchpoints.csv + conversions-typed.csv",
        "files": [f"{g}/touchpoints.csv", "--conversions", f"{g}/conversions-typed.csv"],
        "tables": {"events": f"{g}/touchpoints.csv", "conversions": f"{g}/conversions-typed.csv"},
    }, ["--conversion-types", "purchase,sign_up", "--max-touches", "3"]
    named = f"{g}/events-named.csv"
    for flags in [
        ["--conversion-events", "purchase,sign_up"],
        ["--conversion-events", "purchase,sign_up,generate_lead", "--conversion-types", "SIGN_UP,generate_lead", "--exclude-channels", "Email"],
        ["--conversion-events", "generate_lead,purchase", "--journey-mode", "window", "--lookback", "14d", "--from", "2025-02-01"],
    ]:
        yield {"name": "generated events-named.csv", "files": [named], "tables": {"events": named}, "spark": False}, flags
    # GA4 BigQuery exports (`--ga4`): the hand-checked export and the
    # generated sample, as Parquet.
    hand, sample = f"{t}/ga4/hand.parquet", f"{t}/ga4/sample.parquet"
    for flags, on_spark in [
        ([], False),
        (["--ga4-identity", "pseudo"], False),
        (["--conversion-events", "purchase,sign_up", "--conversion-types", "SIGN_UP"], False),
    ]:
        yield {"name": "ga4/hand.parquet", "ga4": True, "files": ["--ga4", hand], "tables": {"events": hand}, "spark": on_spark}, flags
    for flags, on_spark in [
        ([], True),
        (["--conversion-events", "purchase,sign_up", "--lookback", "7d"], False),
        (["--channel-rules", f"{rules},ga4", "--exclude-channels", "Direct"], False),
        (["--journey-mode", "window", "--lookback", "14d", "--from", "2026-03-05"], False),
    ]:
        yield {"name": "ga4/sample.parquet", "ga4": True, "files": ["--ga4", sample], "tables": {"events": sample}, "spark": on_spark}, flags
    # Raw rows: anonymous rows left out, visits (`--session-gap`), in each
    # of the three ways conversions come.
    shop = f"{t}/shop_events.csv"
    utm = ["--source-col", "utm_source", "--medium-col", "utm_medium", "--campaign-col", "utm_campaign", "--channel-rules", "ga4"]
    shop_flags = ["--event-col", "event_type", "--conversion-events", "purchase", "--value-col", "revenue"] + utm
    for flags, on_spark in [(shop_flags, False), (shop_flags + ["--session-gap", "30m"], True)]:
        yield {"name": "shop_events.csv", "files": [shop], "tables": {"events": shop}, "spark": on_spark}, flags
    for flags in [["--session-gap", "3d"], ["--session-gap", "2d", "--exclude-channels", "Email"], ["--session-gap", "5d", "--journey-mode", "window", "--lookback", "14d"]]:
        yield {"name": "generated events.csv", "files": [f"{g}/events.csv"], "tables": {"events": f"{g}/events.csv"}, "spark": False}, flags
    yield {
        "spark": False,
        "name": "generated touchpoints.csv + conversions.csv",
        "files": [f"{g}/touchpoints.csv", "--conversions", f"{g}/conversions.csv"],
        "tables": {"events": f"{g}/touchpoints.csv", "conversions": f"{g}/conversions.csv"},
    }, ["--session-gap", "2d"]
    yield {"name": "generated events-named.csv", "files": [named], "tables": {"events": named}, "spark": False}, ["--conversion-events", "purchase,sign_up", "--session-gap", "1d"]
    for flags in generated[:2]:
        yield {
            "spark": False,
            "name": "generated touchpoints.csv + conversions.csv",
            "files": [f"{g}/touchpoints.csv", "--conversions", f"{g}/conversions.csv"],
            "tables": {"events": f"{g}/touchpoints.csv", "conversions": f"{g}/conversions.csv"},
        }, flags


def main():
    engines = {
        "duckdb": DuckDB,
        "spark": Spark,
        "postgres": Postgres,
        "bigquery": lambda: Transpiled("bigquery"),
        "snowflake": lambda: Transpiled("snowflake"),
    }
    failures = 0
    for name in ENGINES:
        engine = engines[name]()
        started = time.time()
        n = 0
        for case, flags in cases():
            if name == "spark" and not case.get("spark", True):
                continue
            if name in ("postgres", "snowflake") and case.get("ga4"):
                continue  # GA4's nested export lives in BigQuery, or in files DuckDB and Spark read
            for table, path in case["tables"].items():
                engine.load(table, path)
            # A GA4 export is named by `--ga4`, as `attribute --ga4` names its files.
            tables = ["--ga4" if case.get("ga4") else "--table", "events"]
            if "conversions" in case["tables"]:
                tables += ["--conversions-table", "conversions"]
            label = f"{name}: {case['name']} {' '.join(flags + case.get('models', []))}".rstrip()
            try:
                t0 = time.time()
                p = check_paths(engine, case, flags, tables)
                c = check_credits(engine, case, flags, tables)
                # Orders 1 to 3 in turn, every fourth case with repeats kept.
                order, repeats = 1 + n % 3, n % 4 == 3
                r = check_transitions(engine, case, flags, tables, order, repeats)
                chain = f"order {order}{' with repeats' if repeats else ''}"
                print(f"ok   {label} ({p} path rows, {c} credit rows, {r} transitions at {chain}, {time.time() - t0:.1f} s)", flush=True)
            except AssertionError as e:
                failures += 1
                print(f"FAIL {label}: {e}", flush=True)
            n += 1
        print(f"{name}: {n} cases in {time.time() - started:.1f} s", flush=True)
    sys.exit(1 if failures else 0)


main()
