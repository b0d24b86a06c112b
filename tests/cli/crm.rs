//! CRM exports (issue 34): conversion dates without a time of day.

use super::*;

#[test]
fn a_date_only_lead_comes_after_that_day_s_touches() {
    // The lead was created on 2026-07-28 by the Google Ads form fill at
    // 14:00; the CRM export knows only the date. Read as midnight, the lead
    // would come before both of that day's touches and be credited to the
    // day before's Email; read as the end of the day, last-click credits
    // Google Ads, and the summary says how many dates had no time.
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\n\
         p1,2026-07-27T10:00:00,Email\n\
         p1,2026-07-28T09:00:00,Newsletter\n\
         p1,2026-07-28T14:00:00,Google Ads\n\
         p2,2026-07-28T08:00:00,Social\n",
    );
    let leads = f.file(
        "leads.csv",
        "customer_id,timestamp,value\np1,2026-07-28,1\np2,2026-07-28T07:00:00,1\n",
    );
    let out = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conversions", leads.to_str().unwrap()])
        .args(["--models", "last-click", "--format", "csv", "--timezone", "Europe/Berlin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = parse_csv(&out.stdout);
    let credit = |ch: &str| rows.get(&("last-click".to_string(), ch.to_string())).map_or(0.0, |r| r.conversions);
    assert_eq!(credit("Google Ads"), 1.0, "{rows:?}");
    assert_eq!(credit("Email") + credit("Newsletter"), 0.0, "{rows:?}");
    // p2's lead has a time (07:00, before the 08:00 touch): no touch before it.
    assert_eq!(credit("Social"), 0.0, "{rows:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 conversion has a date without a time of day: each counts at the end of its day"),
        "{stderr}"
    );
    // The JSON input block counts them too.
    let json = stdout_of(&[
        "attribute",
        touches.to_str().unwrap(),
        "--conversions",
        leads.to_str().unwrap(),
        "--format",
        "json",
        "--models",
        "last-click",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["input"]["conversions_date_only"], 1);
}
