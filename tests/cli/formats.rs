//! Every output format, to stdout and to files.

use predicates::prelude::*;

use super::*;

#[test]
fn json_carries_input_summary_and_parameters() {
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&["attribute", "testdata/events.csv", "--format", "json"])).unwrap();
    assert_eq!(v["input"]["rows_read"], 15);
    assert_eq!(v["input"]["customers"], 5);
    assert_eq!(v["input"]["journeys"], 7);
    assert_eq!(v["input"]["revenue"], 345.0);
    let models = v["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["model"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "first-click",
            "last-click",
            "last-non-direct",
            "linear",
            "position-based",
            "j-shaped",
            "inverse-j",
            "time-decay",
            "participation",
            "markov",
            "shapley"
        ]
    );
    assert_eq!(models[9]["parameters"]["order"], 1.0);
    assert_eq!(models[2]["parameters"]["direct_channel"], "Direct");
    assert_eq!(models[4]["parameters"]["position_weights"], serde_json::json!([0.4, 0.2, 0.4]));
    assert_eq!(models[7]["parameters"]["half_life_seconds"], 604800.0);
    let credit = &models[1]["credits"][0];
    assert_eq!(credit["channel"], "Direct");
    assert_eq!(credit["conversions"], 3.0);
    assert_eq!(credit["value"], 255.0);
    assert_eq!(credit["share"], 0.6);
}

#[test]
fn models_flag_sets_order_and_drops_duplicates() {
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--models",
            "linear,first-click,linear",
            "--format",
            "csv",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let models: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        models,
        ["linear"; 5].iter().chain(["first-click"; 5].iter()).copied().collect::<Vec<_>>()
    );
}

#[test]
fn table_metrics() {
    let run = |metric: &str| {
        let out = mta()
            .args([
                "attribute",
                "testdata/events.csv",
                "--models",
                "last-click",
                "--metric",
                metric,
                "-q",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let conv = run("conversions");
    assert!(conv.lines().any(|l| l.split_whitespace().eq(["Direct", "3.00"])), "{conv}");
    assert!(conv.lines().any(|l| l.split_whitespace().eq(["total", "5.00"])), "{conv}");
    let value = run("value");
    assert!(value.lines().any(|l| l.split_whitespace().eq(["Direct", "255.00"])), "{value}");
    let share = run("share");
    assert!(share.lines().any(|l| l.split_whitespace().eq(["Direct", "60.00%"])), "{share}");
    // Piped: no box-drawing characters.
    assert!(!conv.contains('│') && !conv.contains('|'), "{conv}");
}

#[test]
fn markdown_table() {
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--models",
            "first-click",
            "--format",
            "markdown",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("| channel") && lines[0].contains("first-click"), "{text}");
    assert!(lines[1].starts_with("|-"), "{text}");
    assert_eq!(lines.len(), 2 + 5 + 1);
}

#[test]
fn output_file_format_from_extension_and_override() {
    let f = Fixture::new();
    let csv_path = f.path("r.csv");
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "-o"])
        .arg(&csv_path)
        .assert()
        .success()
        .stdout("");
    let from_stdout = mta()
        .args(["attribute", "testdata/events.csv", "-q", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(&csv_path).unwrap(), from_stdout);

    let json_path = f.path("r.json");
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "-o"])
        .arg(&json_path)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(v["input"]["conversions"], 5.0);

    let forced = f.path("r.txt");
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "--format", "csv", "-o"])
        .arg(&forced)
        .assert()
        .success();
    assert_eq!(std::fs::read(&forced).unwrap(), from_stdout);
    // `-o -` is stdout.
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "--format", "csv", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::eq(from_stdout));
    // No temp file is left behind.
    let names: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains("mta-tmp")), "{names:?}");
}

#[test]
fn parquet_output_reads_back_with_the_csv_figures() {
    let f = Fixture::new();
    let p = f.path("r.parquet");
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "-o"])
        .arg(&p)
        .assert()
        .success();
    let bytes = std::fs::read(&p).unwrap();
    assert!(bytes.starts_with(b"PAR1"));
    // Read it back through mta itself: a Parquet file with the contract columns
    // is not an events file, so ask for a column it lacks and check the hint.
    mta().arg("attribute").arg(&p).assert().code(1).stderr(predicate::str::contains(
        "available columns are `model`, `channel`, `conversions`, `value`, `share`",
    ));
}

#[test]
fn unwritable_output_is_an_io_error() {
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "-o", "/nonexistent-dir/r.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: cannot write `/nonexistent-dir/r.csv`"));
}

#[test]
fn parquet_input_gives_the_csv_results() {
    let f = Fixture::new();
    // Build a Parquet copy of events.csv with typed columns through polars.
    use polars::prelude::*;
    let text = std::fs::read_to_string(testdata("events.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let (mut cust, mut ts, mut ch, mut conv, mut val) = (vec![], vec![], vec![], vec![], vec![]);
    for rec in rdr.records() {
        let r = rec.unwrap();
        cust.push(r[0].to_string());
        ts.push(chrono::DateTime::parse_from_rfc3339(&r[1]).unwrap().timestamp_millis());
        ch.push(r[2].to_string());
        conv.push(&r[3] == "1");
        val.push(r[4].parse::<f64>().ok());
    }
    let n = cust.len();
    let mut df = DataFrame::new(
        n,
        vec![
            Column::new("customer_id".into(), cust),
            Column::new("timestamp".into(), ts)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap(),
            Column::new("channel".into(), ch),
            Column::new("conversion".into(), conv),
            Column::new("value".into(), val),
        ],
    )
    .unwrap();
    let p = f.path("events.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
    assert_eq!(attribute_csv(&[p.to_str().unwrap()]), attribute_csv(&["testdata/events.csv"]));
}

#[test]
fn per_conversion_rows_split_each_conversion() {
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--per-conversion",
            "--models",
            "first-click,linear",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    // Worked out from the journeys in testdata/README.md.
    let expected = "customer_id,converted_at,model,channel,credit,value\n\
        alice,2025-01-15T09:00:00Z,first-click,Paid Search,1.000000,120.000000\n\
        alice,2025-01-15T09:00:00Z,linear,Direct,0.333333,40.000000\n\
        alice,2025-01-15T09:00:00Z,linear,Email,0.333333,40.000000\n\
        alice,2025-01-15T09:00:00Z,linear,Paid Search,0.333333,40.000000\n\
        bob,2025-01-09T08:00:00Z,first-click,Social,1.000000,60.000000\n\
        bob,2025-01-09T08:00:00Z,linear,Paid Search,0.500000,30.000000\n\
        bob,2025-01-09T08:00:00Z,linear,Social,0.500000,30.000000\n\
        bob,2025-01-12T09:00:00Z,first-click,Email,1.000000,30.000000\n\
        bob,2025-01-12T09:00:00Z,linear,Email,1.000000,30.000000\n\
        carol,2025-01-22T12:00:00Z,first-click,Display,1.000000,90.000000\n\
        carol,2025-01-22T12:00:00Z,linear,Direct,0.250000,22.500000\n\
        carol,2025-01-22T12:00:00Z,linear,Display,0.250000,22.500000\n\
        carol,2025-01-22T12:00:00Z,linear,Email,0.250000,22.500000\n\
        carol,2025-01-22T12:00:00Z,linear,Social,0.250000,22.500000\n\
        erin,2025-01-04T15:30:00Z,first-click,Direct,1.000000,45.000000\n\
        erin,2025-01-04T15:30:00Z,linear,Direct,1.000000,45.000000\n";
    assert_eq!(text, expected);
}

#[test]
fn per_conversion_rows_sum_to_the_model_totals() {
    let out = stdout_of(&["attribute", "testdata/events.csv", "--per-conversion", "--format", "json", "-q"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let totals = attribute_csv(&["testdata/events.csv"]);
    let mut sums: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for r in &rows {
        let e = sums
            .entry((r["model"].as_str().unwrap().to_string(), r["channel"].as_str().unwrap().to_string()))
            .or_default();
        e.0 += r["credit"].as_f64().unwrap();
        e.1 += r["value"].as_f64().unwrap();
    }
    for ((model, channel), row) in totals.iter().filter(|(k, _)| k.0 != "markov") {
        let (c, v) = sums.get(&(model.clone(), channel.clone())).copied().unwrap_or_default();
        assert_close(c, row.conversions, &format!("{model}/{channel}"));
        assert_close(v, row.value, &format!("{model}/{channel}"));
    }
    assert!(!sums.keys().any(|k| k.0 == "markov"));
    // Shapley splits each conversion by phi_i(N) / v(N) of its coalition N.
    assert!(sums.keys().any(|k| k.0 == "shapley"));
}

#[test]
fn per_conversion_refusals() {
    for (args, says) in [
        (
            vec!["testdata/events.csv", "--per-conversion", "--models", "markov"],
            "model `markov` has no per-conversion split",
        ),
        (vec!["--paths", "testdata/paths.csv", "--per-conversion"], "needs touchpoint events"),
        // Refused before the input is read (it does not exist).
        (
            vec!["no-such-file.csv", "--per-conversion", "--format", "markdown"],
            "`mta attribute --per-conversion` writes csv, json or parquet, not markdown (asked for by `--format`)",
        ),
        (
            vec!["no-such-file.csv", "--per-conversion", "-o", "rows.html"],
            "not html (asked for by the `-o` extension)",
        ),
    ] {
        mta()
            .arg("attribute")
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn compare_models_view_in_json_and_csv() {
    let out = stdout_of(&[
        "attribute",
        "testdata/events.csv",
        "--models",
        "first-click,last-click",
        "--compare-models",
        "--format",
        "json",
        "-q",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let direct = &v["comparison"][0];
    assert_eq!(direct["channel"], "Direct");
    // first-click: every channel 1 of 5 (all rank 1); last-click: Direct 3 of 5.
    assert_eq!(direct["models"][0]["rank"], 1);
    assert_eq!(direct["models"][1]["rank"], 1);
    assert_close(direct["disagreement"].as_f64().unwrap(), 0.4, "Direct 0.6 vs 0.2");
    assert_eq!(direct["extremes"], serde_json::json!(["last-click", "first-click"]));
    let display = &v["comparison"][1];
    assert_eq!(
        display["models"][1]["rank"], 4,
        "Display and Social share the last place under last-click"
    );
    let csv = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--models",
            "first-click,last-click",
            "--compare-models",
            "--format",
            "csv",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(
        text.starts_with(
            "channel,model,share,rank,disagreement\nDirect,first-click,0.200000,1,0.400000\nDirect,last-click,0.600000,1,0.400000\n"
        ),
        "{text}"
    );
}

#[test]
fn closed_pipe_exits_quietly_with_zero() {
    let out = run_into_closed_pipe(&Fixture::new(), &["attribute", "--per-conversion", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn piped_csv_streams_through_a_pipeline() {
    // `cat events.csv | mta attribute --format csv | sort`: stdin in, only data out.
    let bytes = std::fs::read(testdata("events.csv")).unwrap();
    let out = mta().args(["attribute", "--format", "csv"]).write_stdin(bytes).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| l.split(',').count() == 5), "only CSV rows on stdout: {text}");
    assert!(!out.stderr.is_empty(), "the summary goes to stderr");
}

#[test]
fn completions_and_man_page_come_from_the_cli_definitions() {
    for (shell, marker) in [("bash", "_mta()"), ("zsh", "#compdef mta"), ("fish", "complete -c mta")] {
        let out = mta().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("per-conversion") && text.contains("markov-order"),
            "{shell} lacks flags"
        );
    }
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".ie") && page.contains(".TH mta 1"), "{page}");
    for flag in [
        "\\-\\-per\\-conversion",
        "\\-\\-markov\\-order",
        "\\-\\-tolerance",
        "\\-\\-lookback",
    ] {
        assert!(page.contains(flag), "man page lacks {flag}");
    }
    mta().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn shapley_per_conversion_rows_are_phi_over_v() {
    // Hand-computed in testdata/README.md: in {PS, Email, Direct} phi = 0, 1/2, 1/2 (v = 1);
    // in {Display, Social, Email, Direct} phi = 1/12, 1/12, 5/12, 5/12.
    let text = stdout_of(&["attribute", "testdata/events.csv", "--per-conversion", "--models", "shapley", "-q"]);
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows.contains(&"alice,2025-01-15T09:00:00Z,shapley,Email,0.500000,60.000000"),
        "{text}"
    );
    assert!(
        rows.contains(&"carol,2025-01-22T12:00:00Z,shapley,Display,0.083333,7.500000"),
        "{text}"
    );
    assert!(
        rows.contains(&"carol,2025-01-22T12:00:00Z,shapley,Email,0.416667,37.500000"),
        "{text}"
    );
    assert!(
        rows.contains(&"erin,2025-01-04T15:30:00Z,shapley,Direct,1.000000,45.000000"),
        "{text}"
    );
}

#[test]
fn excel_safe_defuses_formula_like_names_in_csv() {
    let f = Fixture::new();
    let p = f.file(
        "x.csv",
        "customer_id,timestamp,channel,conversion,value\n=cmd|' /C calc'!A0,2025-01-01,\"=HYPERLINK(\"\"http://x\"\")\",1,10\n",
    );
    let plain = mta()
        .arg("attribute")
        .arg(&p)
        .args(["--models", "linear", "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(plain.stdout)
            .unwrap()
            .contains("linear,\"=HYPERLINK(\"\"http://x\"\")\",1.000000")
    );
    let safe = mta()
        .arg("attribute")
        .arg(&p)
        .args(["--models", "linear", "--format", "csv", "-q", "--excel-safe"])
        .output()
        .unwrap();
    let text = String::from_utf8(safe.stdout).unwrap();
    assert!(
        text.contains("linear,\"'=HYPERLINK(\"\"http://x\"\")\",1.000000,10.000000"),
        "{text}"
    );
    let rows = mta()
        .arg("attribute")
        .arg(&p)
        .args(["--models", "linear", "--per-conversion", "-q", "--excel-safe"])
        .output()
        .unwrap();
    let text = String::from_utf8(rows.stdout).unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with("'=cmd|' /C calc'!A0,"), "{text}");
}

#[test]
fn excel_safe_covers_paths_and_journeys_text_cells_only() {
    let f = Fixture::new();
    let p = f.file(
        "x.csv",
        "customer_id,timestamp,channel,conversion,value\n@evil,2025-01-01,=SUM(A1),0,\n@evil,2025-01-02,Email,1,10\n",
    );
    let run = |cmd: &str, safe: bool| {
        let mut c = mta();
        c.arg(cmd).arg(&p).arg("-q");
        if safe {
            c.arg("--excel-safe");
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run("paths", false).lines().nth(1), Some("=SUM(A1) > Email,1,10.000000,0"));
    assert_eq!(run("paths", true).lines().nth(1), Some("'=SUM(A1) > Email,1,10.000000,0"));
    let journeys = run("journeys", true);
    let row = journeys.lines().nth(1).unwrap();
    assert!(row.starts_with("'@evil,1,'=SUM(A1) > Email,2,true,10.000000,"), "{row}");
    assert!(
        run("journeys", false)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("@evil,1,=SUM(A1) > Email,2,")
    );
}
