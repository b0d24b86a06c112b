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
    // no CPA (not 0) and no ROAS; Direct and Social have no spend row.
    assert_eq!(got["Paid Search"], row("150.000000", "180.000000", "0.466667"));
    assert_eq!(got["Display"], row("45.000000", "180.000000", "0.500000"));
    assert_eq!(got["Email"], row("0.000000", "", ""));
    assert_eq!(got["Direct"], row("0.000000", "", ""));
    assert_eq!(got["Social"], row("0.000000", "", ""));
    // Without `--from`/`--to` the period is the data's days (2025-01-01 to
    // 2025-01-22): February's row is still outside it.
    let got = linear_costs(&["--costs", costs.to_str().unwrap()]);
    assert_eq!(got["Display"], row("45.000000", "180.000000", "0.500000"));
    // A period that holds February counts its spend: 1045 / 0.25.
    let got = linear_costs(&["--costs", costs.to_str().unwrap(), "--to", "2025-03-01"]);
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
            && err.contains("(6 rows; 1 row dated outside the period left out); blended CPA 99.00, ROAS 0.70"),
        "{err}"
    );
    assert!(
        err.contains("warning: left out 1,000.00 of spend (1 cost row) dated outside the period of `--from`/`--to`, the data's days (2025-01-01 to 2025-01-22) where one is not given: CPA and ROAS weigh the period's spend only; `--from`/`--to` choose the period\n"),
        "{err}"
    );
    assert!(
        err.contains("warning: spend on channels that received no credit (or are not in the input): TV (300.00)"),
        "{err}"
    );
    assert!(
        err.contains("warning: credited channels without any spend row (spend 0, no CPA or ROAS): Direct, Social"),
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
    assert!(email["cpa"].is_null(), "no spend, no cost per acquisition");
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kosten.csv` line 2, column `Datum`: found `10.01.2025`"));
    // The hint names the costs' own flag, not the events' `--time-format`.
    assert!(
        stderr.contains("`--cost-date-format '%d.%m.%Y'`") && !stderr.contains("--time-format"),
        "{stderr}"
    );
    let got = linear_costs(&[&args[..], &["--cost-date-format", "%d.%m.%Y"]].concat());
    assert_eq!(got["Display"][0], "45.000000", "February's row is outside the period");
}

/// Daily spend for the whole of 2026: Paid Search 10, Email 1 a day.
fn year_of_costs() -> String {
    let mut text = String::from("date,channel,spend\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    while day.format("%Y").to_string() == "2026" {
        text.push_str(&format!("{day},Paid Search,10\n{day},Email,1\n"));
        day = day.succ_opt().unwrap();
    }
    text
}

/// The raw shop export's flags (testdata/README.md), reloaded orders
/// counted once.
fn shop() -> Vec<&'static str> {
    [&[SHOP][..], &SHOP_FLAGS, &["--order-col", "order_id"]].concat()
}

/// `mta attribute` of last click on the shop export, with `args` and `--costs costs`.
fn shop_last_click(costs: &Path, args: &[&str]) -> std::process::Output {
    mta()
        .arg("attribute")
        .args(shop())
        .args(["--models", "last-click"])
        .args(args)
        .arg("--costs")
        .arg(costs)
        .output()
        .unwrap()
}

/// Its JSON document; the run must succeed.
fn shop_last_click_json(costs: &Path, args: &[&str]) -> serde_json::Value {
    let out = shop_last_click(costs, &[args, &["--format", "json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn spend_outside_the_data_s_days_is_left_out_with_a_warning() {
    // A year of costs, events of 2026-09-01 to 2026-09-06: six days of
    // spend (60 + 6) against revenue 435, not 365 days (3650 + 365).
    let f = Fixture::new();
    let costs = f.file("costs.csv", year_of_costs());
    let out = shop_last_click(&costs, &["--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["input"]["costs"];
    assert_eq!((&c["total_spend"], &c["rows_outside_period"]), (&66.0.into(), &(730 - 12).into()));
    assert_eq!(c["spend_outside_period"], 4015.0 - 66.0);
    assert!((c["blended_roas"].as_f64().unwrap() - 435.0 / 66.0).abs() < 1e-12);
    assert!(
        err.contains("warning: left out 3,949.00 of spend (718 cost rows) dated outside the days of the data, 2026-09-01 to 2026-09-06 (its first touch to its last touch or conversion, in `--timezone`): CPA and ROAS weigh the period's spend only; `--from`/`--to` choose the period\n"),
        "{err}"
    );
    // `--from`/`--to` choose the period: September's 30 days.
    let v = shop_last_click_json(&costs, &["--from", "2026-09-01", "--to", "2026-10-01"]);
    assert_eq!(v["input"]["costs"]["total_spend"], 330.0);
    // The days are those of `--timezone`: in Berlin the last touch (20:00
    // UTC on 09-06) is 22:00 on the same day, and the first (10:00) too.
    let v = shop_last_click_json(&costs, &["--timezone", "Europe/Berlin"]);
    assert_eq!(v["input"]["costs"]["total_spend"], 66.0);
}

#[test]
fn spend_by_period_weighs_each_period_s_credit_against_its_spend() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", year_of_costs());
    let out = shop_last_click(&costs, &["--by", "day", "--format", "csv"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("period,model,channel,conversions,value,share,spend,cpa,roas"));
    let rows: BTreeMap<(String, String), String> = lines
        .map(|l| {
            let c: Vec<&str> = l.splitn(4, ',').collect();
            ((c[0].to_string(), c[2].to_string()), c[3].to_string())
        })
        .collect();
    // By hand: 09-02 anna's purchase (120) is Email's last click: CPA 1 / 1,
    // ROAS 120 / 1; Paid Search spent 10 that day and got nothing: no CPA,
    // ROAS 0. 09-05 carla's two purchases (235) are Paid Search's: 10 / 2, 235 / 10.
    let get = |day: &str, channel: &str| rows[&(format!("2026-09-{day}"), channel.to_string())].clone();
    assert_eq!(get("02", "Email"), "1.000000,120.000000,1.000000,1.000000,1.000000,120.000000");
    assert_eq!(get("02", "Paid Search"), "0.000000,0.000000,0.000000,10.000000,,0.000000");
    assert_eq!(
        get("05", "Paid Search"),
        "2.000000,235.000000,1.000000,10.000000,5.000000,23.500000"
    );
    assert_eq!(get("03", "AI Assistant"), "1.000000,80.000000,1.000000,0.000000,,");
    // Days with spend and no conversion are named; the summary has the whole period's.
    assert!(
        err.contains("warning: spend in periods without a conversion, in no row of the results: 2026-09-01 (11.00), 2026-09-04 (11.00), 2026-09-06 (11.00)"),
        "{err}"
    );
    assert!(err.contains("spend 66.00 from "), "{err}");
    // Undated costs cannot be split by period.
    let undated = f.file("undated.csv", "channel,spend\nEmail,5\n");
    let out = mta()
        .arg("attribute")
        .args(shop())
        .args(["--by", "month", "--costs"])
        .arg(&undated)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no date column"));
}

#[test]
fn a_ga4_cost_import_gets_its_channels_from_the_events_rules() {
    // GA4's cost data import: UTM columns, no channel.
    let f = Fixture::new();
    let utm = f.file(
        "cost_import.csv",
        "date,utm_source,utm_medium,utm_campaign,cost\n2026-09-01,google,cpc,brand,40\n2026-09-02,newsletter,email,sept,4\n2026-09-03,google,cpc,generic,20\n",
    );
    let named = f.file("costs.csv", "date,channel,spend\n2026-09-01,Paid Search,60\n2026-09-02,Email,4\n");
    let run = |costs: &Path, extra: &[&str]| {
        let out = mta()
            .arg("attribute")
            .args(shop())
            .args(["--models", "linear", "--format", "csv", "--costs"])
            .arg(costs)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (from_utm, err) = run(&utm, &["--cost-col", "cost"]);
    let (from_named, _) = run(&named, &[]);
    assert_eq!(from_utm, from_named);
    assert!(
        err.contains("note: `") && err.contains("cost_import.csv` has no `channel` column: its channels come from `utm_source` and `utm_medium` by the events' channel rules"),
        "{err}"
    );
    // Neither a channel nor source and medium: the error says both ways.
    let bad = f.file("bad.csv", "date,spend\n2026-09-01,5\n");
    let out = mta().arg("attribute").args(shop()).arg("--costs").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("column `channel` not found") && err.contains("`utm_source` and `utm_medium`"),
        "{err}"
    );
}

#[test]
fn the_costs_file_has_an_encoding_and_decimal_comma_of_its_own() {
    // A German cost sheet (windows-1252, `;`, `1.234,50`, German dates)
    // beside the UTF-8 shop export.
    let f = Fixture::new();
    let sheet: Vec<u8> = "Datum;channel;spend\n01.09.2026;Paid Search;1.234,50\n02.09.2026;Prüfung;7,00\n"
        .chars()
        .map(|c| if c == 'ü' { 0xFC } else { c as u8 })
        .collect();
    let costs = f.file("kosten.csv", sheet);
    let args = [
        "--costs",
        costs.to_str().unwrap(),
        "--cost-date-col",
        "Datum",
        "--cost-date-format",
        "%d.%m.%Y",
        "--format",
        "json",
    ];
    let v: serde_json::Value = serde_json::from_str(&stdout_of(
        &[
            &["attribute"][..],
            &shop()[..],
            &args,
            &["--cost-encoding", "windows-1252", "--cost-decimal-comma"],
        ]
        .concat(),
    ))
    .unwrap();
    assert_eq!(v["input"]["costs"]["total_spend"], 1241.5);
    assert_eq!(v["input"]["costs"]["spend_without_credit"], serde_json::json!(["Prüfung"]));
    // Without the cost flags the events' (UTF-8, decimal points) apply.
    let out = mta().arg("attribute").args(shop()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--encoding windows-1252"),
        "{:?}",
        out
    );
    // German events, a UTF-8 costs file with decimal points: `=false`.
    let plain = f.file("costs.csv", "channel,spend\nEmail,12.5\n");
    let out = mta()
        .args([
            "attribute",
            "testdata/excel_de.csv",
            "--format",
            "json",
            "-q",
            "--encoding",
            "windows-1252",
            "--decimal-comma",
        ])
        .args([
            "--customer-col",
            "Kunde",
            "--time-col",
            "Zeitpunkt",
            "--channel-col",
            "Kanal",
            "--conversion-col",
            "Kauf",
            "--value-col",
            "Umsatz (€)",
            "--time-format",
            "%d.%m.%Y %H:%M",
            "--cost-decimal-comma=false",
            "--cost-encoding",
            "utf-8",
            "--costs",
        ])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["input"]["costs"]["total_spend"], 12.5);
}

#[test]
fn monthly_spend_is_spread_over_the_month_s_days() {
    // Touches from 10 to 19 January: 10 of January's 31 days. January's
    // 310 is 10 a day, so 100 is kept; February's 280 is outside.
    let f = Fixture::new();
    let events = f.file(
        "events.csv",
        "customer_id,timestamp,channel,conversion,value\na,2026-01-10T10:00:00Z,Email,0,0\na,2026-01-19T10:00:00Z,Email,1,50\n",
    );
    let run = |costs: &str, extra: &[&str]| {
        let c = f.file("costs.csv", costs);
        mta()
            .args([
                "attribute",
                events.to_str().unwrap(),
                "--costs",
                c.to_str().unwrap(),
                "--cost-date-col",
                "date",
            ])
            .args(["--models", "linear", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap()
    };
    let spend = |out: &std::process::Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let row = text.lines().nth(1).unwrap().to_string();
        row.split(',').nth(5).unwrap().parse::<f64>().unwrap()
    };
    let out = run("channel,spend,date\nEmail,310,2026-01\nEmail,280,2026-02\n", &[]);
    assert_close(spend(&out), 100.0, "ten of January's days");
    assert!(String::from_utf8_lossy(&out.stderr).contains("left out 490.00 of spend (2 cost rows)"));
    // `12/2025`-style months with a pattern without a day; the whole of January with `--from`/`--to`.
    let out = run(
        "channel,spend,date\nEmail,310,01/2026\nEmail,300,12/2025\n",
        &["--cost-date-format", "%m/%Y", "--from", "2026-01-01", "--to", "2026-02-01"],
    );
    assert_close(spend(&out), 310.0, "all of January");
    // Half of a month by `--from`: the 16th to the 31st of January.
    let out = run(
        "channel,spend,date\nEmail,310,01/2026\n",
        &["--cost-date-format", "%m/%Y", "--from", "2026-01-16", "--to", "2026-02-01"],
    );
    assert_close(spend(&out), 160.0, "16 of January's days");
    // A value that is no month under the pattern: its line, and the flag.
    let out = run(
        "channel,spend,date\nEmail,310,01/2026\nEmail,3,2026-1\n",
        &["--cost-date-format", "%m/%Y"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("`--cost-date-format`"), "{stderr}");
}

#[test]
fn spend_amounts_are_checked_like_revenue() {
    let events = testdata("events.csv");
    let f = Fixture::new();
    let run = |costs: &str, extra: &[&str]| {
        let c = f.file("costs.csv", costs);
        mta()
            .args(["attribute", events.to_str().unwrap(), "--costs", c.to_str().unwrap()])
            .args(["--models", "linear", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap()
    };
    let spend_of = |out: &std::process::Output, channel: &str| -> f64 {
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("linear,{channel},")))
            .unwrap()
            .to_string();
        line.split(',').nth(5).unwrap().parse().unwrap()
    };
    // German thousands without `--cost-decimal-comma`: read as decimals, warned.
    let out = run("channel,spend\nDisplay,1.000\nEmail,2.500\n", &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(spend_of(&out, "Display"), 1.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: `")
            && stderr.contains("column `spend`: 2 values shaped like")
            && stderr.contains("`--cost-decimal-comma`"),
        "{stderr}"
    );
    // With the flag, and with euro signs: 1,000 and 1,250.50.
    let out = run("channel;spend\nDisplay;1.000 €\nEmail;€ 1.250,50\n", &["--cost-decimal-comma"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((spend_of(&out, "Display"), spend_of(&out, "Email")), (1000.0, 1250.5));
    // Euros and dollars in one sheet: an error at the dollar row.
    let out = run("channel,spend\nDisplay,EUR 100\nEmail,$50\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("EUR and USD"), "{stderr}");
}
