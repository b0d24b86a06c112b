//! Hand-computed results on the fixtures (see testdata/README.md).

use super::*;

/// (channel, conversions, value) per model for testdata/events.csv, worked out
/// by hand in testdata/README.md.
/// Per model: (channel, conversions, value).
type Expected = Vec<(&'static str, Vec<(&'static str, f64, f64)>)>;

fn expected_events() -> Expected {
    vec![
        (
            "first-click",
            vec![
                ("Direct", 1.0, 45.0),
                ("Display", 1.0, 90.0),
                ("Email", 1.0, 30.0),
                ("Paid Search", 1.0, 120.0),
                ("Social", 1.0, 60.0),
            ],
        ),
        (
            "last-click",
            vec![
                ("Direct", 3.0, 255.0),
                ("Display", 0.0, 0.0),
                ("Email", 1.0, 30.0),
                ("Paid Search", 1.0, 60.0),
                ("Social", 0.0, 0.0),
            ],
        ),
        (
            "last-non-direct",
            vec![
                ("Direct", 1.0, 45.0),
                ("Display", 0.0, 0.0),
                ("Email", 3.0, 240.0),
                ("Paid Search", 1.0, 60.0),
                ("Social", 0.0, 0.0),
            ],
        ),
        (
            "linear",
            vec![
                ("Direct", 1.0 / 3.0 + 0.25 + 1.0, 107.5),
                ("Display", 0.25, 22.5),
                ("Email", 1.0 / 3.0 + 1.0 + 0.25, 92.5),
                ("Paid Search", 1.0 / 3.0 + 0.5, 70.0),
                ("Social", 0.75, 52.5),
            ],
        ),
        (
            "position-based",
            vec![
                ("Direct", 1.8, 129.0),
                ("Display", 0.4, 36.0),
                ("Email", 1.3, 63.0),
                ("Paid Search", 0.9, 78.0),
                ("Social", 0.6, 39.0),
            ],
        ),
        (
            "j-shaped",
            vec![
                ("Direct", 2.2, 171.0),
                ("Display", 0.2, 18.0),
                ("Email", 1.3, 63.0),
                ("Paid Search", 0.95, 69.0),
                ("Social", 0.35, 24.0),
            ],
        ),
        (
            "inverse-j",
            vec![
                ("Direct", 1.4, 87.0),
                ("Display", 0.6, 54.0),
                ("Email", 1.3, 63.0),
                ("Paid Search", 0.85, 87.0),
                ("Social", 0.85, 54.0),
            ],
        ),
        (
            "shapley",
            vec![
                ("Direct", 0.5 + 5.0 / 12.0 + 1.0, 142.5),
                ("Display", 1.0 / 12.0, 7.5),
                ("Email", 0.5 + 1.0 + 5.0 / 12.0, 127.5),
                ("Paid Search", 0.5, 30.0),
                ("Social", 0.5 + 1.0 / 12.0, 37.5),
            ],
        ),
        (
            "time-decay",
            vec![
                ("Direct", 4.0 / 7.0 + 8.0 / 15.0 + 1.0, 120.0 * 4.0 / 7.0 + 48.0 + 45.0),
                ("Display", 1.0 / 15.0, 6.0),
                ("Email", 2.0 / 7.0 + 1.0 + 4.0 / 15.0, 120.0 * 2.0 / 7.0 + 30.0 + 24.0),
                ("Paid Search", 1.0 / 7.0 + 2.0 / 3.0, 120.0 / 7.0 + 40.0),
                ("Social", 1.0 / 3.0 + 2.0 / 15.0, 32.0),
            ],
        ),
    ]
}

fn assert_matches(got: &BTreeMap<(String, String), Row>, expected: &Expected) {
    let n: usize = expected.iter().map(|m| m.1.len()).sum();
    let covered = got.keys().filter(|(m, _)| expected.iter().any(|e| e.0 == m)).count();
    assert_eq!(covered, n, "rows: {got:?}");
    for (model, rows) in expected {
        for (channel, conv, value) in rows {
            let row = got
                .get(&(model.to_string(), channel.to_string()))
                .unwrap_or_else(|| panic!("missing {model}/{channel}"));
            assert_close(row.conversions, *conv, &format!("{model}/{channel} conversions"));
            assert_close(row.value, *value, &format!("{model}/{channel} value"));
            assert_close(row.share, conv / 5.0, &format!("{model}/{channel} share"));
        }
    }
}

#[test]
fn events_match_hand_computed_credits() {
    let got = attribute_csv(&["testdata/events.csv"]);
    assert_matches(&got, &expected_events());
}

#[test]
fn participation_credits_every_channel_in_full() {
    let got = attribute_csv(&["testdata/events.csv", "--models", "participation"]);
    for (ch, conv, value) in [
        ("Direct", 3.0, 255.0),
        ("Display", 1.0, 90.0),
        ("Email", 3.0, 240.0),
        ("Paid Search", 2.0, 180.0),
        ("Social", 2.0, 150.0),
    ] {
        let row = got[&("participation".to_string(), ch.to_string())];
        assert_close(row.conversions, conv, ch);
        assert_close(row.value, value, ch);
        assert_close(row.share, conv / 5.0, ch);
    }
}

#[test]
fn separate_conversions_give_the_same_credits_and_report_unattributed() {
    let got = attribute_csv(&["testdata/touchpoints.csv", "--conversions", "testdata/conversions.csv"]);
    assert_matches(&got, &expected_events());
    let out = mta()
        .args([
            "attribute",
            "testdata/touchpoints.csv",
            "--conversions",
            "testdata/conversions.csv",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["input"]["unattributed_conversions"], 1);
    assert_eq!(v["input"]["unattributed_value"], 25.0);
    assert_eq!(v["input"]["conversions"], 5.0);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unattributed: 1 conversions (revenue 25.00)"), "{stderr}");
}

#[test]
fn paths_match_events_except_time_decay() {
    let got = attribute_csv(&["--paths", "testdata/paths.csv"]);
    let expected: Vec<_> = expected_events().into_iter().filter(|m| m.0 != "time-decay").collect();
    // Participation's shares are relative to the 5 conversions (they sum to 2.2).
    let p = |ch: &str| got[&("participation".to_string(), ch.to_string())];
    assert_close(p("Direct").conversions, 3.0, "participation Direct");
    assert_close(p("Paid Search").share, 0.4, "participation share");
    assert_matches(&got, &expected);
}

#[test]
fn paths_leave_out_time_decay_with_a_note_and_refuse_it_by_name() {
    let out = mta()
        .args(["attribute", "--paths", "testdata/paths.csv", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("note: model `time-decay` left out"));
    mta()
        .args(["attribute", "--paths", "testdata/paths.csv", "--models", "time-decay"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("error: model `time-decay` needs touch timestamps"));
}

#[test]
fn max_touches_one_turns_every_model_into_last_click() {
    let got = attribute_csv(&["testdata/events.csv", "--max-touches", "1"]);
    let last: Vec<_> = expected_events().into_iter().find(|m| m.0 == "last-click").unwrap().1;
    for (model, _) in expected_events() {
        for (channel, conv, value) in &last {
            let row = got[&(model.to_string(), channel.to_string())];
            assert_close(row.conversions, *conv, &format!("{model}/{channel}"));
            assert_close(row.value, *value, &format!("{model}/{channel}"));
        }
    }
}

#[test]
fn ties_are_broken_by_content() {
    let got = attribute_csv(&["testdata/ties.csv", "--models", "first-click,last-click,position-based"]);
    let c = |m: &str, ch: &str| got[&(m.to_string(), ch.to_string())].conversions;
    assert_eq!(c("first-click", "Affiliate"), 1.0);
    assert_eq!(c("last-click", "Search"), 1.0);
    assert_close(c("position-based", "Affiliate"), 0.4, "first");
    assert_close(c("position-based", "Display"), 0.1, "middle");
    assert_close(c("position-based", "Email"), 0.1, "middle");
    assert_close(c("position-based", "Search"), 0.4, "last");
}

#[test]
fn lookback_drops_older_touches_and_reports_them() {
    let without = attribute_csv(&["testdata/lookback.csv", "--models", "first-click"]);
    assert_eq!(without[&("first-click".into(), "Display".into())].value, 100.0);
    let with = attribute_csv(&["testdata/lookback.csv", "--models", "first-click", "--lookback", "30d"]);
    assert_eq!(with[&("first-click".into(), "Display".into())].value, 0.0);
    assert_eq!(with[&("first-click".into(), "Social".into())].value, 100.0);
    mta()
        .args(["attribute", "testdata/lookback.csv", "--lookback", "30d", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicates::str::contains("lookback dropped 1 touches"));
}

#[test]
fn lookback_can_leave_a_conversion_unattributed() {
    let f = Fixture::new();
    let touches = f.file(
        "t.csv",
        "customer_id,timestamp,channel\nu1,2025-01-01,Email\nu2,2025-03-01,Search\n",
    );
    let convs = f.file("c.csv", "customer_id,timestamp,value\nu1,2025-03-01,50\nu2,2025-03-02,10\n");
    let out = mta()
        .args([
            "attribute",
            touches.to_str().unwrap(),
            "--conversions",
            convs.to_str().unwrap(),
            "--lookback",
            "7d",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["input"]["unattributed_conversions"], 1);
    assert_eq!(v["input"]["unattributed_value"], 50.0);
    assert_eq!(v["input"]["conversions"], 1.0);
    assert_eq!(v["input"]["dropped_by_lookback"], 1);
}

#[test]
fn position_weights_and_half_life_flags_change_the_split() {
    let got = attribute_csv(&[
        "testdata/ties.csv",
        "--models",
        "position-based",
        "--position-weights",
        "0.2,0.2,0.6",
    ]);
    assert_close(got[&("position-based".into(), "Search".into())].conversions, 0.6, "last");
    // A one-day half-life on alice's 0/7/14-day touches: weights 1, 2^-7, 2^-14.
    let got = attribute_csv(&["testdata/events.csv", "--models", "time-decay", "--half-life", "1d"]);
    let w = [1.0, 2f64.powi(-7), 2f64.powi(-14)];
    let s: f64 = w.iter().sum();
    // Paid Search: alice (14 days) + bob's Paid Search (0 days, Social 7 days before).
    let bob = 1.0 / (1.0 + 2f64.powi(-7));
    assert_close(
        got[&("time-decay".into(), "Paid Search".into())].conversions,
        w[2] / s + bob,
        "paid search",
    );
}

#[test]
fn several_inputs_are_concatenated() {
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("events.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let a = f.file("a.csv", format!("{header}\n{}\n", rows[..7].join("\n")));
    let b = f.file("b.csv", format!("{header}\n{}\n", rows[7..].join("\n")));
    let split = attribute_csv(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(split, attribute_csv(&["testdata/events.csv"]));
}

#[test]
fn stdin_and_gzip_are_read() {
    let bytes = std::fs::read(testdata("events.csv")).unwrap();
    let expected = mta()
        .args(["attribute", "testdata/events.csv", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    let out = mta()
        .args(["attribute", "--format", "csv"])
        .write_stdin(bytes.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, expected);
    let out = mta()
        .args(["attribute", "-", "--format", "csv"])
        .write_stdin(bytes.clone())
        .output()
        .unwrap();
    assert_eq!(out.stdout, expected);

    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let f = Fixture::new();
    let path = f.file("events.csv.gz", &gz);
    let out = mta()
        .args(["attribute", path.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, expected);
    let out = mta().args(["attribute", "--format", "csv"]).write_stdin(gz).output().unwrap();
    assert_eq!(out.stdout, expected);
}

#[test]
fn summary_goes_to_stderr_and_quiet_silences_it() {
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("read 15 rows from testdata/events.csv"), "{stderr}");
    assert!(
        stderr.contains("7 journeys from 5 customers (5 converting); 5 conversions, revenue 345.00"),
        "{stderr}"
    );
    assert!(
        stderr.contains("touches from 2025-01-01T09:00:00Z to 2025-01-22T12:00:00Z"),
        "{stderr}"
    );
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--format", "csv", "--quiet"])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
}

#[test]
fn path_aggregates_are_summarised_as_the_journeys_they_stand_for() {
    // 3 rows, 2 distinct paths; 4 conversions + 8 nulls = 12 journeys, 4 converting.
    let f = Fixture::new();
    let input = f.file(
        "p.csv",
        "path,total_conversions,total_conversion_value,total_null\na > b,3,30,1\nc,0,0,5\na > b,1,10,2\n",
    );
    let out = mta()
        .args(["attribute", "--paths"])
        .arg(&input)
        .args(["--models", "linear"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("read 3 path rows from ") && stderr.contains("; 2 distinct paths after merging duplicates\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n12 journeys (4 converting); 4 conversions, revenue 40.00\n"),
        "{stderr}"
    );
    let html = f.path("r.html");
    mta()
        .args(["report", "--paths"])
        .arg(&input)
        .arg("-o")
        .arg(&html)
        .arg("-q")
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    for card in [
        "<dt>path rows read</dt><dd>3</dd>",
        "<dt>distinct paths</dt><dd>2</dd>",
        "<dt>journeys</dt><dd>12</dd>",
        "<dt>converting journeys</dt><dd>4</dd>",
    ] {
        assert!(html.contains(card), "{card}");
    }
}

#[test]
fn column_flags_and_other_delimiters_and_timestamp_formats() {
    let f = Fixture::new();
    // Semicolons, renamed columns in another case, epoch seconds, yes/no flags.
    let p = f.file(
        "x.csv",
        "User;When;Source;Bought;Amount\n\
         a;1735689600;Email;no;\n\
         a;1736294400;Search;yes;20\n",
    );
    let got = attribute_csv(&[
        p.to_str().unwrap(),
        "--customer-col",
        "user",
        "--time-col",
        "WHEN",
        "--channel-col",
        "source",
        "--conversion-col",
        "bought",
        "--value-col",
        "amount",
        "--models",
        "first-click,time-decay",
    ]);
    assert_eq!(got[&("first-click".into(), "Email".into())].value, 20.0);
    // 7 days apart (2025-01-01 -> 2025-01-08): weights 1/2 and 1.
    assert_close(got[&("time-decay".into(), "Email".into())].conversions, 1.0 / 3.0, "email");
}

#[test]
fn timezone_shifts_naive_timestamps() {
    let f = Fixture::new();
    // In UTC the Email touch is 3 hours after the conversion time written with an offset;
    // read as Asia/Tokyo (UTC+9) it is 6 hours before it.
    // (`v` converts after its touch either way: a run needs a conversion to credit.)
    let p = f.file(
        "tz.csv",
        "customer_id,timestamp,channel\nu,2025-01-01 12:00:00,Email\nv,2025-01-01 00:00:00,Search\n",
    );
    let c = f.file(
        "c.csv",
        "customer_id,timestamp\nu,2025-01-01T09:00:00+00:00\nv,2025-01-02T00:00:00Z\n",
    );
    let args = |tz: &str| {
        let out = mta()
            .args([
                "attribute",
                p.to_str().unwrap(),
                "--conversions",
                c.to_str().unwrap(),
                "--timezone",
                tz,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(args("UTC")["input"]["unattributed_conversions"], 1);
    assert_eq!(args("Asia/Tokyo")["input"]["unattributed_conversions"], 0);
}

#[test]
fn markov_matches_the_published_two_branch_example() {
    let got = attribute_csv(&["--paths", "testdata/markov.csv", "--models", "markov"]);
    for (channel, conv, value) in [("a", 2.0, 20.0), ("b", 1.5, 15.0), ("c", 0.5, 5.0)] {
        let row = got[&("markov".to_string(), channel.to_string())];
        assert_close(row.conversions, conv, channel);
        assert_close(row.value, value, channel);
    }
}

#[test]
fn markov_runs_by_default_and_agrees_between_events_and_paths() {
    let events = attribute_csv(&["testdata/events.csv"]);
    let paths = attribute_csv(&["--paths", "testdata/paths.csv"]);
    let markov = |m: &BTreeMap<(String, String), Row>| {
        m.iter()
            .filter(|(k, _)| k.0 == "markov")
            .map(|(k, r)| (k.1.clone(), *r))
            .collect::<Vec<_>>()
    };
    assert_eq!(markov(&events).len(), 5);
    for ((ch, a), (_, b)) in markov(&events).iter().zip(markov(&paths).iter()) {
        assert_close(a.conversions, b.conversions, ch);
        assert_close(a.value, b.value, ch);
    }
    let total: f64 = markov(&events).iter().map(|(_, r)| r.conversions).sum();
    assert_close(total, 5.0, "markov total");
}
