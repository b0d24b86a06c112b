//! Raw event exports as analysts get them (issue 27): UTM columns, event
//! names, anonymous visitors, reloaded thank-you pages, bad rows anywhere
//! in a file of many chunks; and the inputs that leave nothing to attribute.

use super::*;

/// (exit code, stdout, stderr) of `mta ARGS`.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = mta().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A tiny seeded generator (splitmix64), so that the export is the same in every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A raw event export in time order (`SHOP`'s columns) of about `bytes`
/// bytes: page views, carts and purchases of `customers` customers, one row
/// in 250 without a customer id, one purchase in eight reloaded (the same
/// order id a minute later). Every `bad_every`-th row past `bad_from` bytes
/// gets a bad revenue or timestamp. Returns the text and the lines of the
/// bad rows (1-based, header = line 1).
fn raw_export(bytes: usize, customers: u64, bad_from: usize, bad_every: usize, seed: u64) -> (String, Vec<u64>) {
    const SOURCES: [&str; 6] = [
        "google,cpc,brand",
        "google,organic,",
        "newsletter,email,sept",
        "facebook,paid_social,retarget",
        "(direct),(none),",
        "chatgpt.com,referral,",
    ];
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(bytes + 4096);
    out.push_str("customer_id,timestamp,event_type,utm_source,utm_medium,utm_campaign,revenue,order_id\n");
    let (mut line, mut bad, mut since_bad, mut order) = (1u64, Vec::new(), 0usize, 0u64);
    let mut seconds = 0u64;
    while out.len() < bytes {
        seconds += rng.below(3);
        let (day, rest) = (seconds / 86_400, seconds % 86_400);
        let time = format!(
            "2026-09-{:02} {:02}:{:02}:{:02}",
            1 + day % 28,
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        );
        let customer = match rng.below(250) {
            0 => String::new(),
            _ => format!("c{:05}", rng.below(customers)),
        };
        let source = SOURCES[rng.below(SOURCES.len() as u64) as usize];
        let kind = rng.below(100);
        let mut rows = Vec::new();
        match kind {
            0..=2 => {
                order += 1;
                let revenue = format!("{}.{:02}", 20 + rng.below(300), rng.below(100));
                rows.push(format!("{customer},{time},purchase,{source},{revenue},o{order}"));
                if rng.below(8) == 0 {
                    rows.push(format!("{customer},{time},purchase,{source},{revenue},o{order}"));
                }
            }
            3..=10 => rows.push(format!("{customer},{time},add_to_cart,{source},,")),
            _ => rows.push(format!("{customer},{time},page_view,{source},,")),
        }
        for mut row in rows {
            since_bad += 1;
            if out.len() >= bad_from && since_bad >= bad_every {
                since_bad = 0;
                row = match rng.below(2) {
                    0 => format!("c00001,{time},purchase,{source},zwölf,o-bad{line}"),
                    _ => format!("c00001,2026-09-31 10:00:00,page_view,{source},,"),
                };
                bad.push(line + 1);
            }
            out.push_str(&row);
            out.push('\n');
            line += 1;
        }
    }
    (out, bad)
}

/// `mta` reading CSV in chunks of the default size, whatever the test run
/// says (`MTA_CSV_CHUNK_BYTES=100` over 30 MiB would be 300,000 chunks).
fn mta_default_chunks() -> Command {
    let mut c = mta();
    c.env_remove("MTA_CSV_CHUNK_BYTES");
    c
}

#[test]
fn a_bad_row_past_the_first_chunk_is_skipped_and_counted_not_a_crash() {
    // The crash: a row skipped in any chunk but the first panicked (event
    // rows, `--on-error skip`), in `attribute` and `scorecard`. 30 MiB, so
    // that bad rows lie in several chunks after the first (2 MiB, then 8).
    let f = Fixture::new();
    let (text, bad) = raw_export(30 << 20, 20_000, 3 << 20, 40_000, 27);
    assert!(text.len() >= 30 << 20);
    let export = f.file("events.csv", &text);
    assert!(bad.len() >= 8, "{}", bad.len());
    let rejects = f.path("rejects.csv");
    for command in ["attribute", "scorecard"] {
        let out = mta_default_chunks()
            .arg(command)
            .arg(&export)
            .args(SHOP_FLAGS)
            .args(["--order-col", "order_id", "--on-error", "skip", "--format", "json", "--rejects"])
            .arg(&rejects)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command}: {stderr}");
        assert!(stderr.contains(&format!("skipped {} bad rows (", bad.len())), "{command}: {stderr}");
        let lines: Vec<u64> = std::fs::read_to_string(&rejects)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines, bad, "{command}: the rejects name each bad row's line");
        if command == "attribute" {
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let input = &json["input"];
            let n = |k: &str| input[k].as_u64().unwrap();
            assert_eq!(n("rows_skipped"), bad.len() as u64);
            assert!(n("rows_anonymous") > 0 && n("repeated_orders") > 0, "{input}");
            assert_eq!(
                n("rows_read"),
                n("rows_used") + n("rows_skipped") + n("rows_anonymous") + n("repeated_orders")
            );
        }
    }
    // Stopping: the first bad row, past the first chunk, by its line.
    let out = mta_default_chunks()
        .arg("attribute")
        .arg(&export)
        .args(SHOP_FLAGS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(names_a_bad_line(&stderr, &export.display().to_string(), &bad), "{stderr}");
}

/// Whether `stderr` is the error of a bad cell of `file` on one of the
/// `bad` lines (columns are converted one after the other, so the first
/// bad cell found in a chunk need not be on its first bad row).
fn names_a_bad_line(stderr: &str, file: &str, bad: &[u64]) -> bool {
    bad.iter()
        .any(|l| stderr.starts_with(&format!("error: `{file}` line {l}, column `")))
}

#[test]
fn every_subcommand_skips_or_stops_at_bad_rows_in_later_chunks() {
    let f = Fixture::new();
    // 2 KiB chunks: the bad rows, past 40 KB, are in the 20th chunk and on.
    let (text, bad) = raw_export(60_000, 40, 40_000, 60, 5);
    assert!(bad.len() >= 3, "{}", bad.len());
    let export = f.file("events.csv", &text);
    let costs = f.file("costs.csv", "channel,spend\nPaid Search,500\nEmail,100\nPaid Social,200\n");
    let export = export.to_str().unwrap();
    let costs = costs.to_str().unwrap();
    let html = f.path("report.html");
    let html = html.to_str().unwrap();
    let commands: [&[&str]; 9] = [
        &["attribute", export],
        &["attribute", export, "--per-conversion"],
        &["budget", export, "--costs", costs],
        &["report", export, "--costs", costs, "-o", html],
        &["scorecard", export],
        &["journeys", export],
        &["paths", export],
        &["markov", export],
        &["channels", export],
    ];
    for args in commands {
        let skip = mta()
            .env("MTA_CSV_CHUNK_BYTES", "2048")
            .args(args)
            .args(SHOP_FLAGS)
            .args(["--order-col", "order_id", "--on-error", "skip"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&skip.stderr);
        assert_eq!(skip.status.code(), Some(0), "{args:?}: {stderr}");
        if args[0] != "channels" {
            assert!(stderr.contains(&format!("skipped {} bad rows (", bad.len())), "{args:?}: {stderr}");
        }
        let stop = mta()
            .env("MTA_CSV_CHUNK_BYTES", "2048")
            .args(args)
            .args(SHOP_FLAGS)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&stop.stderr);
        assert_eq!(stop.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stop.stdout.is_empty(), "{args:?}");
        assert!(names_a_bad_line(&stderr, export, &bad), "{args:?}: {stderr}");
    }
}

/// The JSON report of `mta attribute ARGS`.
fn json(args: &[&str]) -> serde_json::Value {
    let out = stdout_of(&[&["attribute"], args, &["--format", "json"]].concat());
    serde_json::from_str(&out).unwrap()
}

/// The report without its input block.
fn credits(json: &serde_json::Value) -> serde_json::Value {
    let mut v = json.clone();
    v.as_object_mut().unwrap().remove("input");
    v
}

#[test]
fn rows_without_a_customer_id_are_left_out_and_counted() {
    let all = json(&[&[SHOP][..], &SHOP_FLAGS, &["--order-col", "order_id"]].concat());
    let input = &all["input"];
    assert_eq!(input["rows_read"], 22);
    assert_eq!(input["rows_anonymous"], 2);
    assert_eq!(input["files"][0]["anonymous"], 2);
    // The anonymous purchase (55.00) is not a conversion of anybody.
    assert_eq!(
        (&input["anonymous_conversions"], &input["anonymous_value"]),
        (&1.into(), &55.0.into())
    );
    assert_eq!(input["conversions"], 4.0);
    assert_eq!(input["revenue"], 435.0);
    assert_eq!(input["rows_used"], 22 - 2 - 1);
    // The same as the file without those rows.
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("shop_events.csv")).unwrap();
    let named: String = text.lines().filter(|l| !l.starts_with(',')).map(|l| format!("{l}\n")).collect();
    let p = f.file("named.csv", named);
    let without = json(&[&[p.to_str().unwrap()][..], &SHOP_FLAGS, &["--order-col", "order_id"]].concat());
    assert_eq!(credits(&all), credits(&without));
    let (code, _, stderr) = run(&[&["attribute", SHOP][..], &SHOP_FLAGS].concat());
    assert_eq!(code, 0);
    assert!(
        stderr.contains(
            "\nleft out 2 rows without a customer id (visitors not yet identified); 1 of them a conversion (revenue 55.00), not counted\n"
        ),
        "{stderr}"
    );
}

#[test]
fn a_repeated_order_counts_once_at_its_first_time_whatever_the_row_order() {
    let with = json(&[&[SHOP][..], &SHOP_FLAGS, &["--order-col", "order_id", "--models", "last-click"]].concat());
    let without = json(&[&[SHOP][..], &SHOP_FLAGS, &["--models", "last-click"]].concat());
    // Anna's reloaded thank-you page (A-1001 again, a minute later) is a
    // fifth purchase without `--order-col`, with no touch of its own.
    assert_eq!(with["input"]["repeated_orders"], 1);
    assert_eq!(
        (&with["input"]["conversions"], &with["input"]["revenue"]),
        (&4.0.into(), &435.0.into())
    );
    assert_eq!(without["input"]["conversions_read"], 5.0);
    assert_eq!(without["input"]["unattributed_conversions"], 1);
    // Rows reversed (and so the repeat first in the file): the same result.
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("shop_events.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let p = f.file("reversed.csv", lines.join("\n") + "\n");
    let reversed = json(
        &[
            &[p.to_str().unwrap()][..],
            &SHOP_FLAGS,
            &["--order-col", "order_id", "--models", "last-click"],
        ]
        .concat(),
    );
    assert_eq!(credits(&with), credits(&reversed));
    // In a conversions file too: a repeat of the same order is not counted.
    let touches = f.file("t.csv", "customer_id,timestamp,channel\na,2026-01-01,Email\nb,2026-01-01,Search\n");
    let conversions = f.file(
        "c.csv",
        "customer_id,timestamp,value,order_id\na,2026-01-02T10:00:00Z,10,o1\na,2026-01-02T10:01:00Z,10,o1\nb,2026-01-03,7,o2\n",
    );
    let c = json(&[
        touches.to_str().unwrap(),
        "--conversions",
        conversions.to_str().unwrap(),
        "--order-col",
        "order_id",
        "--models",
        "last-click",
    ]);
    assert_eq!((&c["input"]["conversions"], &c["input"]["revenue"]), (&2.0.into(), &17.0.into()));
    assert_eq!(c["input"]["repeated_orders"], 1);
}

#[test]
fn utm_columns_stand_in_for_source_medium_and_campaign() {
    let (code, out, stderr) = run(&[&["attribute", SHOP, "--format", "csv", "--models", "last-click"][..], &SHOP_FLAGS].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("channels come from `utm_source` and `utm_medium` by GA4's default channel group"),
        "{stderr}"
    );
    // By GA4's rules: google/cpc is Paid Search, chatgpt.com/referral AI Assistant.
    let rows = parse_csv(out.as_bytes());
    assert_eq!(rows[&("last-click".to_string(), "AI Assistant".to_string())].conversions, 1.0);
    assert_eq!(rows[&("last-click".to_string(), "Paid Search".to_string())].conversions, 2.0);
    // A flag names the columns itself: then no stand-in.
    let (code, _, stderr) = run(&[&["attribute", SHOP, "--source-col", "utm_source"][..], &SHOP_FLAGS].concat());
    assert_eq!(code, 1);
    assert!(stderr.contains("column `channel` not found"), "{stderr}");
}

#[test]
fn a_revenue_column_under_another_name_is_pointed_at() {
    let flags = ["--event-col", "event_type", "--conversion-events", "purchase"];
    let (code, _, stderr) = run(&[&["attribute", SHOP, "--format", "csv"][..], &flags].concat());
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning: `testdata/shop_events.csv` has no `value` column, so every conversion's revenue is 0; its column `revenue` looks like revenue: pass `--value-col revenue`"),
        "{stderr}"
    );
    for name in ["Umsatz", "AMOUNT", "conversion_value", "purchase_revenue"] {
        let f = Fixture::new();
        let p = f.file(
            "c.csv",
            format!("customer_id,timestamp,channel,conversion,{name}\na,2026-01-01,Email,1,10\n"),
        );
        let (_, _, stderr) = run(&["attribute", p.to_str().unwrap()]);
        assert!(stderr.contains(&format!("pass `--value-col {name}`")), "{stderr}");
    }
    // Not when the value column is there.
    let (_, _, stderr) = run(&["attribute", "testdata/events.csv"]);
    assert!(!stderr.contains("looks like revenue"), "{stderr}");
}

#[test]
fn results_that_mean_nothing_are_errors_that_say_what_would_help() {
    let nothing = |args: &[&str]| {
        let (code, out, stderr) = run(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(out.is_empty(), "{args:?}: stdout must stay empty");
        stderr
    };
    // A misspelt conversion event: the values found, the closest named.
    let err = nothing(&["attribute", SHOP, "--event-col", "event_type", "--conversion-events", "purchases"]);
    assert_eq!(
        err,
        "error: no row is a conversion: `--conversion-events purchases` matches none of the values of column `event_type`\n\nhint: column `event_type` holds `page_view` (14), `purchase` (5), `add_to_cart` (1); did you mean `purchase`? (`--conversion-events purchase`)\n"
    );
    // No flag set in a conversion column.
    let f = Fixture::new();
    let p = f.file("none.csv", "customer_id,timestamp,channel,conversion\na,2026-01-01,Email,0\n");
    let err = nothing(&["attribute", p.to_str().unwrap()]);
    assert!(
        err.starts_with("error: no row is a conversion: column `conversion` is never `1`, `true` or `yes`"),
        "{err}"
    );
    // Every row skipped.
    let p = f.file(
        "bad.csv",
        "customer_id,timestamp,channel,conversion\na,never,Email,1\nb,2026-13-01,Email,1\n",
    );
    let err = nothing(&["attribute", p.to_str().unwrap(), "--on-error", "skip"]);
    assert!(
        err.starts_with("error: no row is left to attribute: all 2 rows read were left out (2 skipped as bad (2 invalid timestamp))"),
        "{err}"
    );
    // A period without conversions: the data's dates are named.
    let err = nothing(&[&["attribute", SHOP, "--from", "2026-10-01"][..], &SHOP_FLAGS].concat());
    assert_eq!(
        err,
        "error: the period of `--from`/`--to` holds none of the 5 conversions\n\nhint: the data's conversions run from 2026-09-02 to 2026-09-05 (dates in `--timezone`); `--to` is exclusive\n"
    );
    // Every subcommand that credits or exports journeys says the same.
    let costs = f.file("costs.csv", "channel,spend\nPaid Search,500\n");
    for command in ["scorecard", "budget", "journeys", "paths", "markov", "report"] {
        let mut args = vec![command, SHOP, "--event-col", "event_type", "--conversion-events", "purchases"];
        if command == "budget" || command == "report" {
            args.extend(["--costs", costs.to_str().unwrap()]);
        }
        let err = nothing(&args);
        assert!(err.starts_with("error: no row is a conversion:"), "{command}: {err}");
    }
}

#[test]
fn a_session_gap_makes_one_touch_per_visit() {
    let out = stdout_of(
        &[
            &["attribute", SHOP, "--order-col", "order_id", "--session-gap", "30m"][..],
            &SHOP_FLAGS,
            &["--models", "last-click,linear", "--format", "csv", "-q"],
        ]
        .concat(),
    );
    let rows = parse_csv(out.as_bytes());
    let get = |m: &str, c: &str| rows.get(&(m.to_string(), c.to_string())).map_or(0.0, |r| r.conversions);
    // By hand (testdata/README.md): anna's three Paid Search rows are one
    // visit, her two Email rows another: [Paid Search, Email]. ben's Direct
    // rows at 9:00 and 9:20 are one visit, 9:55 (35 minutes on) a second:
    // [Direct, Direct, AI Assistant]. carla's first purchase closes
    // [Paid Social, Organic Search, Paid Social, Paid Search]; her view at
    // 8:20 is 10 minutes after that purchase, so it continues that visit
    // and her second purchase (8:25) has no touch of its own.
    for (channel, linear) in [
        ("Paid Search", 0.5 + 0.25),
        ("Email", 0.5),
        ("Direct", 2.0 / 3.0),
        ("AI Assistant", 1.0 / 3.0),
        ("Paid Social", 0.5),
        ("Organic Search", 0.25),
    ] {
        assert_close(get("linear", channel), linear, channel);
    }
    for (channel, last) in [("Email", 1.0), ("AI Assistant", 1.0), ("Paid Search", 1.0), ("Direct", 0.0)] {
        assert_eq!(get("last-click", channel), last, "{channel}");
    }
    let doc = json(&[&[SHOP][..], &SHOP_FLAGS, &["--order-col", "order_id", "--session-gap", "30m"]].concat());
    let input = &doc["input"];
    assert_eq!((&input["merged_into_visits"], &input["touches"]), (&5.into(), &10.into()));
    assert_eq!(
        (&input["conversions"], &input["unattributed_conversions"]),
        (&3.0.into(), &1.into())
    );
    let (_, _, stderr) = run(&[&["attribute", SHOP, "--session-gap", "30m"][..], &SHOP_FLAGS].concat());
    assert!(
        stderr.contains("\nsession gap: merged 5 rows into the first touch of their visit (10 touches in journeys)\n"),
        "{stderr}"
    );
    // Row order changes nothing; the scorecard sees visits.
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("shop_events.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let reversed = f.file("reversed.csv", lines.join("\n") + "\n");
    let args = |file: &str| {
        stdout_of(
            &[
                &["attribute", file, "--session-gap", "30m", "--format", "csv", "-q"][..],
                &SHOP_FLAGS,
            ]
            .concat(),
        )
    };
    assert_eq!(args(SHOP), args(reversed.to_str().unwrap()));
}

#[test]
fn a_session_gap_needs_raw_rows() {
    let (code, _, stderr) = run(&["attribute", "--paths", "testdata/paths.csv", "--session-gap", "30m"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`--session-gap` needs touch timestamps"), "{stderr}");
    let (code, _, stderr) = run(&["attribute", "--ga4", "testdata/ga4/hand.jsonl", "--session-gap", "30m"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("a GA4 export's touches are its sessions already"), "{stderr}");
    // `mta sql` writes the visits as a step; `--order-col` it refuses.
    let q = stdout_of(&[
        "sql",
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "paths",
        "--session-gap",
        "30m",
    ]);
    assert!(
        q.contains("mta_visits AS (") && q.contains("AND t - prev_t < 1800000 THEN 0 ELSE is_touch END AS is_touch"),
        "{q}"
    );
    let (code, _, stderr) = run(&[
        "sql",
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "paths",
        "--order-col",
        "o",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: `--order-col`: not for `mta sql`"), "{stderr}");
}

#[test]
fn a_ga4_export_without_ga4_says_to_pass_it() {
    for file in ["testdata/ga4/hand.jsonl", "testdata/ga4/sample.jsonl.gz"] {
        let (code, out, stderr) = run(&["attribute", file]);
        assert_eq!((code, out.as_str()), (2, ""), "{file}");
        assert_eq!(
            stderr,
            format!(
                "error: `{file}` is a GA4 BigQuery export (JSON with `event_name`, `user_pseudo_id`, `event_params`), not CSV\n\nhint: read it with `--ga4 {file}`: sessions become the touches and `--conversion-events` (default `purchase`) the conversions\n"
            )
        );
    }
    // As Parquet its columns are read: the missing column's hint says `--ga4`.
    let (code, _, stderr) = run(&["scorecard", "testdata/ga4/hand.parquet"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("hint: `testdata/ga4/hand.parquet` is a GA4 BigQuery export (`event_name`, `user_pseudo_id`, `event_params`): read it with `--ga4 testdata/ga4/hand.parquet`"),
        "{stderr}"
    );
    // Other JSON is not taken for CSV either.
    let f = Fixture::new();
    let p = f.file("rows.json", "[{\"customer_id\": \"a\"}]\n");
    let (code, _, stderr) = run(&["attribute", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds JSON, not CSV or Parquet"), "{stderr}");
}

#[test]
fn smaller_things_an_analyst_meets() {
    // A date that is not ISO 8601: the pattern that reads it is named.
    let f = Fixture::new();
    let p = f.file("de.csv", "customer_id,timestamp,channel,conversion\na,01.09.2026 00:09,Email,1\n");
    let (code, _, stderr) = run(&["attribute", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with("found `01.09.2026 00:09`, expected an ISO 8601 timestamp such as `2025-01-31T09:30:00Z`, `2025-01-31 09:30:00` or `2025-01-31`; this value reads with `--time-format '%d.%m.%Y %H:%M'`\n"),
        "{stderr}"
    );
    // The costs' dates name their own flag.
    let costs = f.file("costs.csv", "date,channel,spend\n01.09.2026,Email,5\n");
    let (code, _, stderr) = run(&[&["attribute", SHOP, "--costs", costs.to_str().unwrap()][..], &SHOP_FLAGS].concat());
    assert_eq!(code, 1);
    assert!(stderr.contains("this value reads with `--cost-date-format '%d.%m.%Y'`"), "{stderr}");
    // Shapley's negative credit names the channel: with A alone 10 of 10
    // convert, with B beside it 1 of 10, so B's Shapley value in {A, B} is
    // (0 + 0.1 - 1) / 2 = -0.45 of a rate of 0.1: -4.5 conversions.
    let paths = f.file("neg.csv", "path,total_conversions,total_null\nA,10,0\nA > B,1,9\n");
    let (code, _, stderr) = run(&["attribute", "--paths", paths.to_str().unwrap(), "--models", "shapley"]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning: shapley: 1 channel has negative credit (kept: clipping would break efficiency): B (-4.50); it lowers the conversion rate of the coalitions it joins\n"),
        "{stderr}"
    );
}
