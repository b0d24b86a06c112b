//! `mta compare`: exit codes, CSV/JSON mixes, drift, output formats, errors.

use predicates::prelude::*;

use super::*;

/// `mta compare` run inside the fixture's directory, so that messages name
/// files as given.
fn compare(f: &Fixture) -> assert_cmd::Command {
    let mut c = mta();
    c.current_dir(f.dir.path()).arg("compare");
    c
}

/// (exit code, stdout, stderr).
fn run(c: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes `mta attribute testdata/events.csv EXTRA -o NAME` into the fixture.
fn attribute_to(f: &Fixture, name: &str, extra: &[&str]) -> String {
    mta()
        .args(["attribute", "testdata/events.csv", "-q"])
        .args(extra)
        .arg("-o")
        .arg(f.path(name))
        .assert()
        .success();
    std::fs::read_to_string(f.path(name)).unwrap()
}

/// A hand-written base: two models, two channels each.
const BASE: &str = "model,channel,conversions,value,share\n\
                    linear,Email,1.000000,10.000000,0.250000\n\
                    linear,Search,3.000000,30.000000,0.750000\n\
                    first-click,Email,2.000000,20.000000,0.500000\n\
                    first-click,Search,2.000000,20.000000,0.500000\n";

/// Against BASE at `--tolerance 0.1` on share: linear moves by 0.0625 (ok),
/// first-click Email by 0.125 (beyond), first-click Search is gone, Display
/// and a whole model (markov) are new. Numbers are exact in binary, so the
/// JSON is exact too.
const NEW_JSON: &str = r#"{
  "input": {"rows_read": 9},
  "models": [
    {"model": "markov", "parameters": {"order": 1}, "credits": [
      {"channel": "Email", "conversions": 4.0, "value": 40.0, "share": 1.0}]},
    {"model": "first-click", "parameters": {}, "credits": [
      {"channel": "Email", "conversions": 2.5, "value": 25.0, "share": 0.625},
      {"channel": "Display", "conversions": 1.5, "value": 15.0, "share": 0.375}]},
    {"model": "linear", "parameters": {}, "credits": [
      {"channel": "Search", "conversions": 2.75, "value": 27.5, "share": 0.6875},
      {"channel": "Email", "conversions": 1.25, "value": 12.5, "share": 0.3125}]}
  ]
}
"#;

fn hand_pair() -> Fixture {
    let f = Fixture::new();
    f.file("base.csv", BASE);
    f.file("new.json", NEW_JSON);
    f
}

#[test]
fn csv_and_json_of_the_same_run_compare_equal() {
    let f = Fixture::new();
    attribute_to(&f, "expected.json", &[]);
    attribute_to(&f, "new.csv", &[]);
    for (a, b) in [("expected.json", "new.csv"), ("new.csv", "expected.json")] {
        let (code, stdout, stderr) = run(compare(&f).args([a, b, "--tolerance", "0.001"]));
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, "");
        // 7 models x 5 channels.
        assert_eq!(stderr, "compare: all 55 values within tolerance 0.001 (share, absolute)\n");
    }
    for metric in ["conversions", "value"] {
        compare(&f)
            .args(["expected.json", "new.csv", "--metric", metric, "--tolerance", "0.000001"])
            .assert()
            .code(0)
            .stderr(format!("compare: all 55 values within tolerance 0.000001 ({metric}, absolute)\n"));
    }
}

/// `new.csv` with linear's Email share changed to `0.320000`; returns the
/// original share text.
fn drifted(f: &Fixture) -> String {
    let text = attribute_to(f, "expected.csv", &[]);
    let mut old = String::new();
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.strip_prefix("linear,Email,") {
            Some(rest) => {
                let (figures, share) = rest.rsplit_once(',').unwrap();
                old = share.to_string();
                format!("linear,Email,{figures},0.320000")
            }
            None => l.to_string(),
        })
        .collect();
    assert!(!old.is_empty(), "{text}");
    f.file("new.csv", lines.join("\n") + "\n");
    old
}

#[test]
fn a_drifted_share_exits_1_with_the_row_and_the_count() {
    let f = Fixture::new();
    let old = drifted(&f);
    assert_eq!(old, "0.316667"); // linear: Email 1.583333 of 5 conversions
    let (code, stdout, stderr) = run(compare(&f).args(["expected.csv", "new.csv", "--tolerance", "0.001"]));
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0]
            .split_whitespace()
            .eq(["model", "channel", "base", "new", "difference", "status"])
    );
    assert!(
        lines[1]
            .split_whitespace()
            .eq(["linear", "Email", "0.316667", "0.320000", "0.003333", "beyond"]),
        "{stdout}"
    );
    // Piped: no borders.
    assert!(!stdout.contains('│'), "{stdout}");
    assert_eq!(stderr, "compare: 1 of 55 values beyond tolerance 0.001 (share, absolute)\n");
    // The drift is within the default tolerance of 0.01.
    compare(&f)
        .args(["expected.csv", "new.csv"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("compare: all 55 values within tolerance 0.01 (share, absolute)\n");
    // --quiet: the exit code alone.
    compare(&f)
        .args(["expected.csv", "new.csv", "--tolerance", "0.001", "-q"])
        .assert()
        .code(1)
        .stderr("");
}

#[test]
fn all_shows_every_row() {
    let f = Fixture::new();
    drifted(&f);
    let (code, stdout, _) = run(compare(&f).args(["expected.csv", "new.csv", "--tolerance", "0.001", "--all", "--format", "csv"]));
    assert_eq!(code, 1);
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 55, "{stdout}");
    let beyond: Vec<&&str> = rows.iter().filter(|r| !r.ends_with(",ok")).collect();
    assert_eq!(beyond, [&"linear,Email,0.316667,0.320000,0.003333,beyond"]);
    // Models in the base file's order, channels by name.
    assert!(rows[0].starts_with("first-click,Direct,"), "{stdout}");
    assert!(rows[4].starts_with("first-click,Social,"), "{stdout}");
    assert!(rows[54].starts_with("shapley,Social,"), "{stdout}");
}

#[test]
fn csv_output_of_a_hand_written_pair() {
    let f = hand_pair();
    let (code, stdout, stderr) = run(compare(&f).args(["base.csv", "new.json", "--tolerance", "0.1", "--all", "--format", "csv"]));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "model,channel,base,new,difference,status\n\
         linear,Email,0.250000,0.312500,0.062500,ok\n\
         linear,Search,0.750000,0.687500,-0.062500,ok\n\
         first-click,Display,,0.375000,,only-in-new\n\
         first-click,Email,0.500000,0.625000,0.125000,beyond\n\
         first-click,Search,0.500000,,,only-in-base\n\
         markov,Email,,1.000000,,only-in-new\n"
    );
    assert_eq!(
        stderr,
        "compare: 4 of 6 values beyond tolerance 0.1 (share, absolute); 1 only in base, 2 only in new\n"
    );
}

#[test]
fn json_output_of_a_hand_written_pair() {
    let f = hand_pair();
    let (code, stdout, _) = run(compare(&f).args(["base.csv", "new.json", "--tolerance", "0.1", "--format", "json"]));
    assert_eq!(code, 1);
    let row = |model: &str, channel: &str, base: &str, new: &str, difference: &str, status: &str| {
        format!(
            "    {{\n      \"model\": \"{model}\",\n      \"channel\": \"{channel}\",\n      \"base\": {base},\n      \
             \"new\": {new},\n      \"difference\": {difference},\n      \"status\": \"{status}\"\n    }}"
        )
    };
    let rows = [
        row("first-click", "Display", "null", "0.375", "null", "only-in-new"),
        row("first-click", "Email", "0.5", "0.625", "0.125", "beyond"),
        row("first-click", "Search", "0.5", "null", "null", "only-in-base"),
        row("markov", "Email", "null", "1.0", "null", "only-in-new"),
    ];
    assert_eq!(
        stdout,
        format!(
            "{{\n  \"metric\": \"share\",\n  \"tolerance\": 0.1,\n  \"relative\": false,\n  \"compared\": 6,\n  \
             \"beyond\": 4,\n  \"rows\": [\n{}\n  ]\n}}\n",
            rows.join(",\n")
        )
    );
}

#[test]
fn relative_tolerance() {
    let f = hand_pair();
    // 0.0625 is beyond 0.2 x 0.25 = 0.05 but within 0.2 x 0.75 = 0.15;
    // 0.125 is beyond 0.2 x 0.5 = 0.1.
    let (code, stdout, stderr) = run(compare(&f).args(["base.csv", "new.json", "--tolerance", "0.2", "--relative", "--format", "csv"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("linear,Email,0.250000,0.312500,0.062500,beyond\n"), "{stdout}");
    assert!(!stdout.contains("linear,Search"), "{stdout}");
    assert_eq!(
        stderr,
        "compare: 5 of 6 values beyond tolerance 0.2 (share, relative); 1 only in base, 2 only in new\n"
    );
    // Revenue 10 -> 10.5 and 30 -> 31 are within 5% but not within 0.05 absolute; 0 -> 0 passes.
    f.file(
        "a.csv",
        "model,channel,conversions,value,share\nl,A,1,10,0.25\nl,B,3,30,0.75\nl,C,0,0,0\n",
    );
    f.file(
        "b.csv",
        "model,channel,conversions,value,share\nl,A,1,10.5,0.25\nl,B,3,31,0.75\nl,C,0,0,0\n",
    );
    compare(&f)
        .args(["a.csv", "b.csv", "--metric", "value", "--tolerance", "0.05", "--relative"])
        .assert()
        .code(0)
        .stderr("compare: all 3 values within tolerance 0.05 (value, relative)\n");
    compare(&f)
        .args(["a.csv", "b.csv", "--metric", "value", "--tolerance", "0.05"])
        .assert()
        .code(1)
        .stderr("compare: 2 of 3 values beyond tolerance 0.05 (value, absolute)\n");
    // Relative to a base of 0, only an exact 0 passes.
    f.file(
        "c.csv",
        "model,channel,conversions,value,share\nl,A,1,10,0.25\nl,B,3,30,0.75\nl,C,0,0.000001,0\n",
    );
    compare(&f)
        .args([
            "a.csv",
            "c.csv",
            "--metric",
            "value",
            "--tolerance",
            "1000",
            "--relative",
            "--format",
            "csv",
        ])
        .assert()
        .code(1)
        .stdout("model,channel,base,new,difference,status\nl,C,0.000000,0.000001,0.000001,beyond\n");
}

#[test]
fn a_model_missing_on_one_side() {
    let f = Fixture::new();
    attribute_to(&f, "two.csv", &["--models", "linear,first-click"]);
    attribute_to(&f, "one.json", &["--models", "linear"]);
    let (code, stdout, stderr) = run(compare(&f).args(["two.csv", "one.json"]));
    assert_eq!(code, 1);
    let rows: Vec<Vec<&str>> = stdout.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 5, "{stdout}");
    assert!(
        rows.iter()
            .all(|r| r[0] == "first-click" && r[r.len() - 3..] == ["-", "-", "only-in-base"]),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "compare: 5 of 10 values beyond tolerance 0.01 (share, absolute); 5 only in base\n"
    );
    // The other way round the model is only in NEW.
    compare(&f)
        .args(["one.json", "two.csv", "--format", "csv", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("first-click,Direct,,0.200000,,only-in-new\n"));
}

#[test]
fn stdin_and_output_file() {
    let f = hand_pair();
    compare(&f)
        .args(["-", "new.json", "--tolerance", "0.1", "-q", "-o", "diff.csv"])
        .write_stdin(BASE)
        .assert()
        .code(1)
        .stdout("");
    let written = std::fs::read_to_string(f.path("diff.csv")).unwrap();
    assert!(
        written.starts_with("model,channel,base,new,difference,status\nfirst-click,Display,"),
        "{written}"
    );
    compare(&f)
        .args(["base.csv", "-", "-q", "-o", "diff.json"])
        .write_stdin(BASE)
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f.path("diff.json")).unwrap()).unwrap();
    assert_eq!((v["compared"].as_u64(), v["beyond"].as_u64()), (Some(4), Some(0)));
    assert_eq!(v["rows"], serde_json::json!([]));
}

/// Runs a compare that must fail with exit 2 and an empty stdout; returns stderr.
fn usage_error(f: &Fixture, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(compare(f).args(args));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "", "stdout must stay empty on error");
    stderr
}

#[test]
fn unreadable_or_malformed_inputs_exit_2_naming_the_file() {
    let f = hand_pair();
    assert_eq!(
        usage_error(&f, &["base.csv", "missing.csv"]),
        "error: cannot read `missing.csv`: No such file or directory (os error 2)\n"
    );
    f.file(
        "bad.csv",
        "model,channel,conversions,value,share\nlinear,Email,1,10,0.25\nlinear,Search,3,30,n/a\n",
    );
    assert_eq!(
        usage_error(&f, &["bad.csv", "base.csv"]),
        "error: `bad.csv` line 3, column `share`: found `n/a`, expected a number such as `0.250000`\n"
    );
    f.file("short.csv", "model,channel,conversions,value,share\nlinear,Email,1,10\n");
    assert_eq!(
        usage_error(&f, &["base.csv", "short.csv"]),
        "error: `short.csv` line 2, column `share`: found ``, expected a number such as `0.250000`\n"
    );
    f.file("long.csv", "model,channel,conversions,value,share\nlinear,Email,1,10,1,2\n");
    assert_eq!(
        usage_error(&f, &["base.csv", "long.csv"]),
        "error: `long.csv` line 2: found 6 fields, expected 5 like the header\n"
    );
    f.file(
        "bad.json",
        "{\"models\": [\n  {\"model\": \"linear\", \"credits\": [{\"channel\": \"Email\"}]}\n]}\n",
    );
    let err = usage_error(&f, &["base.csv", "bad.json"]);
    assert!(
        err.starts_with("error: `bad.json` line 2: missing field `conversions` (column ")
            && err.contains("\n\nhint: expected the JSON written by `mta attribute --format json`"),
        "{err}"
    );
    // Another command's output is not a results file.
    mta()
        .args(["markov", "--paths", "testdata/markov.csv", "--format", "csv", "-q", "-o"])
        .arg(f.path("markov.csv"))
        .assert()
        .success();
    assert_eq!(
        usage_error(&f, &["markov.csv", "base.csv"]),
        "error: column `model` not found in `markov.csv`\n\nhint: available columns are `channel`, `removal_effect`, `conversions`, `value`; \
         expected the results of `mta attribute`: CSV or Parquet with the columns `model,channel,conversions,value,share`, or its JSON\n"
    );
    f.file("empty.csv", "");
    assert!(usage_error(&f, &["empty.csv", "base.csv"]).starts_with("error: `empty.csv` is empty\n\nhint: "));
}

#[test]
fn usage_errors_exit_2() {
    let f = hand_pair();
    assert_eq!(
        usage_error(&f, &["-", "-"]),
        "error: BASE and NEW cannot both be stdin (`-`)\n\nhint: name one of them by file\n"
    );
    assert!(
        usage_error(&f, &["base.csv", "new.json", "--tolerance=-0.1"])
            .starts_with("error: `--tolerance -0.1` is not a non-negative number")
    );
    assert!(usage_error(&f, &["base.csv", "new.json", "--tolerance", "NaN"]).contains("not a non-negative number"));
    assert!(usage_error(&f, &["base.csv", "new.json", "--metric", "revenue"]).contains("invalid value 'revenue'"));
    assert!(usage_error(&f, &["base.csv"]).contains("<NEW>"));
    assert!(
        usage_error(&f, &["base.csv", "new.json", "-o", "diff.xyz"]).starts_with("error: cannot tell the output format from `diff.xyz`")
    );
    assert!(
        usage_error(&f, &["base.csv", "new.json", "-o", "diff.html"])
            .starts_with("error: `mta compare` writes table, csv, json, markdown or parquet, not html")
    );
}

#[test]
fn unwritable_output_is_an_io_error() {
    let f = hand_pair();
    compare(&f)
        .args(["base.csv", "base.csv", "-o", "/nonexistent-dir/diff.csv"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with("error: cannot write `/nonexistent-dir/diff.csv`"));
}

#[test]
fn parquet_results_compare_like_their_csv() {
    let f = Fixture::new();
    for name in ["r.csv", "r.parquet"] {
        mta()
            .args(["attribute", "testdata/events.csv", "-q", "-o"])
            .arg(f.path(name))
            .assert()
            .success();
    }
    let (code, stdout, stderr) = run(compare(&f).args(["r.csv", "r.parquet", "--tolerance", "0.000001", "--metric", "value"]));
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(stderr, "compare: all 55 values within tolerance 0.000001 (value, absolute)\n");
}
