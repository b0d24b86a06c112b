//! Every user-facing error: exit code, nothing on stdout, and a message that
//! names the file, line and column and what was expected.

use predicates::prelude::*;

use super::*;

const HEADER: &str = "customer_id,timestamp,channel,conversion,value\n";

/// Runs `mta attribute FILE` on `content` and returns (exit code, stderr).
fn run_on(content: &str, extra: &[&str]) -> (i32, String) {
    let f = Fixture::new();
    let p = f.file("in.csv", content);
    let out = mta().arg("attribute").arg(&p).args(extra).output().unwrap();
    assert!(
        out.stdout.is_empty(),
        "stdout must stay empty on error: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8(out.stderr).unwrap().replace(p.to_str().unwrap(), "in.csv");
    (out.status.code().unwrap(), stderr)
}

#[test]
fn missing_column_lists_the_available_ones() {
    let (code, err) = run_on("customer_id,time,channel,conversion\na,2025-01-01,Email,1\n", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: column `timestamp` not found in `in.csv`\n\nhint: available columns are `customer_id`, `time`, `channel`, `conversion`; pass `--time-col <NAME>`\n"
    );
}

#[test]
fn missing_conversion_column_points_at_both_fixes() {
    let (code, err) = run_on("customer_id,timestamp,channel\na,2025-01-01,Email\n", &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("column `conversion` not found") && err.contains("--conversions FILE"),
        "{err}"
    );
}

#[test]
fn bad_timestamp_names_line_and_column() {
    let (code, err) = run_on(
        &format!("{HEADER}a,2025-01-01T10:00:00Z,Email,0,\na,2026-02-30T10:00:00Z,Search,1,5\n"),
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: `in.csv` line 3, column `timestamp`: found `2026-02-30T10:00:00Z`, expected a real calendar date (month 01-12, day within the month)\n"
    );
}

#[test]
fn unknown_timestamp_shape_suggests_the_format_flag() {
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,0,\na,01/02/2025,Search,1,5\n"), &[]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: `in.csv` line 3, column `timestamp`: found `01/02/2025`, expected an ISO 8601 timestamp"),
        "{err}"
    );
}

#[test]
fn non_numeric_and_negative_values() {
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,1,12,50\n"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("line 2") && err.contains("found 6 fields, expected 5"), "{err}");
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,1,abc\n"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: `in.csv` line 2, column `value`: found `abc`, expected a revenue amount: a non-negative number such as `49.90` (empty means 0)\n"
    );
    let (_, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,1,-3\n"), &[]);
    assert!(err.contains("found `-3`"), "{err}");
    let (_, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,1,NaN\n"), &[]);
    assert!(err.contains("found `NaN`"), "{err}");
}

#[test]
fn bad_conversion_flag() {
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,maybe,\n"), &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("line 2, column `conversion`: found `maybe`, expected a conversion flag"),
        "{err}"
    );
}

#[test]
fn empty_file_and_header_only() {
    let (code, err) = run_on("", &[]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: `in.csv` is empty"), "{err}");
    // A header alone leaves nothing to attribute: an error, not a table of zeros.
    let (code, err) = run_on(HEADER, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: `in.csv` has a header but no data rows: there is nothing to attribute\n\nhint: export the rows too (touches and conversions), not only the column names\n"
    );
}

#[test]
fn wrong_delimiter_hints_at_the_right_one() {
    let (code, err) = run_on(
        "customer_id;timestamp;channel;conversion\na;2025-01-01;Email;1\n",
        &["--delimiter", ","],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("the file seems to be delimited by `;`; pass `--delimiter ';'`"),
        "{err}"
    );
}

#[test]
fn truncated_last_line() {
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,0,\nb,2025-01-0"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("line 3"), "{err}");
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,Email,0,\nb,2025-01-02"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("line 3, column `channel`: found ``, expected a channel name"), "{err}");
}

#[test]
fn unterminated_quote_is_located() {
    let (code, err) = run_on(&format!("{HEADER}a,2025-01-01,\"Email,0,\nb,2025-01-02,Search,1,5\n"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("line 2") || err.contains("line 3"), "{err}");
}

#[test]
fn empty_customer_or_channel() {
    // A row without a customer id is an anonymous visitor's, left out; when
    // every row is, nothing is left.
    let (code, err) = run_on(&format!("{HEADER}   ,2025-01-01,Email,1,\n"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: no row is left to attribute: the only row read was left out (1 without a customer id)\n\nhint: the customer id column is empty on every row: name the right one with `--customer-col`\n"
    );
    let (_, err) = run_on(&format!("{HEADER}a,2025-01-01,,1,\n"), &[]);
    assert!(err.contains("line 2, column `channel`"), "{err}");
}

#[test]
fn line_numbers_count_quoted_newlines() {
    let (_, err) = run_on(&format!("{HEADER}a,2025-01-01,\"Email\nNewsletter\",0,\na,bad,Search,1,5\n"), &[]);
    assert!(err.contains("line 4, column `timestamp`: found `bad`"), "{err}");
}

#[test]
fn windows_line_ends_keep_line_numbers() {
    // Plain, and with a quoted field (read by the general reader).
    for channel in ["Email", "\"Email, weekly\""] {
        let crlf = format!("{HEADER}a,2025-01-01,{channel},1,\nb,bad,Search,1,5\n").replace('\n', "\r\n");
        let (_, err) = run_on(&crlf, &[]);
        assert!(err.contains("line 3, column `timestamp`: found `bad`"), "{err}");
        let f = Fixture::new();
        let p = f.file("in.csv", &crlf);
        let rejects = f.path("rejects.csv");
        mta()
            .arg("attribute")
            .arg(&p)
            .args(["--on-error", "skip", "--rejects"])
            .arg(&rejects)
            .assert()
            .success();
        let text = std::fs::read_to_string(&rejects).unwrap();
        assert!(
            text.contains(",3,2,invalid_timestamp,timestamp,bad,") && text.ends_with(",\"b,bad,Search,1,5\"\n"),
            "{text}"
        );
    }
}

#[test]
fn missing_file() {
    mta()
        .args(["attribute", "does-not-exist.csv"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with("error: cannot read `does-not-exist.csv`: "));
}

#[test]
fn csv_named_parquet() {
    let f = Fixture::new();
    let p = f.file("x.parquet", HEADER);
    mta()
        .arg("attribute")
        .arg(&p)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "is not a Parquet file (it starts with `customer_id,timestamp,ch`)",
        ));
}

#[test]
fn unknown_model_lists_valid_ones() {
    mta()
        .args(["attribute", "testdata/events.csv", "--models", "linear,markovv"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("invalid value 'markovv'").and(predicate::str::contains(
            "first-click, last-click, last-non-direct, linear, position-based, j-shaped, inverse-j, time-decay, participation, markov, shapley",
        )));
}

#[test]
fn bad_flags_are_usage_errors() {
    for (flag, value, says) in [
        ("--lookback", "30", "is not a duration"),
        ("--half-life", "-2d", "is not a duration"),
        ("--position-weights", "0.5,0.5,0.5", "does not sum to 1"),
        ("--max-touches", "0", "would leave every journey empty"),
        ("--timezone", "Mars/Olympus", "unknown time zone"),
        ("--delimiter", ";;", "single ASCII character"),
    ] {
        mta()
            .args(["attribute", "testdata/events.csv", &format!("{flag}={value}")])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
    mta()
        .args(["attribute", "testdata/events.csv", "-o", "out.xyz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot tell the output format"));
    mta()
        .args(["attribute", "--paths", "testdata/paths.csv", "--lookback", "7d"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path aggregates do not have"));
}

#[test]
fn bad_path_rows() {
    let f = Fixture::new();
    for (content, says) in [
        ("path,total_conversions\na > > b,1\n", "line 2, column `path`: found `a > > b`"),
        ("path,total_conversions\na > b >,1\n", "found `a > b >`"),
        ("path,total_conversions\na > b,-1\n", "column `total_conversions`: found `-1`"),
        ("path,conversions\na > b,1\n", "column `total_conversions` not found"),
    ] {
        let p = f.file("p.csv", content);
        mta()
            .args(["attribute", "--paths"])
            .arg(&p)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn time_format_typo_is_a_usage_error_before_any_input_is_read() {
    // The input does not exist: a usage error proves the flag was checked first.
    for (flag, says) in [
        (
            "epoch-sec",
            "`epoch-sec` is neither a time format keyword (`auto`, `epoch-s`, `epoch-ms`)",
        ),
        ("%Y-%m-%Q", "`%Y-%m-%Q` is not a valid strftime pattern"),
    ] {
        let out = mta()
            .args(["attribute", "no-such-file.csv", "--time-format", flag])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with(&format!("error: `--time-format`: {says}")), "{err}");
        assert!(err.contains("hint: pass `auto`"), "{err}");
    }
}

#[test]
fn secondary_inputs_are_checked_before_any_event_is_read() {
    // The touchpoint file does not exist: an error about the other file
    // proves that file was opened and checked first.
    let f = Fixture::new();
    let conversions = f.file("conversions.csv", "customer_id,when\nc1,2025-01-01\n");
    let costs = f.file("costs.csv", "channel,amount\nEmail,10\n");
    let rules = f.file("rules.csv", "channel,source,medium,campaign\nPaid,(google,cpc,\n");
    let cases: [(&str, &std::path::Path, &str); 3] = [
        ("--conversions", &conversions, "column `timestamp` not found in"),
        ("--costs", &costs, "column `spend` not found in"),
        ("--channel-rules", &rules, "line 2"),
    ];
    for (flag, file, says) in cases {
        let out = mta().args(["attribute", "no-such-events.csv", flag]).arg(file).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{flag}: {err}");
        assert!(out.stdout.is_empty(), "{flag}");
        assert!(err.contains(says) && err.contains(&*file.to_string_lossy()), "{flag}: {err}");
        assert!(!err.contains("no-such-events"), "{flag}: {err}");
    }
    // A missing conversions file, likewise.
    let out = mta()
        .args(["attribute", "no-such-events.csv", "--conversions", "no-such-conversions.csv"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: cannot read `no-such-conversions.csv`"), "{err}");
}

#[test]
fn what_path_aggregates_lack_is_refused_with_the_flags() {
    // The paths file does not exist: a usage error proves the flags were checked first.
    for (flags, says) in [
        (
            &["--per-conversion"][..],
            "error: `--per-conversion` needs touchpoint events: path aggregates have no customers or conversion times",
        ),
        (
            &["--by", "conversion-type"][..],
            "error: `--by` splits conversions by their attributes, which path aggregates do not have",
        ),
    ] {
        let out = mta()
            .args(["attribute", "--paths", "no-such-paths.csv"])
            .args(flags)
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(out.stdout.is_empty(), "{flags:?}");
        assert!(err.starts_with(says) && err.contains("instead of `--paths`"), "{flags:?}: {err}");
    }
}
