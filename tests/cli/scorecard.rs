//! `mta scorecard`: reach, conversion rate, roles and timing per channel.

use super::*;

const HEADER: &str = "channel,touches,customers,journeys,converting_journeys,conversion_rate,as_first,as_middle,as_last,as_only,median_hours_to_conversion,conversions,value";

fn scorecard(args: &[&str]) -> Vec<String> {
    let out = stdout_of(&[&["scorecard"], args, &["--format", "csv", "-q"]].concat());
    let mut lines = out.lines().map(String::from);
    assert_eq!(lines.next().as_deref(), Some(HEADER));
    lines.collect()
}

#[test]
fn events_csv_by_hand() {
    // testdata/README.md's journeys: alice PS > Email > Direct (converts on
    // the 15th) then Social; bob Social > PS (9th), Email > Email (12th);
    // carol Display > Social > Email > Direct (22nd); dave Email > Display;
    // erin Direct. Email: 5 touches by 4 customers in 4 journeys, 3
    // converting; middle in alice's and carol's, first and last in bob's
    // second; hours to conversion 168, 24, 0, 168: median 96. Linear credits.
    let rows = scorecard(&[testdata("events.csv").to_str().unwrap(), "--model", "linear"]);
    assert_eq!(
        rows,
        [
            "Direct,3,3,3,3,1.000000,0,0,2,1,0.000000,1.583333,107.500000",
            "Display,2,2,2,1,0.500000,1,0,0,0,504.000000,0.250000,22.500000",
            "Email,5,4,4,3,0.750000,1,2,1,0,96.000000,1.583333,92.500000",
            "Paid Search,2,2,2,2,1.000000,1,0,1,0,168.000000,0.833333,70.000000",
            "Social,3,3,3,2,0.666667,1,1,0,0,252.000000,0.750000,52.500000",
        ]
    );
}

#[test]
fn a_five_touch_journey_and_path_aggregates() {
    // One customer, five touches a day apart, converting at the fifth:
    // A opens, B and A assist, C assists, D closes.
    let f = Fixture::new();
    let file = f.file(
        "five.csv",
        "customer_id,timestamp,channel,conversion,value\n\
         u,2025-01-01T00:00:00Z,A,0,\n\
         u,2025-01-02T00:00:00Z,B,0,\n\
         u,2025-01-03T00:00:00Z,A,0,\n\
         u,2025-01-04T00:00:00Z,C,0,\n\
         u,2025-01-05T00:00:00Z,D,1,10\n",
    );
    let rows = scorecard(&[file.to_str().unwrap(), "--model", "first-click"]);
    assert_eq!(
        rows,
        [
            // A: hours 96 and 48, median 72; one journey, one customer.
            "A,2,1,1,1,1.000000,1,1,0,0,72.000000,1.000000,10.000000",
            "B,1,1,1,1,1.000000,0,1,0,0,72.000000,0.000000,0.000000",
            "C,1,1,1,1,1.000000,0,1,0,0,24.000000,0.000000,0.000000",
            "D,1,1,1,1,1.000000,0,0,1,0,0.000000,0.000000,0.000000",
        ]
    );
    // The same journey as a path row that converted twice and failed once:
    // counts are weighted by the journeys the row stands for; no customers
    // and no times.
    let paths = f.file(
        "paths.csv",
        "path,total_conversions,total_conversion_value,total_null\nA > B > A > C > D,2,20,1\n",
    );
    let rows = scorecard(&["--paths", paths.to_str().unwrap(), "--model", "first-click"]);
    assert_eq!(rows[0], "A,6,,3,2,0.666667,2,2,0,0,,2.000000,20.000000");
    assert_eq!(rows[3], "D,3,,3,2,0.666667,0,0,2,0,,0.000000,0.000000");
}

#[test]
fn roles_and_counts_reconcile_with_the_summary() {
    let f = generated(400, 5, 6);
    let events = f.path("events.csv");
    let rows = scorecard(&[events.to_str().unwrap(), "--model", "linear", "--lookback", "30d"]);
    let json = stdout_of(&[
        "attribute",
        events.to_str().unwrap(),
        "--models",
        "linear",
        "--lookback",
        "30d",
        "--format",
        "json",
    ]);
    let input: serde_json::Value = serde_json::from_str::<serde_json::Value>(&json).unwrap()["input"].clone();
    let cells: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.split(',').skip(1).map(|x| x.parse().unwrap_or(f64::NAN)).collect())
        .collect();
    let sum = |i: usize| cells.iter().map(|c| c[i]).sum::<f64>();
    // Columns after `channel`: touches 0, customers 1, journeys 2,
    // converting 3, rate 4, first 5, middle 6, last 7, only 8, hours 9,
    // conversions 10, value 11.
    assert_eq!(
        sum(0),
        input["touches"].as_f64().unwrap(),
        "touches add up to the journeys' touches"
    );
    let converting = input["converting_journeys"].as_f64().unwrap();
    assert_eq!(sum(5) + sum(8), converting, "each converting journey has one first or only touch");
    assert_eq!(sum(5), sum(7), "as many openers as closers");
    assert!((sum(10) - input["conversions"].as_f64().unwrap()).abs() < 1e-6);
    for c in &cells {
        assert!(c[1] <= input["customers"].as_f64().unwrap() && c[2] <= input["journeys"].as_f64().unwrap());
        assert!(c[3] <= c[2] && c[1] <= c[2], "{c:?}");
        assert!(
            c[5] + c[6] + c[7] + c[8] <= c[0],
            "roles count touches in converting journeys: {c:?}"
        );
    }
    // Row order does not matter.
    let text = std::fs::read_to_string(&events).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let reversed = f.file("reversed.csv", lines.join("\n") + "\n");
    assert_eq!(
        scorecard(&[reversed.to_str().unwrap(), "--model", "linear", "--lookback", "30d"]),
        rows
    );
}

#[test]
fn the_html_report_shows_each_channels_roles() {
    let f = Fixture::new();
    let page = f.path("report.html");
    let out = mta()
        .args(["report", testdata("events.csv").to_str().unwrap(), "-q", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<a href=\"#roles\">Roles</a>") && html.contains("<h2>Channel roles</h2>"));
    // Email's four touches in converting journeys: 1 opens, 2 assist, 1 closes.
    for part in [
        "Email: opens 1 of 4 (25.0%)",
        "Email: assists 2 of 4 (50.0%)",
        "Email: closes 1 of 4 (25.0%)",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert!(!html.contains("Email: only touch"));
    let att = stdout_of(&["attribute", testdata("events.csv").to_str().unwrap(), "--format", "html", "-q"]);
    assert!(!att.contains("Channel roles") && !att.contains("#roles"));
}

#[test]
fn costs_add_spend_cpa_and_roas_after_the_contract() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", "channel,spend\nEmail,37\nDisplay,45\n");
    let out = stdout_of(&[
        "scorecard",
        testdata("events.csv").to_str().unwrap(),
        "--model",
        "linear",
        "--costs",
        costs.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(&*format!("{HEADER},spend,cpa,roas")));
    let rows: Vec<&str> = lines.collect();
    // Display: 45 / 0.25 conversions = 180, 22.5 / 45 = 0.5; Email: 37 / 1.583333, 92.5 / 37.
    assert_eq!(
        rows[1],
        "Display,2,2,2,1,0.500000,1,0,0,0,504.000000,0.250000,22.500000,45.000000,180.000000,0.500000"
    );
    assert_eq!(
        rows[2],
        "Email,5,4,4,3,0.750000,1,2,1,0,96.000000,1.583333,92.500000,37.000000,23.368421,2.500000"
    );
    assert!(rows[0].ends_with(",0.000000,,"), "Direct has no spend, so no CPA: {}", rows[0]);
}
