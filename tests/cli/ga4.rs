//! `--ga4`: GA4 BigQuery export files, nested Parquet or NDJSON.
//!
//! testdata/ga4/hand.jsonl has 12 events (times from 2026-03-01 00:00 UTC):
//! - device d1 (later logged in as u1): session 11 at 0h opens with event
//!   params google / organic, and its second event carries the manual source
//!   newsletter / email (so the session is Email: the manual source wins);
//!   session 12 at 24h has only a gclid (google / cpc: Paid Search);
//!   session 13 at 48h, logged in as u1, params chatgpt.com / referral (AI
//!   Assistant), purchase T2 at 49h with no purchase_revenue but param
//!   value 40, and the same T2 again at 50h (counted once);
//! - device d2, logged in as u1: session 21 at 30h with no source at all
//!   (Direct), purchase T1 at 31h, revenue 100;
//! - device d3: session 31 at 0h, manual facebook.com / cpc (Paid Social);
//!   a server-side purchase T3 at 2h (60, no ga_session_id) and a
//!   user_engagement at 3h (no ga_session_id);
//! - device d4: sign_up in its session 11 (the same id as d1's, a
//!   different session) at 5h, params bing / cpc (Paid Search).

use super::*;

fn hand_files() -> Vec<PathBuf> {
    ["hand.jsonl", "hand.parquet", "hand_spark.parquet"]
        .iter()
        .map(|f| testdata(&format!("ga4/{f}")))
        .collect()
}

fn credits(file: &Path, model: &str, extra: &[&str]) -> BTreeMap<String, Row> {
    let file = file.to_str().unwrap();
    attribute_csv(&[&["--ga4", file, "--models", model], extra].concat())
        .into_iter()
        .map(|((_, channel), row)| (channel, row))
        .collect()
}

fn assert_credits(got: &BTreeMap<String, Row>, want: &[(&str, f64, f64)], what: &str) {
    assert_eq!(
        got.keys().cloned().collect::<Vec<_>>(),
        {
            let mut names: Vec<String> = want.iter().map(|w| w.0.to_string()).collect();
            names.sort();
            names
        },
        "{what}: channels"
    );
    for &(channel, conv, value) in want {
        assert_close(got[channel].conversions, conv, &format!("{what}: {channel}"));
        assert_close(got[channel].value, value, &format!("{what}: {channel} value"));
    }
}

#[test]
fn hand_export_gives_hand_credits_in_every_format() {
    // Customer u1 (d1 and d2 joined by the login): Email (0h) > Paid Search
    // (24h) > Direct (30h) > purchase 100 (31h); AI Assistant (48h) >
    // purchase 40 (49h). d3: Paid Social > purchase 60 (no session, still a
    // conversion). d4 does not convert (sign_up is not a conversion event).
    let third = 1.0 / 3.0;
    for file in hand_files() {
        let what = file.display().to_string();
        assert_credits(
            &credits(&file, "linear", &[]),
            &[
                ("Email", third, 100.0 * third),
                ("Paid Search", third, 100.0 * third),
                ("Direct", third, 100.0 * third),
                ("AI Assistant", 1.0, 40.0),
                ("Paid Social", 1.0, 60.0),
            ],
            &what,
        );
        assert_credits(
            &credits(&file, "first-click", &[]),
            &[
                ("Email", 1.0, 100.0),
                ("Paid Search", 0.0, 0.0),
                ("Direct", 0.0, 0.0),
                ("AI Assistant", 1.0, 40.0),
                ("Paid Social", 1.0, 60.0),
            ],
            &what,
        );
    }
}

#[test]
fn pseudo_identity_keeps_devices_apart() {
    // d1: Email > Paid Search > AI Assistant > purchase 40; d2: Direct >
    // purchase 100; d3 as before.
    let third = 1.0 / 3.0;
    for file in hand_files() {
        assert_credits(
            &credits(&file, "linear", &["--ga4-identity", "pseudo"]),
            &[
                ("Email", third, 40.0 * third),
                ("Paid Search", third, 40.0 * third),
                ("AI Assistant", third, 40.0 * third),
                ("Direct", 1.0, 100.0),
                ("Paid Social", 1.0, 60.0),
            ],
            &file.display().to_string(),
        );
    }
}

#[test]
fn conversion_events_choose_the_conversions_and_type_them() {
    let file = testdata("ga4/hand.jsonl");
    let out = stdout_of(&[
        "attribute",
        "--ga4",
        file.to_str().unwrap(),
        "--conversion-events",
        "purchase,sign_up",
        "--by",
        "conversion-type",
        "--models",
        "last-click",
        "--format",
        "csv",
        "-q",
    ]);
    let rows: Vec<&str> = out.lines().filter(|l| !l.contains(",0.000000,0.000000,0.000000")).collect();
    assert_eq!(
        rows,
        [
            "conversion_type,model,channel,conversions,value,share",
            "purchase,last-click,AI Assistant,1.000000,40.000000,0.333333",
            "purchase,last-click,Direct,1.000000,100.000000,0.333333",
            "purchase,last-click,Paid Social,1.000000,60.000000,0.333333",
            "sign_up,last-click,Paid Search,1.000000,0.000000,1.000000",
        ]
    );
}

#[test]
fn summary_counts_every_event() {
    let file = testdata("ga4/hand.jsonl");
    let out = stdout_of(&[
        "attribute",
        "--ga4",
        file.to_str().unwrap(),
        "--models",
        "linear",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ga4 = &json["input"]["ga4"];
    let want = serde_json::json!({
        "events": 12,
        "sessions": 6,
        "devices": 4,
        "devices_with_user_id": 2,
        "events_without_device": 0,
        "events_without_session": 2,
        "conversions_without_session": 1,
        "repeated_transactions": 1
    });
    assert_eq!(ga4, &want);
    assert_eq!(json["input"]["conversions"], 3.0);
    assert_eq!(json["input"]["revenue"], 200.0);
    assert_eq!(json["input"]["customers"], 3);

    let out = mta()
        .args(["attribute", "--ga4", file.to_str().unwrap(), "--models", "linear"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("GA4: 12 events in 6 sessions (the touches) on 4 devices (2 joined to a user_id)"),
        "{err}"
    );
    assert!(
        err.contains("GA4: 2 events have no ga_session_id and are in no session (1 of them conversions, which count)"),
        "{err}"
    );
    assert!(err.contains("GA4: 1 conversion event repeats an earlier transaction_id"), "{err}");
}

#[test]
fn sessions_take_their_source_by_the_rules() {
    // `mta channels` lists each session's source / medium / campaign.
    let file = testdata("ga4/hand.jsonl");
    let out = stdout_of(&["channels", "--ga4", file.to_str().unwrap(), "--format", "csv"]);
    let mut rows: Vec<&str> = out.lines().skip(1).collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "(direct),(none),,Direct,ga4:1,1",
            "bing,cpc,,Paid Search,ga4:4,1",
            "chatgpt.com,referral,,AI Assistant,ga4:9,1",
            "facebook.com,cpc,spring,Paid Social,ga4:5,1",
            "google,cpc,,Paid Search,ga4:4,1",
            "newsletter,email,march,Email,ga4:15,1",
        ]
    );
}

#[test]
fn channel_rules_file_applies_to_sessions() {
    let f = Fixture::new();
    let rules = f.file("rules.csv", "channel,source,medium\nNewsletter,newsletter,email\n");
    let arg = format!("{},ga4", rules.display());
    let got = credits(&testdata("ga4/hand.jsonl"), "last-click", &["--channel-rules", &arg]);
    assert_close(got["Direct"].conversions, 1.0, "Direct");
    assert!(got.contains_key("Newsletter") && !got.contains_key("Email"), "{got:?}");
}

#[test]
fn event_order_and_format_do_not_change_results() {
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("ga4/hand.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reversed = f.file("reversed.json", lines.join("\n") + "\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let gzipped = f.file("hand.ndjson.gz", gz.finish().unwrap());
    let run = |file: &Path| stdout_of(&["attribute", "--ga4", file.to_str().unwrap(), "--format", "csv", "-q"]);
    let want = run(&testdata("ga4/hand.jsonl"));
    assert_eq!(run(&reversed), want);
    assert_eq!(run(&gzipped), want);
    let stdin = mta()
        .args(["attribute", "--ga4", "-", "--format", "csv", "-q"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(stdin.stdout).unwrap(), want);
}

#[test]
fn generated_sample_reads_the_same_from_json_and_parquet() {
    let run = |file: &str| {
        stdout_of(&[
            "attribute",
            "--ga4",
            testdata(file).to_str().unwrap(),
            "--conversion-events",
            "purchase,sign_up,generate_lead",
            "--format",
            "json",
        ])
    };
    let without_files = |json: String| {
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["input"].as_object_mut().unwrap().remove("files");
        v
    };
    let v = without_files(run("ga4/sample.jsonl.gz"));
    assert!(v == without_files(run("ga4/sample.parquet")), "JSON and Parquet differ");
    // Every rule-based model distributes exactly the conversions and revenue
    // read, minus the unattributed ones; the summary counts every event.
    let input = &v["input"];
    let g = &input["ga4"];
    assert!(g["events_without_session"].as_u64().unwrap() > 0, "{g}");
    assert!(g["repeated_transactions"].as_u64().unwrap() > 0, "{g}");
    assert!(g["devices_with_user_id"].as_u64().unwrap() > 0, "{g}");
    let by_type: u64 = input["conversions_by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        by_type as f64,
        input["conversions"].as_f64().unwrap() + input["unattributed_conversions"].as_f64().unwrap()
    );
    for m in v["models"].as_array().unwrap() {
        if m["model"] == "participation" {
            continue;
        }
        let credits = m["credits"].as_array().unwrap();
        let sum = |k: &str| credits.iter().map(|c| c[k].as_f64().unwrap()).sum::<f64>();
        assert!(
            (sum("conversions") - input["conversions"].as_f64().unwrap()).abs() < 1e-6,
            "{}",
            m["model"]
        );
        assert!((sum("value") - input["revenue"].as_f64().unwrap()).abs() < 1e-6, "{}", m["model"]);
    }
}

#[test]
fn bad_exports_name_the_line_and_field() {
    let f = Fixture::new();
    let cases: [(&str, &str, &str); 5] = [
        (
            "broken.jsonl",
            "{\"event_timestamp\":\"1\",\"event_name\":\"x\",\"user_pseudo_id\":\"d\"}\n{\"event_timestamp\": \n",
            "broken.jsonl` line 2: not a GA4 event object at column",
        ),
        (
            "no_time.jsonl",
            "{\"event_timestamp\":\"1\",\"event_name\":\"x\",\"user_pseudo_id\":\"d\"}\n{\"event_name\":\"x\",\"user_pseudo_id\":\"d\"}\n",
            "no_time.jsonl` line 2, column `event_timestamp`: found ``, expected an integer: microseconds since 1970-01-01 UTC",
        ),
        (
            "bad_time.jsonl",
            "{\"event_timestamp\":\"yesterday\",\"event_name\":\"x\",\"user_pseudo_id\":\"d\"}\n",
            "bad_time.jsonl` line 1, column `event_timestamp`: found `yesterday`",
        ),
        (
            "bad_session.jsonl",
            "{\"event_timestamp\":\"1\",\"event_name\":\"x\",\"user_pseudo_id\":\"d\",\"event_params\":[{\"key\":\"ga_session_id\",\"value\":{\"int_value\":\"abc\"}}]}\n",
            "bad_session.jsonl` line 1, column `event_params.ga_session_id`: found `abc`, expected an integer session id",
        ),
        (
            "a.csv",
            "customer_id,timestamp,channel\n",
            "a.csv` line 1: found `customer_id,timestamp,ch`, expected a GA4 BigQuery export",
        ),
    ];
    for (name, content, want) in cases {
        let file = f.file(name, content);
        let out = mta().args(["attribute", "--ga4", file.to_str().unwrap()]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(want), "{name}: {err}");
    }
    let empty = f.file("empty.json", "");
    let out = mta().args(["attribute", "--ga4", empty.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"), "{out:?}");
    // A Parquet file that is not a GA4 export.
    let out = mta()
        .args(["attribute", "--ga4", testdata("parquet/pyarrow_dates.parquet").to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("column `event_timestamp` not found"), "{err}");
}

#[test]
fn skipped_bad_events_are_counted() {
    let f = Fixture::new();
    let mut text = std::fs::read_to_string(testdata("ga4/hand.jsonl")).unwrap();
    text.push_str("{not json}\n{\"event_name\":\"page_view\",\"user_pseudo_id\":\"d9\"}\n");
    let file = f.file("dirty.jsonl", text);
    let out = mta()
        .args([
            "attribute",
            "--ga4",
            file.to_str().unwrap(),
            "--on-error",
            "skip",
            "--models",
            "linear",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("read 14 rows") && err.contains("skipped 2 bad rows (1 invalid timestamp, 1 malformed row)"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        stdout_of(&[
            "attribute",
            "--ga4",
            testdata("ga4/hand.jsonl").to_str().unwrap(),
            "--models",
            "linear",
            "--format",
            "csv",
            "-q"
        ])
    );
}

#[test]
fn column_flags_are_refused_with_ga4() {
    let file = testdata("ga4/hand.jsonl");
    for flag in [["--customer-col", "x"], ["--time-format", "epoch-s"], ["--delimiter", ";"]] {
        let out = mta()
            .args(["attribute", "--ga4", file.to_str().unwrap()])
            .args(flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"), "{flag:?}");
    }
    let out = mta()
        .args(["attribute", testdata("events.csv").to_str().unwrap(), "--ga4-identity", "pseudo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn period_and_channel_filters_work_on_sessions() {
    // Only 2026-03-02 onwards: the purchases of u1 at 31h and 49h; d3's at
    // 2h is outside. Without Direct: u1's first journey is Email > Paid Search.
    let file = testdata("ga4/hand.jsonl");
    let got = credits(&file, "linear", &["--from", "2026-03-02", "--exclude-channels", "direct"]);
    assert_credits(
        &got,
        &[
            ("Email", 0.5, 50.0),
            ("Paid Search", 0.5, 50.0),
            ("AI Assistant", 1.0, 40.0),
            ("Paid Social", 0.0, 0.0),
        ],
        "period",
    );
}

#[test]
fn events_without_a_device_are_counted_and_left_out() {
    // Consent mode's cookieless pings carry no user_pseudo_id: a purchase
    // among them cannot be tied to a customer.
    let f = Fixture::new();
    let mut text = std::fs::read_to_string(testdata("ga4/hand.jsonl")).unwrap();
    text.push_str("{\"event_timestamp\":\"1772330400000000\",\"event_name\":\"page_view\",\"user_pseudo_id\":null}\n");
    text.push_str("{\"event_timestamp\":\"1772330400000001\",\"event_name\":\"purchase\",\"ecommerce\":{\"purchase_revenue\":80}}\n");
    let file = f.file("consent.jsonl", text);
    let json = stdout_of(&[
        "attribute",
        "--ga4",
        file.to_str().unwrap(),
        "--models",
        "linear",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["input"]["ga4"]["events"], 14);
    assert_eq!(v["input"]["ga4"]["events_without_device"], 2);
    assert_eq!(v["input"]["files"][0]["rows"], 14);
    assert_eq!(v["input"]["revenue"], 200.0);
    let out = mta()
        .args(["attribute", "--ga4", file.to_str().unwrap(), "--models", "linear"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("GA4: 2 events have no user_pseudo_id (consent mode's cookieless pings)"),
        "{err}"
    );
    let plain = |file: &Path| {
        stdout_of(&[
            "attribute",
            "--ga4",
            file.to_str().unwrap(),
            "--models",
            "linear",
            "--format",
            "csv",
            "-q",
        ])
    };
    assert_eq!(plain(&file), plain(&testdata("ga4/hand.jsonl")));
}

/// Events at the same microsecond are ordered by their content, never by
/// the file: the device's user is the greatest of those seen last, the
/// session's source the smallest (source, medium, campaign) seen first, and
/// a repeated transaction counts at its smallest (device, event, value).
#[test]
fn ties_in_time_resolve_by_content_not_file_order() {
    let event = |device: &str, user: &str, name: &str, source: &str, txn: &str, revenue: &str| {
        let user = if user.is_empty() {
            "null".to_string()
        } else {
            format!("\"{user}\"")
        };
        let traffic = if source.is_empty() {
            "null".to_string()
        } else {
            // alpha.example comes by email (Email), the others by referral.
            let medium = if source.starts_with("alpha") { "email" } else { "referral" };
            format!("{{\"manual_source\":\"{source}\",\"manual_medium\":\"{medium}\"}}")
        };
        let ecommerce = if txn.is_empty() {
            "null".to_string()
        } else {
            format!("{{\"transaction_id\":\"{txn}\",\"purchase_revenue\":{revenue}}}")
        };
        format!(
            "{{\"event_timestamp\":\"1772323200000000\",\"event_name\":\"{name}\",\"event_params\":[{{\"key\":\"ga_session_id\",\"value\":{{\"int_value\":\"1\"}}}}],\"user_id\":{user},\"user_pseudo_id\":\"{device}\",\"collected_traffic_source\":{traffic},\"ecommerce\":{ecommerce}}}\n"
        )
    };
    let lines = [
        event("d1", "u-b", "page_view", "zeta.example", "", ""),
        event("d1", "u-a", "page_view", "alpha.example", "", ""),
        event("d1", "", "purchase", "", "T1", "30"),
        event("d2", "", "purchase", "", "T1", "10"),
        event("d1", "", "purchase", "", "T1", "20"),
    ];
    let f = Fixture::new();
    let forward = f.file("forward.jsonl", lines.concat());
    let backward = f.file("backward.jsonl", lines.iter().rev().cloned().collect::<String>());
    let run = |p: &Path| stdout_of(&["journeys", "--ga4", p.to_str().unwrap(), "--format", "csv", "-q"]);
    let out = run(&forward);
    assert_eq!(out, run(&backward));
    // d1 is u-b (greatest user at the last time); its session's source is
    // alpha.example (smallest triple); T1 counts once, as d1's purchase of 20
    // (d1 < d2, then 20 < 30).
    assert!(out.contains("u-b,1,Email,1,true,20.000000,"), "{out}");
    assert!(!out.contains("u-a,") && out.contains("d2,1,Direct,1,false,"), "{out}");
    let credits = attribute_csv(&["--ga4", forward.to_str().unwrap(), "--models", "last-click"]);
    let row = credits[&("last-click".to_string(), "Email".to_string())];
    assert_close(row.conversions, 1.0, "one T1");
    assert_close(row.value, 20.0, "d1's purchase of 20");
}
