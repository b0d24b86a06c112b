//! `--lift` (issue 31): credit calibrated with lift tests, by hand.

use super::*;

/// Four customers, one conversion of 100 each: p1 Email (1 Mar), p2
/// Search (5 Mar), p3 Email then Search (10, 11 Mar), p4 Email (20 Mar).
const TOUCHES: &str = "customer_id,timestamp,channel\n\
    p1,2026-03-01T10:00:00Z,Email\n\
    p2,2026-03-05T10:00:00Z,Search\n\
    p3,2026-03-10T10:00:00Z,Email\n\
    p3,2026-03-11T10:00:00Z,Search\n\
    p4,2026-03-20T10:00:00Z,Email\n";
const CONVERSIONS: &str = "customer_id,timestamp,value\n\
    p1,2026-03-02T10:00:00Z,100\n\
    p2,2026-03-06T10:00:00Z,100\n\
    p3,2026-03-12T10:00:00Z,100\n\
    p4,2026-03-21T10:00:00Z,100\n";
/// Email caused 0.5 conversions from 1 to 15 March; Search 1 conversion
/// worth 150 from 1 to 8 March.
const LIFT: &str = "channel,start,end,incremental_conversions,incremental_value\n\
    Email,2026-03-01,2026-03-15,0.5,\n\
    Search,2026-03-01,2026-03-08,1,150\n";

fn run(f: &Fixture, command: &str, extra: &[&str]) -> std::process::Output {
    let (t, c, l) = (f.file("t.csv", TOUCHES), f.file("c.csv", CONVERSIONS), f.file("lift.csv", LIFT));
    mta()
        .args([
            command,
            t.to_str().unwrap(),
            "--conversions",
            c.to_str().unwrap(),
            "--value-col",
            "value",
        ])
        .args(["--lift", l.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap()
}

/// `mta attribute` on the four customers with the lift file `lift` and `extra` flags.
fn with_lift(f: &Fixture, lift: &str, extra: &[&str]) -> std::process::Output {
    let (t, c, l) = (f.file("t.csv", TOUCHES), f.file("c.csv", CONVERSIONS), f.file("tests.csv", lift));
    mta()
        .args([
            "attribute",
            t.to_str().unwrap(),
            "--conversions",
            c.to_str().unwrap(),
            "--value-col",
            "value",
        ])
        .args(["--lift", l.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn factors_and_calibrated_credit_by_hand() {
    // last-click over the run: Email 2 (p1, p4), Search 2 (p2, p3).
    // Inside 1-15 March (p1, p2, p3): Email 1, so its factor is 0.5 / 1 and
    // its calibrated credit 0.5 x 2 = 1 (value 100). Inside 1-8 March (p1,
    // p2): Search 1 worth 100: factor 1 / 1, value factor 150 / 100: 2 and 300.
    // linear over the run: Email 1 + 0.5 + 1 = 2.5, Search 1.5; inside 1-15
    // March Email 1.5: factor 0.5 / 1.5; inside 1-8 March Search 1 (100).
    let f = Fixture::new();
    let out = run(&f, "attribute", &["--models", "last-click,linear", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("model,channel,conversions,value,share,calibration_factor,calibrated_conversions,calibrated_value")
    );
    let row = |model: &str, channel: &str| -> Vec<f64> {
        let line = text.lines().find(|l| l.starts_with(&format!("{model},{channel},"))).unwrap();
        line.split(',').skip(2).map(|x| x.parse().unwrap()).collect()
    };
    let want = [
        ("last-click", "Email", [0.5, 1.0, 100.0]),
        ("last-click", "Search", [1.0, 2.0, 300.0]),
        ("linear", "Email", [1.0 / 3.0, 2.5 / 3.0, 250.0 / 3.0]),
        ("linear", "Search", [1.0, 1.5, 225.0]),
    ];
    for (model, channel, [factor, conversions, value]) in want {
        let r = row(model, channel);
        assert_close(r[3], factor, &format!("{model} {channel} factor"));
        assert_close(r[4], conversions, &format!("{model} {channel} calibrated conversions"));
        assert_close(r[5], value, &format!("{model} {channel} calibrated value"));
    }
    // JSON: the same, whether a test calibrated the credit, and each model's
    // baseline (last-click: 4 - 3 conversions, 400 - 400 value).
    let out = run(&f, "attribute", &["--models", "last-click", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model = &v["models"][0];
    assert_close(model["baseline"]["conversions"].as_f64().unwrap(), 1.0, "baseline conversions");
    assert_close(model["baseline"]["value"].as_f64().unwrap(), 0.0, "baseline value");
    let email = model["credits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "Email")
        .unwrap();
    assert_eq!(email["calibrated"], true);
    assert_close(email["calibration_factor"].as_f64().unwrap(), 0.5, "JSON factor");
}

#[test]
fn several_tests_of_a_channel_add_up_and_untested_channels_keep_factor_1() {
    // Email tested twice: 1-8 March (p1: last-click 1) caused 0.25, 8-15
    // March (p3's conversion: Search is its last touch, Email 0) caused
    // 0.25: 0.5 over a window credit of 1, factor 0.5. Search is untested.
    let f = Fixture::new();
    let lift = "channel,start,end,incremental_conversions\nEmail,2026-03-01,2026-03-08,0.25\nemail,2026-03-08,2026-03-15,0.25\n";
    let out = with_lift(&f, lift, &["--models", "last-click", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let credits = v["models"][0]["credits"].as_array().unwrap();
    let get = |ch: &str| credits.iter().find(|c| c["channel"] == ch).unwrap().clone();
    assert_close(get("Email")["calibration_factor"].as_f64().unwrap(), 0.5, "two tests");
    assert_eq!(get("Search")["calibrated"], false);
    assert_close(get("Search")["calibration_factor"].as_f64().unwrap(), 1.0, "untested");
    assert_close(
        get("Search")["calibrated_conversions"].as_f64().unwrap(),
        2.0,
        "untested keeps its credit",
    );
}

#[test]
fn budget_follows_the_calibrated_value() {
    // Spend 100 each. Calibrated last-click value: Email 100, Search 300,
    // so Email loses the most allowed (-20%) and Search gains it; without
    // `--lift` both stay.
    let f = Fixture::new();
    let costs = f.file("costs.csv", "channel,spend\nEmail,100\nSearch,100\n");
    let args = [
        "--models",
        "last-click",
        "--model",
        "last-click",
        "--costs",
        costs.to_str().unwrap(),
        "--format",
        "csv",
    ];
    let out = run(&f, "budget", &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("last-click,Email,100.000000,80.000000,-20.000000"), "{text}");
    assert!(text.contains("last-click,Search,100.000000,120.000000,20.000000"), "{text}");
    // The report shows the calibrated ROAS under each model's own.
    let html = f.path("r.html");
    let out = run(
        &f,
        "report",
        &[
            "--models",
            "last-click",
            "--costs",
            costs.to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("2.00<br><small>calibrated 1.00</small>") && page.contains("2.00<br><small>calibrated 3.00</small>"));
}

#[test]
fn lift_files_and_combinations_that_cannot_work_are_refused() {
    let f = Fixture::new();
    for (content, expect) in [
        ("channel,start,end\nEmail,2026-03-01,2026-03-08\n", "incremental_conversions"),
        (
            "channel,start,end,incremental_conversions\nEmail,2026-03-08,2026-03-01,1\n",
            "an end after the start",
        ),
        (
            "channel,start,end,incremental_conversions,lo,hi\nEmail,2026-03-01,2026-03-08,1,2,3\n",
            "within its interval",
        ),
        (
            "channel,start,end,incremental_conversions,lo,hi\nEmail,2026-03-01,2026-03-08,1,0,\n",
            "both ends",
        ),
    ] {
        let l = f.file("bad.csv", content);
        let (t, c) = (f.file("t.csv", TOUCHES), f.file("c.csv", CONVERSIONS));
        let out = mta()
            .args([
                "attribute",
                t.to_str().unwrap(),
                "--conversions",
                c.to_str().unwrap(),
                "--lift",
                l.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "{content}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect) && stderr.contains("bad.csv"), "{content}: {stderr}");
    }
    for extra in [&["--by", "month"][..], &["--per-conversion"]] {
        assert_eq!(run(&f, "attribute", extra).status.code(), Some(2), "{extra:?}");
    }
    assert_eq!(run(&f, "scorecard", &[]).status.code(), Some(2));
}

#[test]
fn robust_shares_are_the_scenarios_run_one_by_one() {
    let f = generated(600, 9, 4);
    let events = f.path("events.csv");
    let channels: Vec<String> = {
        let text = std::fs::read_to_string(&events).unwrap();
        let mut c: Vec<String> = text.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect();
        c.sort();
        c.dedup();
        c
    };
    // Spend grows with the channel's rank, so that the models disagree.
    let costs: String = channels
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{c},{}\n", 100 * (k + 1)))
        .collect();
    let costs = f.file("costs.csv", format!("channel,spend\n{costs}"));
    let base = |extra: &[&str]| {
        let out = mta()
            .args([
                "budget",
                events.to_str().unwrap(),
                "--costs",
                costs.to_str().unwrap(),
                "--format",
                "csv",
                "--quiet",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let (models, lookbacks) = (["first-click", "last-click", "linear"], ["7d", "30d"]);
    // Each scenario alone: `mta budget --model M --models M --lookback L`.
    let mut moves: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for m in models {
        for l in lookbacks {
            for line in base(&["--model", m, "--models", m, "--lookback", l]).lines().skip(1) {
                let cells: Vec<&str> = line.split(',').collect();
                let change: f64 = cells[4].parse().unwrap();
                let e = moves.entry(cells[1].to_string()).or_default();
                if change > 0.005 {
                    e.0 += 1;
                } else if change < -0.005 {
                    e.1 += 1;
                }
            }
        }
    }
    let robust = base(&[
        "--model",
        "linear",
        "--models",
        &models.join(","),
        "--robust",
        "--lookbacks",
        "7d,30d",
        "--agreement",
        "0.6",
    ]);
    let mut lines = robust.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",scenarios,increase_share,decrease_share,robust_direction")
    );
    let mut seen = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (up, down) = moves[cells[1]];
        assert_eq!(cells[15], "6", "{line}");
        assert_close(cells[16].parse().unwrap(), f64::from(up) / 6.0, &format!("{} increase", cells[1]));
        assert_close(cells[17].parse().unwrap(), f64::from(down) / 6.0, &format!("{} decrease", cells[1]));
        let want = if f64::from(up) / 6.0 >= 0.6 {
            "increase"
        } else if f64::from(down) / 6.0 >= 0.6 {
            "decrease"
        } else {
            "unclear"
        };
        assert_eq!(cells[18], want, "{line}");
        seen += 1;
    }
    assert_eq!(seen, channels.len());
    assert!(moves.values().any(|&(u, d)| u + d > 0), "some scenario moves spend: {moves:?}");
}

#[test]
fn the_report_shows_robust_directions_as_budget_gives_them() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", "channel,spend\nEmail,100\nSearch,100\n");
    let (t, c) = (f.file("t.csv", TOUCHES), f.file("c.csv", CONVERSIONS));
    let common = |command: &str| {
        let mut cmd = mta();
        cmd.args([
            command,
            t.to_str().unwrap(),
            "--conversions",
            c.to_str().unwrap(),
            "--value-col",
            "value",
        ])
        .args(["--models", "last-click,linear", "--costs", costs.to_str().unwrap()])
        .args(["--robust", "--lookbacks", "1d,30d", "--agreement", "0.75"]);
        cmd
    };
    let out = common("budget").args(["--model", "linear", "--format", "csv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let html = f.path("r.html");
    let out = common("report").args(["-o", html.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (up, down): (f64, f64) = (cells[16].parse().unwrap(), cells[17].parse().unwrap());
        let cell = format!("<td>{} ({:.1}% up, {:.1}% down)</td>", cells[18], up * 100.0, down * 100.0);
        assert!(page.contains(&cell), "{cell} not in the report");
    }
}

#[test]
fn with_the_bootstrap_the_calibrated_interval_carries_the_test_s_interval() {
    // Email's test: 0.5 caused, interval 0.25 to 1, over a window credit
    // of 1 (last-click): the factor's ends are 0.25 and 1, and the
    // calibrated interval is those ends times the resampled credit's.
    let f = Fixture::new();
    let lift = "channel,start,end,incremental_conversions,lo,hi\nEmail,2026-03-01,2026-03-15,0.5,0.25,1\n";
    let out = with_lift(
        &f,
        lift,
        &["--models", "last-click", "--bootstrap", "50", "--seed", "3", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let email: Vec<f64> = text
        .lines()
        .find(|l| l.starts_with("last-click,Email,"))
        .unwrap()
        .split(',')
        .skip(2)
        .map(|x| x.parse().unwrap())
        .collect();
    let at = |name: &str| email[col(name) - 2];
    assert_close(at("calibration_factor"), 0.5, "factor");
    assert_close(at("calibrated_conversions_lo"), 0.25 * at("conversions_lo"), "lower end");
    assert_close(at("calibrated_conversions_hi"), 1.0 * at("conversions_hi"), "upper end");
    assert_close(at("calibrated_value_lo"), 0.25 * at("value_lo"), "value's lower end");
    assert_close(at("calibrated_value_hi"), 1.0 * at("value_hi"), "value's upper end");
    assert!(at("conversions_lo") < at("conversions_hi"), "the resampling varies: {email:?}");
}

#[test]
fn budget_replicates_are_calibrated_and_robust_counts_every_replicate() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", "channel,spend\nEmail,100\nSearch,100\n");
    let (t, c) = (f.file("t.csv", TOUCHES), f.file("c.csv", CONVERSIONS));
    // A test that finds what last-click credits inside its dates (Email 1
    // from 1 to 15 March): factor 1, so calibrating changes no figure, and
    // the bootstrap's intervals are the uncalibrated ones, to the byte
    // (last-click alone: linear credits Email 1.5 there, a factor of 2/3).
    let same = f.file(
        "same.csv",
        "channel,start,end,incremental_conversions\nEmail,2026-03-01,2026-03-15,1\n",
    );
    let budget = |extra: &[&str]| {
        let out = mta()
            .args([
                "budget",
                t.to_str().unwrap(),
                "--conversions",
                c.to_str().unwrap(),
                "--value-col",
                "value",
            ])
            .args([
                "--models",
                "last-click",
                "--model",
                "last-click",
                "--costs",
                costs.to_str().unwrap(),
            ])
            .args(["--bootstrap", "20", "--seed", "4", "--format", "csv", "--quiet"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(budget(&["--lift", same.to_str().unwrap()]), budget(&[]));
    // `--robust --bootstrap 5`: 2 models x 2 lookbacks x 5 replicates.
    let out = mta()
        .args([
            "budget",
            t.to_str().unwrap(),
            "--conversions",
            c.to_str().unwrap(),
            "--value-col",
            "value",
        ])
        .args([
            "--models",
            "last-click,linear",
            "--model",
            "last-click",
            "--costs",
            costs.to_str().unwrap(),
        ])
        .args(["--bootstrap", "5", "--robust", "--lookbacks", "1d,30d", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines().skip(1) {
        assert_eq!(line.split(',').nth(15), Some("20"), "{line}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("robust over 20 scenarios (2 models x 2 lookbacks x 5 replicates)"));
}
