//! `--path-transform`: every subcommand and output sees the transformed
//! journeys, and the two routes to path aggregates agree.

use super::*;

const TRANSFORMS: [&str; 6] = [
    "unique",
    "exposure",
    "first",
    "remove-if-not-all:Email",
    "remove-if-last-and-not-all:Direct|Email",
    "exposure,remove-if-not-all:Direct",
];

#[test]
fn paths_under_a_transform_equal_the_transform_of_the_paths() {
    let f = Fixture::new();
    let plain = f.path("plain.csv");
    mta()
        .args(["paths", "testdata/events.csv", "-q", "-o"])
        .arg(&plain)
        .assert()
        .success();
    for t in TRANSFORMS {
        // Events -> transformed paths, and events -> paths -> transformed paths.
        let direct = stdout_of(&["paths", "testdata/events.csv", "-q", "--path-transform", t]);
        let again = stdout_of(&["paths", "--paths", plain.to_str().unwrap(), "-q", "--path-transform", t]);
        assert_eq!(direct, again, "{t}");
        // And the credits of those path rows are the events' under the transform.
        let rows = f.file("t.csv", &direct);
        let from_paths = attribute_csv(&[
            "--paths",
            rows.to_str().unwrap(),
            "--models",
            "first-click,linear,position-based,markov,shapley",
        ]);
        let from_events = attribute_csv(&[
            "testdata/events.csv",
            "--path-transform",
            t,
            "--models",
            "first-click,linear,position-based,markov,shapley",
        ]);
        for (key, row) in &from_events {
            assert_close(from_paths[key].conversions, row.conversions, &format!("{t} {key:?}"));
            assert_close(from_paths[key].value, row.value, &format!("{t} {key:?}"));
        }
    }
}

#[test]
fn transforms_reach_journeys_and_per_conversion_rows_and_are_counted() {
    // Direct goes from every journey but erin's, which has nothing else (and still converts).
    let journeys = stdout_of(&[
        "journeys",
        "testdata/events.csv",
        "-q",
        "--path-transform",
        "first,remove-if-not-all:Direct",
    ]);
    let direct: Vec<&str> = journeys.lines().filter(|l| l.contains("Direct")).collect();
    assert_eq!(direct.len(), 1, "{journeys}");
    assert!(direct[0].starts_with("erin,1,Direct,1,true,45.000000,"), "{journeys}");
    assert!(
        journeys.contains("\ncarol,1,Display > Social > Email,3,true,90.000000,"),
        "{journeys}"
    );
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--path-transform",
            "exposure",
            "--per-conversion",
            "--models",
            "linear",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("path transforms dropped "), "{stderr}");
    // Every conversion keeps its credit of 1 under linear, whatever was dropped.
    let rows = String::from_utf8(out.stdout).unwrap();
    let mut per_conversion: BTreeMap<(String, String), f64> = BTreeMap::new();
    for line in rows.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *per_conversion.entry((f[0].to_string(), f[1].to_string())).or_default() += f[4].parse::<f64>().unwrap();
    }
    assert_eq!(per_conversion.len(), 5);
    assert!(per_conversion.values().all(|c| (c - 1.0).abs() < 1e-5), "{per_conversion:?}");
}

#[test]
fn an_unknown_channel_is_a_warning_and_a_bad_transform_a_usage_error() {
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--path-transform", "remove-if-not-all:direct"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning: `--path-transform` names channel `direct`, which the input does not have"),
        "{stderr}"
    );
    let out = mta()
        .args(["attribute", "no-such-file.csv", "--path-transform", "exposures"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("unknown path transform `exposures`")
    );
}

#[test]
fn window_mode_needs_a_lookback_and_events_and_shares_touches_between_conversions() {
    for (args, says) in [
        (
            vec!["testdata/events.csv", "--journey-mode", "window"],
            "`--journey-mode window` needs `--lookback`",
        ),
        (
            vec!["--paths", "testdata/paths.csv", "--journey-mode", "window", "--lookback", "7d"],
            "needs touch timestamps",
        ),
    ] {
        let out = mta().arg("attribute").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8(out.stderr).unwrap().contains(says), "{args:?}");
    }
    // bob converts on Jan 9 (after Social, Paid Search) and Jan 12 (after
    // Email, Email): with a 30-day window his second journey holds all four touches.
    let split = stdout_of(&["journeys", "testdata/events.csv", "-q", "--lookback", "30d"]);
    let window = stdout_of(&[
        "journeys",
        "testdata/events.csv",
        "-q",
        "--lookback",
        "30d",
        "--journey-mode",
        "window",
    ]);
    assert!(split.contains("\nbob,2,Email > Email,2,true,30.000000,"), "{split}");
    assert!(
        window.contains("\nbob,2,Social > Paid Search > Email > Email,4,true,30.000000,"),
        "{window}"
    );
    // alice converts: her touch after the conversion is in no journey; dave never converts.
    assert!(!window.contains("alice,2,"), "{window}");
    assert!(window.contains("\ndave,1,Email > Display,2,false,"), "{window}");
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--lookback", "30d", "--journey-mode", "window"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("window mode: 1 touches fall in no journey"), "{stderr}");
}
