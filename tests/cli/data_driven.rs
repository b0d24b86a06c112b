//! `--models data-driven` from the command line (issue 29): the fit's
//! figures on stderr and in JSON, credits that add up, per-conversion rows
//! that split each conversion, and the same output whatever the row order.

use super::*;

fn generated_events(seed: u64) -> (Fixture, String) {
    let f = generated(4000, seed, 6);
    let events = f.dir.path().join("events.csv").to_str().unwrap().to_string();
    (f, events)
}

#[test]
fn reports_its_fit_and_its_rule() {
    let (_f, events) = generated_events(31);
    let out = mta()
        .args(["attribute", &events, "--models", "data-driven", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let note = stderr
        .lines()
        .find(|l| l.starts_with("note: data-driven: held-out log loss"))
        .expect("the fit's note");
    assert!(
        note.contains("from channel presence alone") && note.contains("so credit is the"),
        "{note}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model = &v["models"][0];
    assert_eq!(model["model"], "data-driven");
    let p = &model["parameters"];
    for key in ["holdout_log_loss", "holdout_auc", "baseline_log_loss", "baseline_auc", "penalty"] {
        assert!(p[key].as_f64().is_some_and(f64::is_finite), "{key}: {p}");
    }
    let auc = p["holdout_auc"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&auc), "{p}");
    let rule = p["rule"].as_str().unwrap();
    assert!(note.ends_with(rule), "{note} / {rule}");
    assert_eq!(p["folds"], 5.0);
    // Credits sum to the conversions and the revenue of the input.
    let credits = model["credits"].as_array().unwrap();
    let conv: f64 = credits.iter().map(|c| c["conversions"].as_f64().unwrap()).sum();
    let value: f64 = credits.iter().map(|c| c["value"].as_f64().unwrap()).sum();
    assert_close(conv, v["input"]["conversions"].as_f64().unwrap(), "conversions");
    assert_close(value, v["input"]["revenue"].as_f64().unwrap(), "revenue");
}

#[test]
fn each_conversion_splits_into_shares_that_sum_to_one() {
    let (_f, events) = generated_events(37);
    let out = stdout_of(&[
        "attribute",
        &events,
        "--models",
        "data-driven",
        "--per-conversion",
        "--format",
        "csv",
    ]);
    let mut per: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    for r in rdr.records() {
        let r = r.unwrap();
        assert_eq!(&r[2], "data-driven");
        let credit: f64 = r[4].parse().unwrap();
        assert!(credit >= 0.0, "{r:?}");
        *per.entry((r[0].to_string(), r[1].to_string())).or_default() += credit;
    }
    assert!(per.len() > 100, "{} conversions", per.len());
    for (k, sum) in per {
        assert!((sum - 1.0).abs() < 1e-5, "{k:?}: {sum}");
    }
}

#[test]
fn rows_in_another_order_give_the_same_bytes() {
    let (f, events) = generated_events(41);
    let text = std::fs::read_to_string(&events).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = f.file("reversed.csv", format!("{header}\n{}\n", lines.join("\n")));
    let args = |p: &str| stdout_of(&["attribute", p, "--models", "data-driven", "--format", "json"]);
    let (a, b) = (args(&events), args(reversed.to_str().unwrap()));
    // The input's file name is in the JSON; everything else is the same.
    assert_eq!(a.replace(&events, "X"), b.replace(reversed.to_str().unwrap(), "X"));
}
