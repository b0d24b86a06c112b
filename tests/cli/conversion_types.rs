//! Conversion types: `--type-col`, `--conversion-events`, `--conversion-types`.

use super::*;

/// Two customers, each with a purchase and a lead, inline.
pub const TYPED: &str = "customer_id,timestamp,channel,conversion,value,conversion_type
u1,2025-02-01T10:00:00Z,Search,0,,
u1,2025-02-02T10:00:00Z,Email,0,,
u1,2025-02-03T10:00:00Z,Direct,1,100,purchase
u1,2025-02-04T10:00:00Z,Social,0,,
u1,2025-02-05T10:00:00Z,Email,1,,lead
u2,2025-02-01T10:00:00Z,Display,0,,
u2,2025-02-02T10:00:00Z,Search,1,,Lead
u2,2025-02-03T10:00:00Z,Email,0,,
u2,2025-02-04T10:00:00Z,Direct,1,50,purchase
";

fn linear(args: &[&str]) -> BTreeMap<String, Row> {
    attribute_csv(&[args, &["--models", "linear"]].concat())
        .into_iter()
        .map(|((_, channel), row)| (channel, row))
        .collect()
}

fn assert_credits(got: &BTreeMap<String, Row>, want: &[(&str, f64, f64)]) {
    for &(channel, conv, value) in want {
        assert_close(got[channel].conversions, conv, channel);
        assert_close(got[channel].value, value, &format!("{channel} value"));
    }
    let total: f64 = got.values().map(|r| r.conversions).sum();
    assert_close(total, want.iter().map(|w| w.1).sum(), "total");
}

#[test]
fn conversion_types_keep_some_conversions_and_the_rest_stay_touches() {
    let f = Fixture::new();
    let file = f.file("typed.csv", TYPED);
    let file = file.to_str().unwrap();
    // Purchases only: the lead rows are touches. u1: Search > Email > Direct
    // (100); u2: Display > Search > Email > Direct (50).
    let got = linear(&[file, "--conversion-types", "purchase"]);
    let (third, quarter) = (1.0 / 3.0, 0.25);
    assert_credits(
        &got,
        &[
            ("Search", third + quarter, 100.0 * third + 12.5),
            ("Email", third + quarter, 100.0 * third + 12.5),
            ("Direct", third + quarter, 100.0 * third + 12.5),
            ("Display", quarter, 12.5),
            ("Social", 0.0, 0.0),
        ],
    );
    // Leads only (`Lead` and `lead` are one type to the filter): u1's journey
    // runs to its lead on day 5, through the purchase row; u2's ends at Search.
    let got = linear(&[file, "--conversion-types", "LEAD"]);
    assert_credits(
        &got,
        &[
            ("Search", 0.2 + 0.5, 0.0),
            ("Email", 0.4, 0.0),
            ("Direct", 0.2, 0.0),
            ("Social", 0.2, 0.0),
            ("Display", 0.5, 0.0),
        ],
    );
    // The summary counts what was read and what was removed.
    let out = mta()
        .args(["attribute", file, "--conversion-types", "purchase,refund", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let input = &json["input"];
    assert_eq!(
        input["conversions_by_type"],
        serde_json::json!({"Lead": 1, "lead": 1, "purchase": 2})
    );
    assert_eq!(
        input["removed_by_conversion_type"],
        serde_json::json!({"conversions": 2, "revenue": 0.0})
    );
    assert_eq!(
        (input["conversions_read"].as_f64(), input["conversions"].as_f64()),
        (Some(4.0), Some(2.0))
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: `--conversion-types` names `refund`, which no conversion has"),
        "{err}"
    );
    assert!(
        err.contains("conversions by type: Lead 1 (revenue 0.00), lead 1 (revenue 0.00), purchase 2 (revenue "),
        "{err}"
    );
    // Filtered with `--conversion-types`: no warning about types counted together.
    assert!(!err.contains("are counted together"), "{err}");
}

#[test]
fn conversion_events_turn_event_rows_into_typed_conversions() {
    // An event-level export: conversion events carry no channel; the other
    // rows are touches. u1: Search > Email, then its purchase (100), then
    // Social and a lead; u2's page view after its lead is a trailing touch.
    let f = Fixture::new();
    let file = f.file(
        "events.csv",
        "customer_id,timestamp,event_name,channel,value
u1,2025-02-01T10:00:00Z,session_start,Search,
u1,2025-02-02T10:00:00Z,session_start,Email,
u1,2025-02-02T10:05:00Z,purchase,,100
u1,2025-02-03T10:00:00Z,session_start,Social,
u1,2025-02-03T10:05:00Z,generate_lead,Social,
u2,2025-02-01T10:00:00Z,session_start,Display,
u2,2025-02-01T10:01:00Z,generate_lead,,
u2,2025-02-04T10:00:00Z,page_view,Email,
",
    );
    let file = file.to_str().unwrap();
    let got = linear(&[file, "--conversion-events", "purchase,generate_lead"]);
    assert_credits(
        &got,
        &[
            ("Search", 0.5, 50.0),
            ("Email", 0.5, 50.0),
            ("Social", 1.0, 0.0),
            ("Display", 1.0, 0.0),
        ],
    );
    // Conversion rows are not touches: no channel `` appears.
    assert_eq!(got.len(), 4, "{got:?}");
    let got = linear(&[
        file,
        "--conversion-events",
        "purchase,generate_lead",
        "--conversion-types",
        "purchase",
    ]);
    assert_credits(&got, &[("Search", 0.5, 50.0), ("Email", 0.5, 50.0)]);
    // An empty channel on a touch is still an error, naming its line.
    let bad = f.file("bad.csv", "customer_id,timestamp,event_name,channel\nu1,2025-02-01,page_view,\n");
    let out = mta()
        .args(["attribute", bad.to_str().unwrap(), "--conversion-events", "purchase"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 2, column `channel`: found ``, expected a channel name"), "{err}");
}

#[test]
fn a_conversions_file_can_carry_types_and_misuse_is_an_error() {
    let f = Fixture::new();
    let touches = f.file(
        "t.csv",
        "customer_id,timestamp,channel\nu1,2025-02-01,Search\nu1,2025-02-03,Email\n",
    );
    let convs = f.file(
        "c.csv",
        "customer_id,timestamp,value,kind\nu1,2025-02-02,10,purchase\nu1,2025-02-04,5,lead\n",
    );
    let (t, c) = (touches.to_str().unwrap(), convs.to_str().unwrap());
    let got: BTreeMap<String, Row> = attribute_csv(&[
        t,
        "--conversions",
        c,
        "--type-col",
        "kind",
        "--conversion-types",
        "lead",
        "--models",
        "linear",
    ])
    .into_iter()
    .map(|((_, c), r)| (c, r))
    .collect();
    // Only the lead on day 4 closes a journey: Search > Email.
    assert_credits(&got, &[("Search", 0.5, 2.5), ("Email", 0.5, 2.5)]);
    // `--conversion-types` on an input without types; a named type column that is missing.
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--conversion-types", "purchase"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--conversion-types` needs conversions with a type"));
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--type-col", "kind"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kind"));
    let out = mta()
        .args([
            "attribute",
            "testdata/touchpoints.csv",
            "--conversions",
            "testdata/conversions.csv",
            "--conversion-events",
            "purchase",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
