//! Channels from source / medium / campaign: GA4's default channel group,
//! rules files, and `mta channels`.

use predicates::prelude::*;

use super::*;

#[test]
fn a_utm_export_gives_the_credits_of_the_same_touches_with_channels() {
    // testdata/utm.csv is testdata/events.csv with each channel written as a
    // source / medium GA4 maps back to it (Social -> Organic Social), in
    // several spellings (case, padding, `www.`, empty source and medium).
    let from_utm = attribute_csv(&["testdata/utm.csv"]);
    let from_events = attribute_csv(&["testdata/events.csv"]);
    assert_eq!(from_utm.len(), from_events.len());
    for ((model, channel), row) in &from_events {
        let renamed = if channel == "Social" { "Organic Social" } else { channel.as_str() };
        let got = &from_utm[&(model.clone(), renamed.to_string())];
        assert_eq!(got, row, "{model} {channel}");
    }
    // The default is announced, and explicit rules say nothing.
    let out = mta().args(["attribute", "testdata/utm.csv"]).output().unwrap();
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("has no `channel` column: channels come from `source` and `medium`")
    );
    let out = mta()
        .args(["attribute", "testdata/utm.csv", "--channel-rules", "ga4"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stderr).unwrap().contains("has no `channel` column"));
}

#[test]
fn mta_channels_lists_the_mapping_by_rows() {
    let csv = stdout_of(&["channels", "testdata/utm.csv", "--format", "csv", "-q"]);
    assert_eq!(
        csv,
        "source,medium,campaign,channel,rule,rows\n\
         Newsletter,email,jan-promo,Email,ga4:15,3\n\
         (direct),(none),,Direct,ga4:1,2\n\
         crm,E-Mail,,Email,ga4:15,2\n\
         facebook,referral,,Organic Social,ga4:11,2\n\
         ,,,Direct,ga4:1,1\n\
         adnet,banner,,Display,ga4:7,1\n\
         google,cpc,brand,Paid Search,ga4:4,1\n\
         news-site,display,spring,Display,ga4:7,1\n\
         t.co,social,,Organic Social,ga4:11,1\n\
         www.bing.com,ppc,generic,Paid Search,ga4:4,1\n"
    );
    // A channel column needs no mapping.
    mta()
        .args(["channels", "testdata/events.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no channel rules were applied"));
}

#[test]
fn a_rules_file_comes_before_ga4_and_its_errors_name_line_and_column() {
    let f = Fixture::new();
    let rules = f.file(
        "rules.csv",
        "channel,source,medium\nNewsletter,newsletter,email\nBing,.*bing\\.com,\n",
    );
    let spec = format!("{},ga4", rules.display());
    let csv = stdout_of(&["channels", "testdata/utm.csv", "--channel-rules", &spec, "--format", "csv", "-q"]);
    assert!(
        csv.contains("\nNewsletter,email,jan-promo,Newsletter,") && csv.contains("rules.csv:2,3\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nwww.bing.com,ppc,generic,Bing,") && csv.contains("rules.csv:3,1\n"),
        "{csv}"
    );
    assert!(csv.contains("\ngoogle,cpc,brand,Paid Search,ga4:4,1\n"), "{csv}");
    // The file alone: what it does not match is Unassigned.
    let alone = stdout_of(&[
        "channels",
        "testdata/utm.csv",
        "--channel-rules",
        rules.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert!(alone.contains("\ngoogle,cpc,brand,Unassigned,ga4:20,1\n"), "{alone}");
    let bad = f.file("bad.csv", "channel,source,medium\nX,(unclosed,\n");
    mta()
        .args(["attribute", "testdata/utm.csv", "--channel-rules"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "line 2, column `source`: found `(unclosed`, expected a regular expression",
        ));
}

#[test]
fn neither_a_channel_nor_source_and_medium_is_an_error_naming_both_fixes() {
    let f = Fixture::new();
    let input = f.file("in.csv", "customer_id,timestamp,source,conversion\na,2025-01-01,google,1\n");
    let out = mta().arg("attribute").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap().replace(input.to_str().unwrap(), "in.csv");
    assert_eq!(
        err,
        "error: column `channel` not found in `in.csv`\n\nhint: available columns are `customer_id`, `timestamp`, `source`, `conversion`; \
         pass `--channel-col <NAME>`, or give `source` and `medium` columns (`--source-col`, `--medium-col`) to derive channels with `--channel-rules ga4`\n"
    );
    // Asked for rules, the source and medium columns are required.
    mta()
        .arg("attribute")
        .arg(&input)
        .args(["--channel-rules", "ga4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("column `medium` not found").and(predicate::str::contains("--medium-col <NAME>")));
}

#[test]
fn generated_utm_events_give_the_generated_channels_credits() {
    // The generator writes the same touches twice: with a channel, and with a
    // source / medium / campaign that GA4's rules map back to it.
    let f = generated(2000, 5, 12);
    let rename = |c: &str| match c {
        "Social" => "Organic Social".to_string(),
        "Affiliate" => "Affiliates".to_string(),
        "Video" => "Organic Video".to_string(),
        "Push" => "Mobile Push Notifications".to_string(),
        c => c.to_string(),
    };
    let from_utm = attribute_csv(&[
        f.path("events-utm.csv").to_str().unwrap(),
        "--models",
        "first-click,linear,time-decay",
    ]);
    let from_events = attribute_csv(&[f.path("events.csv").to_str().unwrap(), "--models", "first-click,linear,time-decay"]);
    // The two extra channels both become Referral: compare the built-in ones.
    for ((model, channel), row) in from_events
        .iter()
        .filter(|((_, c), _)| !c.starts_with("Channel") && c != "Referral")
    {
        assert_eq!(&from_utm[&(model.clone(), rename(channel))], row, "{model} {channel}");
    }
}

#[test]
fn channels_maps_a_touch_file_without_conversions() {
    // A raw web export of visits: no conversion flag, no revenue. Its
    // channels still map (GA4's rules: google / cpc is Paid Search).
    let f = Fixture::new();
    let visits = f.file(
        "visits.csv",
        "customer_id,timestamp,utm_source,utm_medium\na,2026-01-01T00:00:00Z,google,cpc\nb,2026-01-02T00:00:00Z,google,cpc\nc,2026-01-02T00:00:00Z,newsletter,email\n",
    );
    let out = mta()
        .args(["channels", visits.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("google,cpc,,Paid Search,") && l.ends_with(",2")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("newsletter,email,,Email,") && l.ends_with(",1")),
        "{text}"
    );
    // `attribute` on the same file still needs the conversions.
    let out = mta().args(["attribute", visits.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}
