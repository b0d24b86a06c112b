//! `mta paths` and `mta journeys`: exact rows on the hand-checked sample,
//! the round trip events -> paths -> `attribute --paths` on generated data,
//! every output format, and their errors.

use std::collections::BTreeMap;

use predicates::prelude::*;

use super::*;

/// Every model that path input supports (all but time-decay).
const PATH_MODELS: &str = "first-click,last-click,last-non-direct,linear,position-based,markov";

/// `testdata/events.csv` aggregated by path (see testdata/README.md), rows by path text.
const EVENT_PATHS: &str = "path,total_conversions,total_conversion_value,total_null\n\
    Direct,1,45.000000,0\n\
    Display > Social > Email > Direct,1,90.000000,0\n\
    Email > Display,0,0.000000,1\n\
    Email > Email,1,30.000000,0\n\
    Paid Search > Email > Direct,1,120.000000,0\n\
    Social,0,0.000000,1\n\
    Social > Paid Search,1,60.000000,0\n";

/// The seven journeys of testdata/README.md, by customer then journey number.
const EVENT_JOURNEYS: &str = "customer_id,journey,path,touches,converted,value,first_touch_at,converted_at\n\
    alice,1,Paid Search > Email > Direct,3,true,120.000000,2025-01-01T09:00:00Z,2025-01-15T09:00:00Z\n\
    alice,2,Social,1,false,0.000000,2025-01-20T10:00:00Z,\n\
    bob,1,Social > Paid Search,2,true,60.000000,2025-01-02T08:00:00Z,2025-01-09T08:00:00Z\n\
    bob,2,Email > Email,2,true,30.000000,2025-01-11T09:00:00Z,2025-01-12T09:00:00Z\n\
    carol,1,Display > Social > Email > Direct,4,true,90.000000,2025-01-01T12:00:00Z,2025-01-22T12:00:00Z\n\
    dave,1,Email > Display,2,false,0.000000,2025-01-03T10:00:00Z,\n\
    erin,1,Direct,1,true,45.000000,2025-01-04T15:30:00Z,2025-01-04T15:30:00Z\n";

/// Runs `mta ARGS`, asserts success, returns (stdout, stderr).
fn run(args: &[&str]) -> (String, String) {
    let out = mta().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "mta {args:?} failed: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// A path aggregate CSV as path -> (conversions, value, nulls), in file order.
fn path_figures(text: &str) -> Vec<(String, [f64; 3])> {
    assert_eq!(
        text.lines().next(),
        Some("path,total_conversions,total_conversion_value,total_null"),
        "{text}"
    );
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            (r[0].to_string(), [num(1), num(2), num(3)])
        })
        .collect()
}

fn assert_same_paths(got: &[(String, [f64; 3])], want: &[(String, [f64; 3])]) {
    assert_eq!(got.len(), want.len());
    for ((gp, g), (wp, w)) in got.iter().zip(want) {
        assert_eq!(gp, wp);
        for k in 0..3 {
            assert_close(g[k], w[k], gp);
        }
    }
}

#[test]
fn paths_of_the_sample_are_the_committed_path_aggregates() {
    let (out, err) = run(&["paths", "testdata/events.csv"]);
    assert_eq!(out, EVENT_PATHS);
    assert_eq!(err, "paths: 7 path rows from 7 journeys\n");
    // testdata/paths.csv holds the same rows, in another order and with 2 decimals.
    let mut committed = path_figures(&std::fs::read_to_string(testdata("paths.csv")).unwrap());
    committed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_same_paths(&path_figures(&out), &committed);
}

#[test]
fn path_input_is_merged_and_sorted_again() {
    let f = Fixture::new();
    let p = f.file(
        "p.csv",
        "path,total_conversions,total_conversion_value,total_null\n\
         b>a,1,2.5,0\n\
         a,0,0,3\n\
         b > a,0.5,1,1\n\
         a > b,2,4,0\n",
    );
    let (out, err) = run(&["paths", "--paths", p.to_str().unwrap()]);
    assert_eq!(
        out,
        "path,total_conversions,total_conversion_value,total_null\n\
         a,0,0.000000,3\n\
         a > b,2,4.000000,0\n\
         b > a,1.500000,3.500000,1\n"
    );
    assert_eq!(err, "paths: 3 path rows from 4 path rows read\n");
    // Aggregating aggregates changes nothing.
    let again = f.file("again.csv", &out);
    assert_eq!(run(&["paths", "--paths", again.to_str().unwrap(), "-q"]).0, out);
}

#[test]
fn journeys_of_the_sample_are_those_of_the_readme() {
    let (out, err) = run(&["journeys", "testdata/events.csv"]);
    assert_eq!(out, EVENT_JOURNEYS);
    assert_eq!(err, "journeys: 7 journeys from 5 customers (5 converting)\n");
}

#[test]
fn separate_conversions_give_the_same_rows_and_note_the_unattributed_one() {
    let args = |cmd: &'static str| [cmd, "testdata/touchpoints.csv", "--conversions", "testdata/conversions.csv"];
    let (out, err) = run(&args("journeys"));
    assert_eq!(out, EVENT_JOURNEYS);
    assert!(
        err.ends_with("note: 1 unattributed conversion (revenue 25.00) had no touch before it and is in no journey\n"),
        "{err}"
    );
    let (out, err) = run(&args("paths"));
    assert_eq!(out, EVENT_PATHS);
    assert!(err.contains("is in no path"), "{err}");
}

#[test]
fn journey_rules_apply_to_the_rows() {
    let (out, _) = run(&["journeys", "testdata/events.csv", "--max-touches", "1", "-q"]);
    let touches: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').nth(3).unwrap()).collect();
    assert_eq!(touches, ["1"; 7]);
    let (out, _) = run(&["journeys", "testdata/lookback.csv", "--lookback", "30d", "-q"]);
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .contains(",Social > Email > Search,3,true,100.000000,2025-03-01T00:00:00Z,"),
        "{out}"
    );
}

#[test]
fn quiet_silences_the_summary() {
    for cmd in ["paths", "journeys"] {
        let (out, err) = run(&[cmd, "testdata/events.csv", "-q"]);
        assert!(!out.is_empty());
        assert_eq!(err, "");
    }
}

#[test]
fn stdin_is_read() {
    let bytes = std::fs::read(testdata("events.csv")).unwrap();
    for (cmd, expected) in [("paths", EVENT_PATHS), ("journeys", EVENT_JOURNEYS)] {
        for args in [vec![cmd], vec![cmd, "-"]] {
            let out = mta().args(&args).write_stdin(bytes.clone()).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
        }
    }
    let paths = std::fs::read(testdata("paths.csv")).unwrap();
    let out = mta().args(["paths", "--paths", "-q"]).write_stdin(paths).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), EVENT_PATHS);
}

#[test]
fn json_is_an_array_of_rows() {
    let (out, _) = run(&["paths", "testdata/events.csv", "--format", "json", "-q"]);
    assert!(out.ends_with("]\n"));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[4],
        serde_json::json!({"path": "Paid Search > Email > Direct", "total_conversions": 1.0,
            "total_conversion_value": 120.0, "total_null": 0.0})
    );

    let f = Fixture::new();
    let p = f.path("journeys.json");
    run(&["journeys", "testdata/events.csv", "-q", "-o", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[1],
        serde_json::json!({"customer_id": "alice", "journey": 2, "path": "Social", "touches": 1,
            "converted": false, "value": 0.0, "first_touch_at": "2025-01-20T10:00:00Z", "converted_at": null})
    );
    assert_eq!(rows[6]["converted_at"], "2025-01-04T15:30:00Z");
}

#[test]
fn parquet_reads_back_with_typed_columns() {
    use polars::prelude::*;
    let f = Fixture::new();
    let read = |p: &std::path::Path| ParquetReader::new(std::fs::File::open(p).unwrap()).finish().unwrap();

    let p = f.path("paths.parquet");
    run(&["paths", "testdata/events.csv", "-q", "-o", p.to_str().unwrap()]);
    let df = read(&p);
    assert_eq!(df.height(), 7);
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["path", "total_conversions", "total_conversion_value", "total_null"]);
    assert_eq!(
        df.column("path").unwrap().str().unwrap().get(1),
        Some("Display > Social > Email > Direct")
    );
    assert_eq!(df.column("total_conversion_value").unwrap().f64().unwrap().sum(), Some(345.0));
    assert_eq!(df.column("total_null").unwrap().f64().unwrap().sum(), Some(2.0));
    // And `mta attribute --paths` reads the Parquet file like the CSV.
    assert_eq!(
        attribute_csv(&["--paths", p.to_str().unwrap()]),
        attribute_csv(&["--paths", "testdata/paths.csv"])
    );

    let p = f.path("journeys.pq");
    run(&["journeys", "testdata/events.csv", "-q", "-o", p.to_str().unwrap()]);
    let df = read(&p);
    assert_eq!(df.height(), 7);
    assert_eq!(df.column("customer_id").unwrap().str().unwrap().get(6), Some("erin"));
    assert_eq!(df.column("journey").unwrap().i64().unwrap().get(3), Some(2));
    assert_eq!(df.column("touches").unwrap().i64().unwrap().sum(), Some(15));
    let converted = df.column("converted").unwrap().bool().unwrap();
    assert_eq!((0..converted.len()).filter(|&i| converted.get(i) == Some(true)).count(), 5);
    assert_eq!(df.column("value").unwrap().f64().unwrap().sum(), Some(345.0));
    let at = df.column("converted_at").unwrap();
    assert!(
        matches!(at.dtype(), DataType::Datetime(TimeUnit::Milliseconds, Some(_))),
        "{:?}",
        at.dtype()
    );
    assert_eq!(at.null_count(), 2);
    let first = df.column("first_touch_at").unwrap().cast(&DataType::Int64).unwrap();
    let want = chrono::DateTime::parse_from_rfc3339("2025-01-01T09:00:00Z")
        .unwrap()
        .timestamp_millis();
    assert_eq!(first.i64().unwrap().get(0), Some(want));

    // Piped stdout takes Parquet too (only a terminal is refused).
    let out = mta()
        .args(["paths", "testdata/events.csv", "-q", "--format", "parquet"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.starts_with(b"PAR1"));
}

#[test]
fn format_flag_overrides_the_extension_and_an_unknown_one_is_a_usage_error() {
    let f = Fixture::new();
    let p = f.path("rows.txt");
    run(&["paths", "testdata/events.csv", "-q", "--format", "csv", "-o", p.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), EVENT_PATHS);
    let refused = |name: &str| {
        let out = mta()
            .args(["journeys", "testdata/events.csv", "-o"])
            .arg(f.path(name))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        String::from_utf8(out.stderr).unwrap()
    };
    let err = refused("rows.xyz");
    assert!(
        err.ends_with("\n\nhint: use a .txt, .csv, .json, .md or .parquet extension, or pass `--format`\n"),
        "{err}"
    );
    let err = refused("rows.html");
    assert!(
        err.starts_with("error: `mta journeys` writes table, csv, json, markdown or parquet, not html (asked for by the `-o` extension)"),
        "{err}"
    );
    mta()
        .args(["paths", "testdata/events.csv", "--format", "html"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
    // Any table writes in any tabular format: paths as a table for reading.
    let table = stdout_of(&["paths", "testdata/events.csv", "-q", "--format", "table"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0]
            .split_whitespace()
            .eq(["path", "total_conversions", "total_conversion_value", "total_null"]),
        "{table}"
    );
    assert_eq!(lines.len(), EVENT_PATHS.lines().count(), "{table}");
}

#[test]
fn journeys_of_path_aggregates_is_a_usage_error() {
    let out = mta().args(["journeys", "--paths", "testdata/paths.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `mta journeys` needs touchpoint events: path aggregates have no customers or times\n\n\
         hint: read the touchpoint events instead of `--paths`, or use `mta paths --paths` to re-aggregate path rows\n"
    );
}

#[test]
fn a_channel_containing_the_separator_is_refused() {
    let f = Fixture::new();
    let p = f.file(
        "in.csv",
        "customer_id,timestamp,channel,conversion,value\n\
         a,2025-01-01,Search>Brand,0,\n\
         a,2025-01-02,Email,1,10\n",
    );
    let target = f.path("out.csv");
    let out = mta()
        .args(["paths", p.to_str().unwrap(), "-o", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: channel `Search>Brand` contains `>`, which separates the channels of a path\n\n\
         hint: `mta attribute --paths` would read it as several channels; rename the channel in the input (e.g. replace `>` with `/`)\n"
    );
    assert!(!target.exists(), "no output file on error");
    // Journey rows carry the path as text only: there the name is fine.
    let (out, _) = run(&["journeys", p.to_str().unwrap(), "-q"]);
    assert!(out.contains(",Search>Brand > Email,2,true,"), "{out}");
}

#[test]
fn errors_leave_stdout_empty() {
    for args in [
        vec!["paths", "testdata/missing.csv"],
        vec!["journeys", "testdata/missing.csv"],
        vec!["paths", "--paths", "testdata/events.csv"],
        vec!["journeys", "testdata/events.csv", "--max-touches", "0"],
    ] {
        let out = mta().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(String::from_utf8(out.stderr).unwrap().starts_with("error: "), "{args:?}");
    }
}

/// Credits of `mta attribute` for the path-input models, as (model, channel) -> row.
fn credits(args: &[&str]) -> BTreeMap<(String, String), Row> {
    let mut all = vec!["--models", PATH_MODELS];
    all.extend_from_slice(args);
    attribute_csv(&all)
}

#[test]
fn events_to_paths_to_attribute_gives_the_credits_of_events() {
    let f = generated(2000, 23, 8);
    let events = f.path("events.csv");
    let events = events.to_str().unwrap();
    for rules in [&[][..], &["--lookback", "14d", "--max-touches", "3"][..]] {
        let paths = f.path("exported.csv");
        let mut args = vec!["paths", events, "-q", "-o", paths.to_str().unwrap()];
        args.extend_from_slice(rules);
        run(&args);
        let mut direct_args = vec![events];
        direct_args.extend_from_slice(rules);
        let direct = credits(&direct_args);
        let via_paths = credits(&["--paths", paths.to_str().unwrap()]);
        assert_eq!(direct.keys().collect::<Vec<_>>(), via_paths.keys().collect::<Vec<_>>(), "{rules:?}");
        assert!(direct.keys().any(|(m, _)| m == "markov"));
        for (key, d) in &direct {
            let p = via_paths[key];
            let what = format!("{rules:?} {key:?}");
            assert_close(p.conversions, d.conversions, &what);
            assert_close(p.value, d.value, &what);
            assert_close(p.share, d.share, &what);
        }
    }
    // The generator aggregates its own journeys: the same rows, same order.
    let exported = run(&["paths", events, "-q"]).0;
    let committed = std::fs::read_to_string(f.path("paths.csv")).unwrap();
    assert_same_paths(&path_figures(&exported), &path_figures(&committed));
}

#[test]
fn journeys_of_generated_events_match_the_generator() {
    let cfg = synth::Config {
        customers: 300,
        seed: 29,
        channels: 8,
    };
    let f = Fixture::new();
    synth::write_all(&cfg, f.dir.path(), false).unwrap();
    let names = synth::channel_names(cfg.channels);
    let rfc3339 = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    // Ids are zero-padded, so generation order is byte order.
    let mut want = String::from("customer_id,journey,path,touches,converted,value,first_touch_at,converted_at\n");
    for c in synth::generate(&cfg) {
        for (k, j) in c.journeys.iter().enumerate() {
            let path: Vec<&str> = j.touches.iter().map(|t| names[t.channel as usize].as_str()).collect();
            let last = j.touches.last().unwrap().time;
            want.push_str(&format!(
                "{},{},{},{},{},{:.6},{},{}\n",
                c.id,
                k + 1,
                path.join(" > "),
                j.touches.len(),
                j.converted,
                j.value,
                rfc3339(j.touches[0].time),
                if j.converted { rfc3339(last) } else { String::new() }
            ));
        }
    }
    let events = f.path("events.csv");
    let (out, _) = run(&["journeys", events.to_str().unwrap(), "-q"]);
    assert_eq!(out, want);
}

#[test]
fn closed_pipe_exits_quietly_with_zero() {
    for format in ["csv", "json"] {
        let out = run_into_closed_pipe(&Fixture::new(), &["journeys", "-q", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
