//! `--costs`: spend, CPA and ROAS per channel and model.
//!
//! testdata/events.csv under linear (testdata/README.md): Direct 1.583333
//! (107.5), Display 0.25 (22.5), Email 1.583333 (92.5), Paid Search
//! 0.833333 (70), Social 0.75 (52.5); 5 conversions, revenue 345.

use super::*;

/// January's spend, plus a February row and a channel nobody credited.
const COSTS: &str = "date,channel,spend
2025-01-01,Paid Search,100
2025-01-15,paid search,50
2025-01-10,Display,45
2025-02-01,Display,1000
2025-01-05,Email,0
2025-01-05,TV,300
";

/// `model,channel,...,spend,cpa,roas` rows of linear, by channel.
fn linear_costs(args: &[&str]) -> BTreeMap<String, Vec<String>> {
    let events = testdata("events.csv");
    let out = stdout_of(
        &[
            &["attribute", events.to_str().unwrap(), "--models", "linear", "--format", "csv", "-q"],
            args,
        ]
        .concat(),
    );
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("model,channel,conversions,value,share,spend,cpa,roas"));
    lines
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(String::from).collect();
            (cells[1].clone(), cells[5..].to_vec())
        })
        .collect()
}

#[test]
fn cpa_and_roas_by_hand() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", COSTS);
    let got = linear_costs(&["--costs", costs.to_str().unwrap(), "--to", "2025-02-01"]);
    let row = |spend: &str, cpa: &str, roas: &str| vec![spend.to_string(), cpa.to_string(), roas.to_string()];
    // Paid Search: 150 / 0.833333 = 180, 70 / 150; Display: 45 / 0.25 = 180,
    // 22.5 / 45 (February's 1000 is outside the period); Email: spend 0, so
    // CPA 0 and no ROAS; Direct and Social have no spend row.
    assert_eq!(got["Paid Search"], row("150.000000", "180.000000", "0.466667"));
    assert_eq!(got["Display"], row("45.000000", "180.000000", "0.500000"));
    assert_eq!(got["Email"], row("0.000000", "0.000000", ""));
    assert_eq!(got["Direct"], row("0.000000", "0.000000", ""));
    assert_eq!(got["Social"], row("0.000000", "0.000000", ""));
    // Without the period, February's Display spend counts: 1045 / 0.25.
    let got = linear_costs(&["--costs", costs.to_str().unwrap()]);
    assert_eq!(got["Display"], row("1045.000000", "4180.000000", "0.021531"));
}

#[test]
fn summary_and_warnings_name_the_blended_figures_and_the_mismatches() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", COSTS);
    let events = testdata("events.csv");
    let args = [
        "attribute",
        events.to_str().unwrap(),
        "--costs",
        costs.to_str().unwrap(),
        "--to",
        "2025-02-01",
    ];
    let out = mta().args(args).args(["--models", "linear"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    // 150 + 45 + 0 + 300 = 495 kept; 495 / 5 conversions; 345 / 495.
    assert!(
        err.contains("spend 495.00 from ")
            && err.contains("(6 rows; 1 dated rows outside --from/--to left out); blended CPA 99.00, ROAS 0.70"),
        "{err}"
    );
    assert!(
        err.contains("warning: spend on channels that received no credit (or are not in the input): TV (300.00)"),
        "{err}"
    );
    assert!(
        err.contains("warning: credited channels without any spend row (spend 0, no ROAS): Direct, Social"),
        "{err}"
    );

    let json = stdout_of(&[&args[..], &["--models", "linear", "--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let c = &v["input"]["costs"];
    assert_eq!(c["total_spend"], 495.0);
    assert_eq!(c["blended_cpa"], 99.0);
    assert!((c["blended_roas"].as_f64().unwrap() - 345.0 / 495.0).abs() < 1e-12);
    assert_eq!(c["rows_outside_period"], 1);
    let credits = v["models"][0]["credits"].as_array().unwrap();
    let email = credits.iter().find(|c| c["channel"] == "Email").unwrap();
    assert_eq!(email["spend"], 0.0);
    assert_eq!(email["cpa"], 0.0);
    assert!(email["roas"].is_null());

    let html = stdout_of(&[&args[..], &["--models", "linear", "--format", "html"]].concat());
    for card in [
        "<dt>total spend</dt><dd>495.00</dd>",
        "<dt>blended CPA</dt><dd>99.00</dd>",
        "<dt>blended ROAS</dt><dd>0.70</dd>",
    ] {
        assert!(html.contains(card), "{card}");
    }

    // The table's total row is blended per model: ROAS 345 / 495.
    let table = stdout_of(&[&args[..], &["--models", "linear,last-click", "--metric", "roas", "-q"]].concat());
    let total = table.lines().find(|l| l.trim_start().starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().collect::<Vec<_>>(), ["total", "0.70", "0.70"]);
}

#[test]
fn bootstrap_intervals_follow_from_the_credit_intervals() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", COSTS);
    let events = testdata("events.csv");
    let out = stdout_of(&[
        "attribute",
        events.to_str().unwrap(),
        "--costs",
        costs.to_str().unwrap(),
        "--models",
        "linear",
        "--bootstrap",
        "50",
        "--seed",
        "3",
        "--format",
        "csv",
        "-q",
    ]);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "model,channel,conversions,value,share,spend,cpa,roas,conversions_lo,conversions_hi,value_lo,value_hi,cpa_lo,cpa_hi,roas_lo,roas_hi"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut checked = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let num = |name: &str| rec[col(name)].parse::<f64>().ok();
        let spend = num("spend").unwrap();
        if spend == 0.0 {
            assert_eq!(&rec[col("roas_lo")], "", "{rec:?}");
            continue;
        }
        checked += 1;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-5 * b.abs().max(1.0);
        assert!(close(num("cpa_lo").unwrap(), spend / num("conversions_hi").unwrap()), "{rec:?}");
        assert!(close(num("roas_hi").unwrap(), num("value_hi").unwrap() / spend), "{rec:?}");
        assert!(num("roas_lo").unwrap() <= num("roas").unwrap() + 1e-9 && num("roas").unwrap() <= num("roas_hi").unwrap() + 1e-9);
    }
    assert_eq!(checked, 2, "Paid Search and Display have spend");
}

#[test]
fn bad_costs_are_errors_naming_line_and_column() {
    let f = Fixture::new();
    let events = testdata("events.csv");
    let cases = [
        (
            "neg.csv",
            "channel,spend\nEmail,10\nDisplay,-5\n",
            "neg.csv` line 3, column `spend`: found `-5`",
        ),
        (
            "text.csv",
            "channel,spend\nEmail,lots\n",
            "text.csv` line 2, column `spend`: found `lots`",
        ),
        ("nospend.csv", "channel,cost\nEmail,10\n", "column `spend` not found"),
        (
            "date.csv",
            "channel,spend,date\nEmail,10,yesterday\n",
            "date.csv` line 2, column `date`",
        ),
    ];
    for (name, content, want) in cases {
        let costs = f.file(name, content);
        let out = mta()
            .args(["attribute", events.to_str().unwrap(), "--costs", costs.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(want), "{name}: {err}");
    }
    // Other column names, and a `;` file read on its own delimiter.
    let costs = f.file("other.csv", "Kanal;Kosten\nDisplay;45\n");
    let got = linear_costs(&[
        "--costs",
        costs.to_str().unwrap(),
        "--cost-channel-col",
        "Kanal",
        "--cost-col",
        "Kosten",
    ]);
    assert_eq!(got["Display"][1], "180.000000");
}

#[test]
fn cost_metrics_and_combinations_are_usage_errors() {
    let events = testdata("events.csv");
    let f = Fixture::new();
    let costs = f.file("costs.csv", COSTS);
    for args in [
        vec!["--metric", "cpa"],
        vec!["--costs", costs.to_str().unwrap(), "--by", "conversion-type"],
        vec!["--costs", costs.to_str().unwrap(), "--per-conversion"],
    ] {
        let out = mta().args(["attribute", events.to_str().unwrap()]).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn gzip_and_parquet_costs_read_like_csv() {
    let f = Fixture::new();
    let csv_file = f.file("costs.csv", COSTS);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, COSTS.as_bytes()).unwrap();
    let gz_file = f.file("costs.csv.gz", gz.finish().unwrap());
    // Parquet through mta itself: the per-channel rows of a journeys export
    // are not costs, so write the CSV's rows with polars instead.
    let mut df = polars::prelude::df!(
        "date" => ["2025-01-01", "2025-01-15", "2025-01-10", "2025-02-01", "2025-01-05", "2025-01-05"],
        "channel" => ["Paid Search", "paid search", "Display", "Display", "Email", "TV"],
        "spend" => [100.0, 50.0, 45.0, 1000.0, 0.0, 300.0]
    )
    .unwrap();
    let pq_file = f.path("costs.parquet");
    polars::prelude::ParquetWriter::new(std::fs::File::create(&pq_file).unwrap())
        .finish(&mut df)
        .unwrap();
    let want = linear_costs(&["--costs", csv_file.to_str().unwrap(), "--to", "2025-02-01"]);
    for file in [&gz_file, &pq_file] {
        assert_eq!(
            linear_costs(&["--costs", file.to_str().unwrap(), "--to", "2025-02-01"]),
            want,
            "{}",
            file.display()
        );
    }
}

#[test]
fn german_cost_dates_read_with_a_pattern() {
    let f = Fixture::new();
    let costs = f.file(
        "kosten.csv",
        "Kanal;Kosten;Datum\nDisplay;45;10.01.2025\nDisplay;1.000;01.02.2025\n",
    );
    let args = [
        "--costs",
        costs.to_str().unwrap(),
        "--cost-channel-col",
        "Kanal",
        "--cost-col",
        "Kosten",
        "--cost-date-col",
        "Datum",
        "--to",
        "2025-02-01",
    ];
    let events = testdata("events.csv");
    let out = mta().args(["attribute", events.to_str().unwrap()]).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kosten.csv` line 2, column `Datum`: found `10.01.2025`"));
    let got = linear_costs(&[&args[..], &["--cost-date-format", "%d.%m.%Y"]].concat());
    assert_eq!(got["Display"][0], "45.000000", "February's row is outside the period");
}
