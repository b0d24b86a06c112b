//! `--from` / `--to` and `--include-channels` / `--exclude-channels` on the
//! hand-checked sample (testdata/README.md lists its journeys).

use super::*;

fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(
        &[&["attribute", "testdata/events.csv"], args, &["--format", "json"]].concat(),
    ))
    .unwrap()
}

fn linear(args: &[&str]) -> BTreeMap<String, Row> {
    attribute_csv(&[&["testdata/events.csv", "--models", "linear"], args].concat())
        .into_iter()
        .map(|((_, channel), row)| (channel, row))
        .collect()
}

#[test]
fn a_period_keeps_conversions_in_it_and_counts_what_it_removed() {
    // January 10th to 20th (exclusive): alice's conversion on the 15th
    // (Paid Search > Email > Direct, 120) and bob's on the 12th (Email >
    // Email, 30). Removed: bob's on the 9th, carol's (22nd), erin's (4th),
    // alice's trailing Social (20th: `--to` is exclusive) and dave (5th).
    let period = ["--from", "2025-01-10", "--to", "2025-01-20"];
    let got = linear(&period);
    for (channel, conv, value) in [
        ("Paid Search", 1.0 / 3.0, 40.0),
        ("Email", 4.0 / 3.0, 70.0),
        ("Direct", 1.0 / 3.0, 40.0),
    ] {
        assert_close(got[channel].conversions, conv, channel);
        assert_close(got[channel].value, value, channel);
    }
    assert_close(got["Social"].conversions, 0.0, "Social");
    let input = &json_of(&period)["input"];
    assert_eq!(input["outside_period"]["journeys"], 5);
    assert_eq!(input["outside_period"]["conversions"], 3);
    assert_eq!(input["outside_period"]["revenue"], 195.0);
    // Conversions read = attributed + unattributed + outside the period.
    assert_eq!(input["conversions_read"], 5.0);
    assert_eq!(input["conversions"], 2.0);
    assert_eq!(
        (input["journeys"].as_f64(), input["converting_journeys"].as_f64()),
        (Some(2.0), Some(2.0))
    );
    // The summary on stderr says so.
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--format", "csv"])
        .args(period)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--from/--to removed 5 journeys outside the period (3 conversions, revenue 195.00)"),
        "{err}"
    );
    // A timestamp with an offset is an instant: 2025-01-15T10:00+01:00 is
    // 09:00 UTC, alice's conversion, which an exclusive end leaves out.
    let got = linear(&["--from", "2025-01-10", "--to", "2025-01-15T10:00:00+01:00"]);
    assert_close(got["Direct"].conversions, 0.0, "Direct");
    assert_close(got["Email"].conversions, 1.0, "Email");
    // A local time is read in `--timezone`: 18:00 on the 12th is after bob's
    // conversion (09:00 UTC) in UTC, and exactly it in Tokyo (UTC+9).
    let email = |zone: &str| linear(&["--from", "2025-01-12T18:00:00", "--timezone", zone])["Email"].conversions;
    assert_close(email("UTC"), 1.0 / 3.0 + 1.0 / 4.0, "Email from 18:00 UTC");
    assert_close(email("Asia/Tokyo"), 1.0 + 1.0 / 3.0 + 1.0 / 4.0, "Email from 18:00 in Tokyo");
}

#[test]
fn excluded_channels_leave_journeys_but_not_conversions() {
    // Without Direct: alice Paid Search > Email (120), bob Social > Paid
    // Search (60), bob Email > Email (30), carol Display > Social > Email
    // (90); erin's conversion on Direct alone is unattributed (45).
    let got = linear(&["--exclude-channels", "direct"]);
    for (channel, conv, value) in [
        ("Paid Search", 1.0, 90.0),
        ("Email", 11.0 / 6.0, 120.0),
        ("Social", 5.0 / 6.0, 60.0),
        ("Display", 1.0 / 3.0, 30.0),
    ] {
        assert_close(got[channel].conversions, conv, channel);
        assert_close(got[channel].value, value, channel);
    }
    assert!(!got.contains_key("Direct"), "{got:?}");
    let input = &json_of(&["--exclude-channels", "direct"])["input"];
    assert_eq!(input["dropped_by_channel_filter"], 3);
    assert_eq!(input["unattributed_conversions"], 1);
    // Including the other four is the same thing.
    assert_eq!(got, linear(&["--include-channels", "Paid Search,email,SOCIAL,Display"]));
    // A name that matches nothing is a warning, not an error.
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--format",
            "csv",
            "--exclude-channels",
            "Direct,TV",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("warning: the channel filter names `TV`"), "{err}");
}

#[test]
fn bad_periods_and_filters_are_usage_errors() {
    for (args, expected) in [
        (&["--from", "2025-13-01"][..], "`--from 2025-13-01`: expected a real calendar date"),
        (&["--to", "next week"], "`--to next week`: expected a date or an ISO 8601 timestamp"),
        (&["--from", "2025-02-01", "--to", "2025-01-01"], "`--to` is not after `--from`"),
        (&["--exclude-channels", "A", "--include-channels", "B"], "cannot be used with"),
        (&["--exclude-channels", "A,,B"], "names an empty channel"),
    ] {
        let out = mta().args(["attribute", "testdata/events.csv"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = mta()
        .args(["attribute", "--paths", "testdata/paths.csv", "--from", "2025-01-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("path aggregates are journeys already"));
}
