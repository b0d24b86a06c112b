//! `--by day|week|month`: credit over time, periods in `--timezone`, sums
//! equal to the undivided run, combined with conversion types, and the
//! table's column per period.

use super::conversion_types::TYPED;
use super::*;

fn run(args: &[&str]) -> String {
    stdout_of(&[&["attribute"], args, &["-q"]].concat())
}

/// Rows of `--by` CSV output: (leading columns as one text, model, channel) -> (conversions, value, share).
fn rows(csv: &str, leading: usize) -> BTreeMap<(String, String, String), (f64, f64, f64)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[leading + i].parse::<f64>().unwrap();
            (
                (f[..leading].join(","), f[leading].to_string(), f[leading + 1].to_string()),
                (n(2), n(3), n(4)),
            )
        })
        .collect()
}

#[test]
fn months_add_up_to_the_undivided_run_for_every_model() {
    let f = generated(400, 5, 6);
    let events = f.path("events.csv");
    let events = events.to_str().unwrap();
    // JSON: full precision, for sums compared to 1e-9 of the totals.
    let json = |args: &[&str]| -> Vec<(String, String, String, f64, f64, f64)> {
        let doc: serde_json::Value = serde_json::from_str(&run(&[args, &["--format", "json"]].concat())).unwrap();
        let mut out = Vec::new();
        for m in doc["models"].as_array().unwrap() {
            for c in m["credits"].as_array().unwrap() {
                out.push((
                    m["period"].as_str().unwrap_or("").to_string(),
                    m["model"].as_str().unwrap().to_string(),
                    c["channel"].as_str().unwrap().to_string(),
                    c["conversions"].as_f64().unwrap(),
                    c["value"].as_f64().unwrap(),
                    c["share"].as_f64().unwrap(),
                ));
            }
        }
        out
    };
    let whole = json(&[events]);
    let split = json(&[events, "--by", "month"]);
    let periods: std::collections::BTreeSet<&str> = split.iter().map(|k| k.0.as_str()).collect();
    assert!(periods.len() >= 3, "the data spans months: {periods:?}");
    let models: std::collections::BTreeSet<&str> = whole.iter().map(|k| k.1.as_str()).collect();
    assert_eq!(models.len(), 11, "every model");
    for (_, model, channel, conversions, value, _) in &whole {
        let parts: Vec<_> = split.iter().filter(|k| &k.1 == model && &k.2 == channel).collect();
        assert_eq!(parts.len(), periods.len(), "{model} {channel}: every channel in every period");
        let conv: f64 = parts.iter().map(|p| p.3).sum();
        let val: f64 = parts.iter().map(|p| p.4).sum();
        assert!(
            (conv - conversions).abs() <= 1e-9 * conversions.abs().max(1.0),
            "{model} {channel} {conv}"
        );
        assert!((val - value).abs() <= 1e-9 * value.abs().max(1.0), "{model} {channel} {val}");
    }
    // Shares are within the period and model: they sum to 1.
    for period in &periods {
        for model in ["linear", "markov", "shapley"] {
            let share: f64 = split.iter().filter(|k| k.0 == *period && k.1 == model).map(|k| k.5).sum();
            assert!((share - 1.0).abs() < 1e-9, "{period} {model}: {share}");
        }
    }
    let by = run(&[events, "--by", "month", "--format", "csv"]);
    assert!(by.starts_with("period,model,channel,conversions,value,share\n"), "{by}");
    // Row order does not matter.
    let text = std::fs::read_to_string(events).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = f.file("reversed.csv", format!("{header}\n{}\n", lines.join("\n")));
    assert_eq!(run(&[reversed.to_str().unwrap(), "--by", "month", "--format", "csv"]), by);
}

/// One touch per journey, converting at the listed instants, so last-click
/// credits each conversion to its period whole. 2026-03-29 and 2026-10-25
/// are the Sundays Berlin changes to and from summer time.
const EDGES: &str = "customer_id,timestamp,channel,conversion,value
a,2026-03-29T00:30:00Z,Search,1,1
b,2026-03-29T22:30:00Z,Email,1,2
c,2026-03-31T22:30:00Z,Social,1,4
d,2026-10-25T23:30:00Z,Search,1,8
e,2026-12-31T23:30:00Z,Email,1,16
";

/// `(period, channel, value)` of last-click's non-zero credits.
fn last_click(f: &Fixture, by: &str, zone: &str) -> Vec<(String, String, f64)> {
    let file = f.file("edges.csv", EDGES);
    let out = run(&[
        file.to_str().unwrap(),
        "--by",
        by,
        "--timezone",
        zone,
        "--models",
        "last-click",
        "--format",
        "csv",
    ]);
    rows(&out, 1)
        .into_iter()
        .filter(|(_, v)| v.0 > 0.0)
        .map(|((p, _, c), v)| (p, c, v.1))
        .collect()
}

fn expect(list: &[(&str, &str, f64)]) -> Vec<(String, String, f64)> {
    list.iter().map(|&(p, c, v)| (p.into(), c.into(), v)).collect()
}

#[test]
fn months_and_iso_weeks_follow_the_wall_clock_of_the_timezone_across_dst() {
    let f = Fixture::new();
    // UTC: a and b on Sunday 29 March (ISO week from 23 March), c on 31
    // March, d on Sunday 25 October (week from 19 October), e on 31 December.
    assert_eq!(
        last_click(&f, "month", "UTC"),
        expect(&[
            ("2026-03", "Email", 2.0),
            ("2026-03", "Search", 1.0),
            ("2026-03", "Social", 4.0),
            ("2026-10", "Search", 8.0),
            ("2026-12", "Email", 16.0),
        ])
    );
    // Berlin: a is 01:30 CET on the 29th (before the switch); b is 00:30
    // CEST on Monday the 30th (next ISO week); c is 00:30 CEST on 1 April;
    // d is 00:30 CET on Monday 26 October; e is 00:30 on 1 January 2027,
    // whose ISO week starts on Monday 28 December 2026.
    assert_eq!(
        last_click(&f, "month", "Europe/Berlin"),
        expect(&[
            ("2026-03", "Email", 2.0),
            ("2026-03", "Search", 1.0),
            ("2026-04", "Social", 4.0),
            ("2026-10", "Search", 8.0),
            ("2027-01", "Email", 16.0),
        ])
    );
    assert_eq!(
        last_click(&f, "week", "UTC"),
        expect(&[
            ("2026-03-23", "Email", 2.0),
            ("2026-03-23", "Search", 1.0),
            ("2026-03-30", "Social", 4.0),
            ("2026-10-19", "Search", 8.0),
            ("2026-12-28", "Email", 16.0),
        ])
    );
    assert_eq!(
        last_click(&f, "week", "Europe/Berlin"),
        expect(&[
            ("2026-03-23", "Search", 1.0),
            ("2026-03-30", "Email", 2.0),
            ("2026-03-30", "Social", 4.0),
            ("2026-10-26", "Search", 8.0),
            ("2026-12-28", "Email", 16.0),
        ])
    );
    assert_eq!(
        last_click(&f, "day", "Europe/Berlin"),
        expect(&[
            ("2026-03-29", "Search", 1.0),
            ("2026-03-30", "Email", 2.0),
            ("2026-04-01", "Social", 4.0),
            ("2026-10-26", "Search", 8.0),
            ("2027-01-01", "Email", 16.0),
        ])
    );
}

#[test]
fn periods_combine_with_conversion_types_in_the_order_given() {
    let f = Fixture::new();
    let typed = TYPED.replace(",Lead", ",lead").replace("2025-02-05", "2025-03-05");
    let file = f.file("typed.csv", typed);
    let file = file.to_str().unwrap();
    let type_first = run(&[file, "--by", "conversion-type,month", "--models", "linear", "--format", "csv"]);
    assert!(type_first.starts_with("conversion_type,period,model,channel,"), "{type_first}");
    let leading = |csv: &str| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for l in csv.lines().skip(1) {
            let key = l.split(',').take(2).collect::<Vec<_>>().join(",");
            if seen.last() != Some(&key) {
                seen.push(key);
            }
        }
        seen
    };
    // u1's lead converts in March, u2's in February; purchases in February.
    assert_eq!(leading(&type_first), ["lead,2025-02", "lead,2025-03", "purchase,2025-02"]);
    let month_first = run(&[file, "--by", "month,conversion-type", "--models", "linear", "--format", "csv"]);
    assert!(month_first.starts_with("period,conversion_type,model,channel,"), "{month_first}");
    assert_eq!(leading(&month_first), ["2025-02,lead", "2025-02,purchase", "2025-03,lead"]);
    // Each type's months add up to that type's run (purchase: a single month).
    let purchase = run(&[file, "--by", "conversion-type", "--models", "linear", "--format", "csv"]);
    let by_type: Vec<&str> = purchase.lines().filter(|l| l.starts_with("purchase,")).collect();
    let by_month: Vec<String> = type_first
        .lines()
        .filter_map(|l| l.strip_prefix("purchase,2025-02,"))
        .map(|l| format!("purchase,{l}"))
        .collect();
    assert_eq!(by_type, by_month);
    // JSON: the period on each model entry, after the type.
    let json = run(&[file, "--by", "conversion-type,month", "--models", "linear", "--format", "json"]);
    let mut at = 0;
    for (t, p) in [("lead", "2025-02"), ("lead", "2025-03"), ("purchase", "2025-02")] {
        let entry = format!("\"conversion_type\": \"{t}\",\n      \"period\": \"{p}\",\n      \"model\": \"linear\"");
        at += json[at..].find(&entry).unwrap_or_else(|| panic!("{entry} after byte {at}: {json}"));
    }
}

#[test]
fn the_table_shows_a_block_per_period_or_one_model_s_shares_side_by_side() {
    let f = Fixture::new();
    let file = f.file("edges.csv", EDGES);
    let file = file.to_str().unwrap();
    let blocks = run(&[file, "--by", "month", "--models", "last-click,linear"]);
    let march = blocks.find("period: 2026-03\n").unwrap();
    let october = blocks.find("period: 2026-10\n").unwrap();
    assert!(march < october, "{blocks}");
    let shares = run(&[file, "--by", "month", "--models", "last-click", "--metric", "share"]);
    let lines: Vec<&str> = shares.lines().collect();
    assert_eq!(lines[0], "last-click (share by period)");
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["channel", "2026-03", "2026-10", "2026-12"]
    );
    // March: Email 1, Search 1, Social 1 of 3; October: Search; December: Email.
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["Email", "33.33%", "0.00%", "100.00%"]
    );
    assert_eq!(lines.last().unwrap().split_whitespace().collect::<Vec<_>>()[1..], ["100.00%"; 3]);
}

#[test]
fn compare_matches_periods_in_csv_and_json() {
    let f = Fixture::new();
    let file = f.file("edges.csv", EDGES);
    let file = file.to_str().unwrap();
    let csv = f.file("by.csv", run(&[file, "--by", "week", "--format", "csv"]));
    let json = f.file("by.json", run(&[file, "--by", "week", "--format", "json"]));
    mta()
        .args(["compare", csv.to_str().unwrap(), json.to_str().unwrap()])
        .assert()
        .success();
    let moved = std::fs::read_to_string(&csv).unwrap().replace(
        "2026-10-19,linear,Search,1.000000,8.000000,1.000000",
        "2026-10-19,linear,Search,1.000000,8.000000,0.500000",
    );
    let moved = f.file("moved.csv", moved);
    let out = mta()
        .args(["compare", json.to_str().unwrap(), moved.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "period,model,channel,base,new,difference,status\n2026-10-19,linear,Search,1.000000,0.500000,-0.500000,beyond\n"
    );
}

#[test]
fn what_cannot_be_split_by_period_says_so() {
    let f = Fixture::new();
    let file = f.file("edges.csv", EDGES);
    let file = file.to_str().unwrap();
    for (args, expected) in [
        (vec![file, "--by", "day,month"], "`--by` takes one period"),
        (vec!["--paths", "testdata/paths.csv", "--by", "month"], "needs conversion times"),
        (
            vec![file, "--by", "month", "--bootstrap", "10"],
            "`--bootstrap` cannot be split by period",
        ),
        (
            vec![file, "--by", "month,conversion-type", "--format", "html"],
            "`--by day|week|month` alone charts",
        ),
        (
            vec![file, "--by", "month", "--per-conversion"],
            "`--per-conversion` cannot be split",
        ),
    ] {
        let out = mta().arg("attribute").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

/// `mta report` with `args`, the page's text.
fn report(f: &Fixture, args: &[&str]) -> String {
    let page = f.path("report.html");
    let out = mta().arg("report").args(args).args(["-q", "-o"]).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&page).unwrap()
}

#[test]
fn the_html_report_charts_the_data_driven_model_s_share_over_time() {
    let f = Fixture::new();
    let file = f.file("edges.csv", EDGES);
    let file = file.to_str().unwrap();
    let html = report(&f, &[file, "--by", "month", "--models", "last-click,shapley"]);
    assert!(html.contains("<a href=\"#over-time\">Over time</a>") && html.contains("<h2>Share over time</h2>"));
    // Shapley (no Markov asked): one touch per journey, so each channel's
    // share of a month is its conversions' share. Three channels: one
    // line each, a point per month.
    assert!(html.contains("of the <strong>shapley</strong> model"), "{html}");
    assert_eq!(html.matches("<polyline ").count(), 3);
    for point in [
        "Email · 2026-03: 33.3%",
        "Search · 2026-10: 100.0%",
        "Email · 2026-12: 100.0%",
        "Social · 2026-12: 0.0%",
    ] {
        assert!(html.contains(point), "{point}");
    }
    // Without `--by`, no section; with more channels than colours, a chart per channel.
    assert!(!report(&f, &[file]).contains("over-time"));
    let many: String = (0..10)
        .map(|k| format!("c{k},2026-0{}-01T12:00:00Z,ch{k},1,1\n", 1 + k % 3))
        .collect();
    let many = f.file("many.csv", format!("customer_id,timestamp,channel,conversion,value\n{many}"));
    let html = report(&f, &[many.to_str().unwrap(), "--by", "week"]);
    assert!(html.contains("of the <strong>markov</strong> model") && html.contains("<div class=\"multiples\">"));
    assert_eq!(html.matches("<polyline ").count(), 10);
    // `attribute --format html` too, with the period alone.
    let page = stdout_of(&["attribute", file, "--by", "month", "--models", "shapley", "--format", "html", "-q"]);
    assert!(page.contains("Email · 2026-03: 33.3%") && page.contains("<h2>Share over time</h2>"));
    // `--by conversion-type` of `mta report` (the funnel) needs typed conversions.
    let out = mta()
        .args(["report", file, "--by", "conversion-type", "-o"])
        .arg(f.path("x.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs conversions with a type"));
}
