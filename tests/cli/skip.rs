//! `--on-error skip` and `--rejects`: bad rows are skipped, counted by reason
//! and written out with their line and reason; totals reconcile (rows read =
//! used + skipped, conversions read = attributed + unattributed); and the
//! results are those of the same input without the bad rows.

use super::*;

/// Row-level cases of the bad corpus: (file, extra arguments, the rows
/// skipped as (line, reason)). Whole-file problems (missing column, empty
/// file...) still stop the run: there is no row to skip.
type Skipped = &'static [(u64, &'static str)];
const CORPUS: &[(&str, &[&str], Skipped)] = &[
    // The quote runs to the end of the file: one record of 3 fields.
    ("unterminated_quote.csv", &[], &[(2, "malformed_row")]),
    // Cut mid-line: 2 fields (stopping reports the half timestamp instead).
    ("truncated_last_line.csv", &[], &[(3, "malformed_row")]),
    ("too_few_fields.csv", &[], &[(2, "malformed_row")]),
    ("too_many_fields.csv", &[], &[(2, "malformed_row")]),
    ("non_utf8.csv", &[], &[(2, "invalid_utf8")]),
    ("mixed_timestamps.csv", &[], &[(3, "invalid_timestamp")]),
    ("us_date_format.csv", &[], &[(2, "invalid_timestamp")]),
    ("impossible_date.csv", &[], &[(2, "invalid_timestamp")]),
    ("timestamp_out_of_range.csv", &[], &[(3, "invalid_timestamp")]),
    ("negative_value.csv", &[], &[(2, "invalid_value")]),
    ("nan_value.csv", &[], &[(2, "invalid_value")]),
    ("non_numeric_value.csv", &[], &[(2, "invalid_value")]),
    ("conversion_maybe.csv", &[], &[(2, "invalid_conversion_flag")]),
    ("empty_channel.csv", &[], &[(2, "invalid_channel")]),
    ("path_double_separator.csv", &["--paths"], &[(2, "invalid_path")]),
    ("path_trailing_separator.csv", &["--paths"], &[(2, "invalid_path")]),
    ("path_negative_count.csv", &["--paths"], &[(2, "invalid_count")]),
];

/// The rejects file as (file, line, row, reason, column, value, record).
fn read_rejects(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).expect("rejects file exists");
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["file", "line", "row", "reason", "column", "value", "detail", "record"]);
    rdr.records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}

/// Runs `attribute ARGS --on-error skip --rejects R --format json`: the JSON
/// report, the rejects, and stderr.
fn skip_run(f: &Fixture, args: &[&std::ffi::OsStr]) -> (serde_json::Value, Vec<BTreeMap<String, String>>, String) {
    let rejects = f.path("rejects.csv");
    let out = mta()
        .arg("attribute")
        .args(args)
        .args(["--on-error", "skip", "--format", "json", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON result");
    (json, read_rejects(&rejects), stderr)
}

/// `mta attribute ARGS --format json`, stopping at bad rows (the clean runs).
fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(&[&["attribute"], args, &["--format", "json"]].concat())).unwrap()
}

/// (line, reason) of each rejected row.
fn lines_and_reasons(rejects: &[BTreeMap<String, String>]) -> Vec<(u64, String)> {
    rejects.iter().map(|r| (r["line"].parse().unwrap(), r["reason"].clone())).collect()
}

/// rows read = used + skipped, per file and in all; skipped counts by reason
/// add up; conversions read = attributed + unattributed.
fn assert_reconciles(json: &serde_json::Value) {
    let input = &json["input"];
    let n = |k: &str| input[k].as_f64().unwrap_or_else(|| panic!("{k} in {input}"));
    assert_eq!(
        n("rows_read"),
        n("rows_used") + n("rows_skipped") + n("rows_anonymous") + n("repeated_orders"),
        "{input}"
    );
    let by_reason: f64 = input["skipped_by_reason"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert_eq!(by_reason, n("rows_skipped"));
    let files = input["files"].as_array().unwrap();
    assert_eq!(files.iter().map(|f| f["rows"].as_f64().unwrap()).sum::<f64>(), n("rows_read"));
    assert_eq!(files.iter().map(|f| f["skipped"].as_f64().unwrap()).sum::<f64>(), n("rows_skipped"));
    assert!(
        (n("conversions_read") - n("conversions") - n("unattributed_conversions")).abs() < 1e-9,
        "{input}"
    );
}

#[test]
fn every_row_level_error_of_the_corpus_is_skipped_with_its_line_and_reason() {
    for (file, args, expected) in CORPUS {
        let f = Fixture::new();
        let path = testdata("bad").join(file);
        let mut all: Vec<&std::ffi::OsStr> = vec![path.as_os_str()];
        all.extend(args.iter().map(std::ffi::OsStr::new));
        // A file whose every row is bad leaves nothing to attribute: an
        // error that still counts the rows, and the rejects file written.
        let rejects_path = f.path("rejects.csv");
        let out = mta()
            .arg("attribute")
            .args(&all)
            .args(["--on-error", "skip", "--format", "json", "--rejects"])
            .arg(&rejects_path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let rejects = read_rejects(&rejects_path);
        if out.status.code() == Some(1) {
            assert!(out.stdout.is_empty(), "{file}");
            let n = expected.len();
            let all_bad = match n {
                1 => "no row is left to attribute: the only row read was left out (1 skipped as bad (1 ".to_string(),
                _ => format!("no row is left to attribute: all {n} rows read were left out ({n} skipped as bad ("),
            };
            // Or the good rows left hold no conversion.
            let no_conversion = "no row is a conversion: column `conversion` is never `1`, `true` or `yes`";
            assert!(
                stderr.starts_with(&format!("error: {all_bad}")) || stderr.starts_with(&format!("error: {no_conversion}")),
                "{file}: {stderr}"
            );
            assert_eq!(
                lines_and_reasons(&rejects),
                expected.iter().map(|(l, r)| (*l, r.to_string())).collect::<Vec<_>>(),
                "{file}"
            );
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON result");
        assert_reconciles(&json);
        assert_eq!(json["input"]["rows_skipped"], expected.len(), "{file}");
        let got: Vec<(u64, &str)> = rejects.iter().map(|r| (r["line"].parse().unwrap(), r["reason"].as_str())).collect();
        assert_eq!(got, *expected, "{file}");
        for r in &rejects {
            assert!(r["file"].ends_with(file), "{r:?}");
            let reason = &r["reason"];
            assert_eq!(json["input"]["skipped_by_reason"][reason.as_str()], 1, "{file}");
            // The record is the row as written (the corpus rows are on their line).
            let text = std::fs::read(&path).unwrap();
            let line = String::from_utf8_lossy(&text)
                .lines()
                .nth(r["line"].parse::<usize>().unwrap() - 1)
                .unwrap()
                .to_string();
            assert!(r["record"].starts_with(&line), "{file}: {:?} vs {line:?}", r["record"]);
        }
        assert!(stderr.contains(&format!("skipped {} bad rows", expected.len())), "{file}: {stderr}");
    }
}

/// Good rows of testdata/events.csv with bad rows of every kind between them.
/// A channel and a customer appear only on bad rows: they must not appear.
const BAD_ROWS: &[(&str, &str)] = &[
    ("ghost,2025-01-03T10:00:00Z,Ghost,1,notanumber", "invalid_value"),
    ("carol,2025-02-30T10:00:00Z,Email,0,", "invalid_timestamp"),
    ("alice,2025-01-09T09:00:00Z,,0,", "invalid_channel"),
    // No customer id: an anonymous visitor's row, left out but not bad.
    ("   ,2025-01-09T09:00:00Z,Email,1,5", ANONYMOUS),
    ("bob,2025-01-09T09:00:00Z,Email,perhaps,", "invalid_conversion_flag"),
    ("bob,2025-01-09T09:00:00Z,Email", "malformed_row"),
    ("erin,2025-01-01T09:00:00Z,Ghost,1,10,extra", "malformed_row"),
    ("erin,2025-01-01T09:00:00Z,Social,1,-10", "invalid_value"),
];

/// The "reason" of a row left out for want of a customer id: not a
/// rejection, so not expected in the rejects file.
const ANONYMOUS: &str = "anonymous";

/// Interleaves `bad` rows into `good` (every other data line), returning the
/// text and the expected (line, reason) of each bad row (those marked
/// [`ANONYMOUS`] are left out, not rejected).
fn interleave(good: &str, bad: &[(&str, &str)]) -> (String, Vec<(u64, String)>) {
    let mut lines = good.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let (mut line, mut expected) = (1u64, Vec::new());
    let mut bad = bad.iter();
    for g in lines {
        if let Some((row, reason)) = bad.next() {
            out.push_str(row);
            out.push('\n');
            line += 1;
            if *reason != ANONYMOUS {
                expected.push((line, reason.to_string()));
            }
        }
        out.push_str(g);
        out.push('\n');
        line += 1;
    }
    for (row, reason) in bad {
        out.push_str(row);
        out.push('\n');
        line += 1;
        expected.push((line, reason.to_string()));
    }
    (out, expected)
}

/// The report without its input block (file names and row counts differ).
fn results(json: &serde_json::Value) -> serde_json::Value {
    let mut v = json.clone();
    v.as_object_mut().unwrap().remove("input");
    v
}

#[test]
fn skipped_rows_leave_the_results_of_the_good_rows_alone() {
    let f = Fixture::new();
    let good = std::fs::read_to_string(testdata("events.csv")).unwrap();
    let (text, expected) = interleave(&good, BAD_ROWS);
    let mixed = f.file("mixed.csv", &text);
    let (json, rejects, stderr) = skip_run(&f, &[mixed.as_os_str()]);
    assert_reconciles(&json);
    assert_eq!(lines_and_reasons(&rejects), expected);
    // Data row numbers count every record; here one record per line.
    for r in &rejects {
        assert_eq!(r["row"].parse::<u64>().unwrap() + 1, r["line"].parse::<u64>().unwrap());
    }
    assert!(
        stderr.contains("skipped 7 bad rows (1 invalid channel, ") && stderr.contains(", 2 invalid value, 2 malformed row); used 15"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "\nleft out 1 row without a customer id (visitors not yet identified); 1 of them a conversion (revenue 5.00), not counted\n"
        ),
        "{stderr}"
    );
    assert_eq!(json["input"]["rows_anonymous"], 1);
    assert_eq!(json["input"]["anonymous_conversions"], 1);

    let clean = json_of(&["testdata/events.csv"]);
    assert_eq!(results(&json), results(&clean));
    assert!(!serde_json::to_string(&json).unwrap().contains("Ghost"));
    for k in [
        "customers",
        "journeys",
        "conversions",
        "revenue",
        "touches",
        "rows_used",
        "conversions_read",
    ] {
        let key = if k == "rows_used" { "rows_read" } else { k };
        assert_eq!(json["input"][k], clean["input"][key], "{k}");
    }
}

#[test]
fn skipping_covers_the_conversions_file_and_stdin() {
    let f = Fixture::new();
    let good = std::fs::read_to_string(testdata("conversions.csv")).unwrap();
    let bad = [
        ("dave,2025-13-01T00:00:00Z,10", "invalid_timestamp"),
        ("erin,2025-01-20T00:00:00Z,-1", "invalid_value"),
        (",2025-01-20T00:00:00Z,1", ANONYMOUS),
    ];
    let (text, expected) = interleave(&good, &bad);
    let conversions = f.file("conversions.csv", &text);
    let touch = testdata("touchpoints.csv");
    let (json, rejects, _) = skip_run(&f, &[touch.as_os_str(), "--conversions".as_ref(), conversions.as_os_str()]);
    assert_reconciles(&json);
    assert_eq!(lines_and_reasons(&rejects), expected);
    assert_eq!(
        (&json["input"]["rows_anonymous"], &json["input"]["anonymous_value"]),
        (&1.into(), &1.0.into())
    );
    assert!(rejects.iter().all(|r| r["file"].ends_with("conversions.csv")));
    let clean = json_of(&["testdata/touchpoints.csv", "--conversions", "testdata/conversions.csv"]);
    assert_eq!(results(&json), results(&clean));

    // Standard input: same rows, same lines, named <stdin>.
    let events = std::fs::read_to_string(testdata("events.csv")).unwrap();
    let (text, expected) = interleave(&events, BAD_ROWS);
    let rejects_path = f.path("stdin-rejects.csv");
    let out = mta()
        .args(["attribute", "-", "--on-error", "skip", "--format", "csv", "--rejects"])
        .arg(&rejects_path)
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rejects = read_rejects(&rejects_path);
    assert_eq!(lines_and_reasons(&rejects), expected);
    assert!(rejects.iter().all(|r| r["file"] == "<stdin>"));
}

#[test]
fn skipping_path_aggregates_drops_the_row_and_its_names() {
    let f = Fixture::new();
    let good = std::fs::read_to_string(testdata("paths.csv")).unwrap();
    let bad = [
        ("Ghost > > Email,1,10,0", "invalid_path"),
        ("Search > Email,many,10,0", "invalid_count"),
        ("Search > Email,1,ten,0", "invalid_value"),
        ("Search > Ghost,1,10,-2", "invalid_count"),
        ("Search,1", "malformed_row"),
    ];
    let (text, expected) = interleave(&good, &bad);
    let paths = f.file("paths.csv", &text);
    let (json, rejects, _) = skip_run(&f, &[paths.as_os_str(), "--paths".as_ref()]);
    assert_reconciles(&json);
    assert_eq!(lines_and_reasons(&rejects), expected);
    let clean = json_of(&["testdata/paths.csv", "--paths"]);
    assert_eq!(results(&json), results(&clean));
    assert!(!serde_json::to_string(&json).unwrap().contains("Ghost"));
}

#[test]
fn parquet_nulls_are_skipped_by_row_number() {
    use polars::prelude::*;
    let f = Fixture::new();
    let mut df = DataFrame::new(
        4,
        vec![
            Column::new("customer_id".into(), [Some("a"), None, Some("b"), Some("c")]),
            Column::new(
                "timestamp".into(),
                [
                    Some("2025-01-01T00:00:00Z"),
                    Some("2025-01-02T00:00:00Z"),
                    None,
                    Some("2025-01-03T00:00:00Z"),
                ],
            ),
            Column::new("channel".into(), ["Email", "Search", "Social", "Direct"]),
            Column::new("conversion".into(), [true, true, true, true]),
            Column::new("value".into(), [1.0f64, 2.0, 3.0, -4.0]),
        ],
    )
    .unwrap();
    let p = f.path("nulls.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
    let (json, rejects, _) = skip_run(&f, &[p.as_os_str()]);
    assert_reconciles(&json);
    let got: Vec<(&str, &str, &str)> = rejects
        .iter()
        .map(|r| (r["line"].as_str(), r["row"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(got, [("", "3", "invalid_timestamp"), ("", "4", "invalid_value")]);
    // A null customer id is an anonymous visitor's row: left out, not bad.
    assert_eq!(json["input"]["rows_anonymous"], 1);
    assert_eq!(json["input"]["conversions_read"], 1.0);
    assert_eq!(json["input"]["customers"], 1);
}

#[test]
fn stopping_is_the_default_and_rejects_needs_skip() {
    let f = Fixture::new();
    let good = std::fs::read_to_string(testdata("events.csv")).unwrap();
    let (text, expected) = interleave(&good, BAD_ROWS);
    let mixed = f.file("mixed.csv", &text);
    let out = mta().arg("attribute").arg(&mixed).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // Malformed records are found while a chunk is parsed, before any cell
    // of it is read, so the error names the first malformed one, or with
    // the file read in small chunks (`MTA_CSV_CHUNK_BYTES`) a bad row of an
    // earlier chunk (README: bad input).
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first_malformed = expected.iter().find(|e| e.1 == "malformed_row").unwrap().0;
    let named = expected
        .iter()
        .filter(|e| e.0 <= first_malformed)
        .find(|e| stderr.contains(&format!("line {},", e.0)) || stderr.contains(&format!("line {}:", e.0)));
    assert!(named.is_some(), "{stderr}");
    if std::env::var_os("MTA_CSV_CHUNK_BYTES").is_none() {
        assert!(stderr.contains(&format!("line {first_malformed}: found 3 fields")), "{stderr}");
    }

    let rejects = f.path("r.csv");
    let out = mta().arg("attribute").arg(&mixed).arg("--rejects").arg(&rejects).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add `--on-error skip`"));
    assert!(!rejects.exists());
    let out = mta()
        .arg("attribute")
        .arg(&mixed)
        .args(["--on-error", "skip", "--rejects", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_clean_input_skips_nothing_and_still_writes_the_rejects_header() {
    let f = Fixture::new();
    let (json, rejects, stderr) = skip_run(&f, &["testdata/events.csv".as_ref()]);
    assert_reconciles(&json);
    assert!(rejects.is_empty());
    assert_eq!(json["input"]["rows_skipped"], 0);
    assert!(!stderr.contains("skipped"));
    let plain = mta()
        .args(["attribute", "testdata/events.csv", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&plain.stdout).unwrap(), json);
}
