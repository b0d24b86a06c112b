//! CRM exports (issue 34): conversion dates without a time of day,
//! amounts written with German thousands separators, several stages in
//! one conversions file.

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

#[test]
fn amounts_with_german_thousands_separators_are_not_read_silently() {
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\np1,2026-07-27T10:00:00Z,Email\np2,2026-07-27T11:00:00Z,Fair\n",
    );
    // Deals of 45,000 and 120,500 euros, written the German way without a decimal part.
    let deals = f.file(
        "deals.csv",
        "customer_id,timestamp,value\np1,2026-07-28T12:00:00Z,45.000\np2,2026-07-28T12:00:00Z,120.500\n",
    );
    let args = |d: &std::path::Path| {
        let mut c = mta();
        c.args([
            "attribute",
            touches.to_str().unwrap(),
            "--conversions",
            d.to_str().unwrap(),
            "--models",
            "last-click",
        ]);
        c.output().unwrap()
    };
    let out = args(&deals);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("column `value`: 2 values shaped like `45.000`") && stderr.contains("pass `--decimal-comma`"),
        "{stderr}"
    );
    // With a value that has real decimals, the column is decimal: no warning.
    let mixed = f.file(
        "mixed.csv",
        "customer_id,timestamp,value\np1,2026-07-28T12:00:00Z,45.000\np2,2026-07-28T12:00:00Z,12.50\n",
    );
    assert!(!String::from_utf8_lossy(&args(&mixed).stderr).contains("thousands"));
    // `1.250.000` is no number with a decimal point: the error says which flag reads it.
    let million = f.file("million.csv", "customer_id,timestamp,value\np1,2026-07-28T12:00:00Z,1.250.000\n");
    let out = args(&million);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2, column `value`") && stderr.contains("pass `--decimal-comma`"),
        "{stderr}"
    );
}

#[test]
fn several_conversion_types_are_counted_and_warned_about() {
    // A CRM export of stage changes: two leads (no amount) and a won deal.
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\np1,2026-07-27T10:00:00Z,Email\np2,2026-07-27T11:00:00Z,Fair\n",
    );
    let stages = f.file(
        "stages.csv",
        "customer_id,timestamp,value,stage\np1,2026-07-28T12:00:00Z,0,lead\np2,2026-07-28T12:00:00Z,0,lead\np1,2026-08-10T12:00:00Z,45000,won\n",
    );
    let run = |extra: &[&str]| {
        let out = mta()
            .args([
                "attribute",
                touches.to_str().unwrap(),
                "--conversions",
                stages.to_str().unwrap(),
                "--type-col",
                "stage",
            ])
            .args(["--models", "last-click"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap()
    };
    let err = run(&[]);
    assert!(
        err.contains("conversions by type: lead 2 (revenue 0.00), won 1 (revenue 45,000.00)"),
        "{err}"
    );
    assert!(
        err.contains("warning: conversions of 2 types (lead, won) are counted together")
            && err.contains("`--conversion-types TYPE`")
            && err.contains("`--by conversion-type`"),
        "{err}"
    );
    // One type kept, or each type on its own: no warning.
    assert!(!run(&["--conversion-types", "won"]).contains("counted together"));
    assert!(!run(&["--by", "conversion-type"]).contains("counted together"));
}

#[test]
fn currencies_around_amounts_are_stripped_and_a_mix_is_an_error() {
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\np1,2026-07-27T10:00:00Z,Email\np2,2026-07-27T11:00:00Z,Fair\n",
    );
    let run = |deals: &str, extra: &[&str]| {
        let d = f.file("deals.csv", deals);
        mta()
            .args([
                "attribute",
                touches.to_str().unwrap(),
                "--conversions",
                d.to_str().unwrap(),
                "--models",
                "last-click",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    // German amounts with the euro sign after or before them.
    let out = run(
        "customer_id;timestamp;value\np1;2026-07-28T12:00:00Z;45.000,00 €\np2;2026-07-28T12:00:00Z;€ 1.250,50\n",
        &["--decimal-comma"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("revenue 46,250.50"));
    // A code before an amount with `,` between thousands and a decimal point.
    let out = run(
        "customer_id,timestamp,value\np1,2026-07-28T12:00:00Z,\"EUR 1,250.00\"\np2,2026-07-28T12:00:00Z,EUR 12.00\n",
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("revenue 1,262.00"));
    // Euros then dollars: an error at the dollar amount's line, naming both.
    let out = run(
        "customer_id,timestamp,value\np1,2026-07-28T12:00:00Z,EUR 10.00\np2,2026-07-28T12:00:00Z,$12.00\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3, column `value`: found `$12.00`") && stderr.contains("mixes currencies (EUR and USD)"),
        "{stderr}"
    );
}

#[test]
fn a_crm_export_is_read_with_its_own_columns_and_formats() {
    // The web export: UTF-8, `,`, ISO times, English column names. The CRM
    // export: Windows-1252, `;`, German column names, dates without a time
    // of day, amounts with a decimal comma and `.` between thousands.
    let f = Fixture::new();
    let touches = f.file(
        "web.csv",
        "customer_id,timestamp,channel\n\
         p1,2026-07-27T10:00:00,Email\n\
         p1,2026-07-28T14:00:00,Google Ads\n\
         p2,2026-07-27T11:00:00,Messe\n",
    );
    let mut crm = b"Kontakt;Datum;Betrag;Phase\n".to_vec();
    for (who, day, amount) in [("p1", "28.07.2026", "45.000,00"), ("p2", "29.07.2026", "1.250,50")] {
        crm.extend_from_slice(format!("{who};{day};{amount};Gesch").as_bytes());
        crm.push(0xE4); // `ä` in Windows-1252
        crm.extend_from_slice(b"ft gewonnen\n");
    }
    let crm = f.file("crm.csv", crm);
    let conv_flags = [
        "--conv-customer-col",
        "Kontakt",
        "--conv-time-col",
        "Datum",
        "--conv-value-col",
        "Betrag",
        "--conv-type-col",
        "Phase",
        "--conv-time-format",
        "%d.%m.%Y",
        "--conv-delimiter",
        ";",
        "--conv-encoding",
        "windows-1252",
        "--conv-decimal-comma",
    ];
    let run = |format: &str| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", crm.to_str().unwrap()])
            .args(["--models", "last-click", "--timezone", "Europe/Berlin", "--format", format])
            .args(conv_flags)
            .output()
            .unwrap()
    };
    let out = run("csv");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = parse_csv(&out.stdout);
    let row = |ch: &str| rows[&("last-click".to_string(), ch.to_string())];
    // p1's deal (end of 28 July) comes after that day's Google Ads touch.
    assert_eq!((row("Google Ads").conversions, row("Google Ads").value), (1.0, 45_000.0));
    assert_eq!((row("Messe").conversions, row("Messe").value), (1.0, 1_250.5));
    assert_eq!(row("Email").conversions, 0.0);
    let v: serde_json::Value = serde_json::from_slice(&run("json").stdout).unwrap();
    assert_eq!(v["input"]["conversions_date_only"], 2);
    assert_eq!(v["input"]["revenue_by_type"]["Geschäft gewonnen"], 46_250.5);

    // Without the flags, the missing column's hint names the flag for this file alone.
    let out = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conversions", crm.to_str().unwrap()])
        .args(["--conv-delimiter", ";", "--conv-encoding", "windows-1252"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("crm.csv") && stderr.contains("`--conv-customer-col"), "{stderr}");
    // The touch files keep their own settings: a `;` there would not split the web export.
    let out = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conversions", crm.to_str().unwrap()])
        .args(conv_flags)
        .args(["--delimiter", ";", "--models", "last-click"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    // A `--conv-*` flag without a conversions file is refused by clap.
    let out = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conv-time-col", "Datum"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_deal_listed_once_per_contact_is_one_deal() {
    // Deal D1 is listed for each of three buying-committee contacts, with
    // the deal's date as each contact's CRM row has it; D2 has one row.
    // By hand, last-click: D1 is one conversion at its earliest row (c2 on
    // 9 July, whose last touch is Fair), worth 45,000 once; D2 is Email's.
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\n\
         c1,2026-07-01T10:00:00Z,Email\n\
         c2,2026-07-02T10:00:00Z,Fair\n\
         c3,2026-07-03T10:00:00Z,Webinar\n",
    );
    let deals = |third: &str| {
        f.file(
            "deals.csv",
            format!(
                "deal_id,customer_id,timestamp,value\n\
                 D1,c1,2026-07-10T12:00:00Z,45000\n\
                 D1,c2,2026-07-09T12:00:00Z,45000\n\
                 D1,c3,2026-07-11T12:00:00Z,{third}\n\
                 D2,c1,2026-07-12T12:00:00Z,1000\n"
            ),
        )
    };
    let run = |deals: &std::path::Path, extra: &[&str]| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", deals.to_str().unwrap()])
            .args(["--conversion-id-col", "deal_id", "--models", "last-click", "--value-col", "value"])
            .args(extra)
            .output()
            .unwrap()
    };
    let d = deals("45000");
    let out = run(&d, &["--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = parse_csv(&out.stdout);
    let row = |ch: &str| rows[&("last-click".to_string(), ch.to_string())];
    assert_eq!((row("Fair").conversions, row("Fair").value), (1.0, 45_000.0));
    assert_eq!((row("Email").conversions, row("Email").value), (1.0, 1_000.0));
    assert_eq!(row("Webinar").conversions, 0.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("merged 3 conversion rows sharing a `deal_id` (`--conversion-id-col`) into 1 conversion"),
        "{stderr}"
    );
    assert!(!stderr.contains("different values"), "{stderr}");
    // Rows add up: 3 touches + 4 conversion rows read, 2 of them merged away.
    let v: serde_json::Value = serde_json::from_slice(&run(&d, &["--format", "json"]).stdout).unwrap();
    assert_eq!(v["input"]["rows_read"], 7);
    assert_eq!(v["input"]["rows_used"], 5);
    assert_eq!(v["input"]["conversion_ids"]["rows_merged"], 2);
    assert_eq!(v["input"]["conversion_ids"]["conversions"], 1);
    // A row listing another amount: the earliest row's counts, with a warning.
    let out = run(&deals("40000"), &["--format", "csv"]);
    assert_eq!(
        parse_csv(&out.stdout)[&("last-click".to_string(), "Fair".to_string())].value,
        45_000.0
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: 1 conversion id with rows listing different values: the earliest row's value counts"),
        "{stderr}"
    );
    // Out of core (many more touches), the same figures and the same summary.
    let mut many = std::fs::read_to_string(&touches).unwrap();
    for i in 0..2000 {
        many.push_str(&format!("x{i},2026-07-01T0{}:00:00Z,Direct\n", i % 10));
    }
    let many = f.file("many.csv", many);
    let run_many = |extra: &[&str]| {
        mta()
            .args(["attribute", many.to_str().unwrap(), "--conversions", d.to_str().unwrap()])
            .args(["--conversion-id-col", "deal_id", "--models", "last-click", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap()
    };
    let (whole, parted) = (run_many(&[]), run_many(&["--memory-limit", "16K"]));
    assert!(parted.status.success(), "{}", String::from_utf8_lossy(&parted.stderr));
    let parted_err = String::from_utf8_lossy(&parted.stderr);
    assert!(parted_err.contains("partition files by customer"), "{parted_err}");
    assert_eq!(parted.stdout, whole.stdout);
    assert!(parted_err.contains("merged 3 conversion rows"), "{parted_err}");
    // With `--order-col` it is refused: both name the column whose repeats count once.
    let out = run(&d, &["--order-col", "deal_id"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A two-person account and a person without one, by hand: Anna and Ben
/// of Acme (Email, Webinar, Google Ads in time order, then Ben's deal of
/// 10,000); Carl (Fair, then 500) has no account.
const ACCOUNT_TOUCHES: &str = "customer_id,timestamp,channel,account_id\n\
    anna,2026-07-01T10:00:00Z,Email,acme\n\
    ben,2026-07-02T10:00:00Z,Webinar,acme\n\
    anna,2026-07-03T10:00:00Z,Google Ads,acme\n\
    carl,2026-07-01T12:00:00Z,Fair,\n";
const ACCOUNT_DEALS: &str = "customer_id,timestamp,value,company\n\
    ben,2026-07-04T10:00:00Z,10000,acme\n\
    carl,2026-07-05T10:00:00Z,500,\n";

#[test]
fn an_account_s_people_make_one_journey() {
    let f = Fixture::new();
    let touches = f.file("touches.csv", ACCOUNT_TOUCHES);
    // The rows in another order: the same journeys.
    let mut lines: Vec<&str> = ACCOUNT_TOUCHES.lines().collect();
    lines[1..].reverse();
    let reversed = f.file("reversed.csv", lines.join("\n") + "\n");
    let deals = f.file("deals.csv", ACCOUNT_DEALS);
    let accounts = f.file("accounts.csv", "customer_id,account_id\nanna,acme\nben,acme\n");
    let run = |touches: &std::path::Path, extra: &[&str]| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", deals.to_str().unwrap()])
            .args([
                "--models",
                "first-click,last-click,linear",
                "--value-col",
                "value",
                "--format",
                "csv",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let by_file = run(&touches, &["--accounts", accounts.to_str().unwrap()]);
    assert!(by_file.status.success(), "{}", String::from_utf8_lossy(&by_file.stderr));
    let rows = parse_csv(&by_file.stdout);
    let get = |m: &str, ch: &str| {
        rows.get(&(m.to_string(), ch.to_string()))
            .map_or((0.0, 0.0), |r| (r.conversions, r.value))
    };
    // Acme's journey is Email > Webinar > Google Ads, whoever touched.
    assert_eq!(get("first-click", "Email"), (1.0, 10_000.0));
    assert_eq!(get("last-click", "Google Ads"), (1.0, 10_000.0));
    assert_eq!(get("last-click", "Webinar"), (0.0, 0.0));
    for ch in ["Email", "Webinar", "Google Ads"] {
        let (c, v) = get("linear", ch);
        assert_close(c, 1.0 / 3.0, ch);
        assert_close(v, 10_000.0 / 3.0, ch);
    }
    // Carl is kept on his own.
    assert_eq!(get("last-click", "Fair"), (1.0, 500.0));
    let stderr = String::from_utf8_lossy(&by_file.stderr);
    assert!(
        stderr.contains("journeys per account (`--accounts ")
            && stderr.contains("2 people in 1 account; 1 person without an account (2 rows, 1 conversion row) kept"),
        "{stderr}"
    );
    // Without accounts, Ben's journey is his Webinar alone.
    let people = parse_csv(&run(&touches, &[]).stdout);
    assert_eq!(people[&("last-click".to_string(), "Webinar".to_string())].conversions, 1.0);
    // The same accounts from columns (the conversions file's named on its own), and in any row order.
    let by_column = ["--account-col", "account_id", "--conv-account-col", "company"];
    assert_eq!(run(&touches, &by_column).stdout, by_file.stdout);
    assert_eq!(run(&reversed, &by_column).stdout, by_file.stdout);
    assert_eq!(run(&reversed, &["--accounts", accounts.to_str().unwrap()]).stdout, by_file.stdout);
    // Dropped: Carl's rows are left out, counted, and the rows still add up.
    let dropped = run(&touches, &["--accounts", accounts.to_str().unwrap(), "--account-missing", "drop"]);
    assert!(dropped.status.success());
    assert!(!parse_csv(&dropped.stdout).contains_key(&("last-click".to_string(), "Fair".to_string())));
    assert!(String::from_utf8_lossy(&dropped.stderr).contains("(2 rows, 1 conversion row) left out (`--account-missing drop`)"));
    let json = stdout_of(&[
        "attribute",
        touches.to_str().unwrap(),
        "--conversions",
        deals.to_str().unwrap(),
        "--accounts",
        accounts.to_str().unwrap(),
        "--account-missing",
        "drop",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["input"]["rows_read"], 6);
    assert_eq!(v["input"]["rows_used"], 4);
    assert_eq!(v["input"]["accounts"]["rows_without"], 2);
    assert_eq!(v["input"]["conversions"], 1.0);
}

#[test]
fn account_inputs_that_cannot_be_right_are_refused_or_warned() {
    let f = Fixture::new();
    let touches = f.file("touches.csv", ACCOUNT_TOUCHES);
    let deals = f.file("deals.csv", ACCOUNT_DEALS);
    let run = |extra: &[&str]| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", deals.to_str().unwrap()])
            .args(["--models", "last-click"])
            .args(extra)
            .output()
            .unwrap()
    };
    // A person in two accounts: an error at the second one's line and column.
    let two = f.file("two.csv", "customer_id,account_id\nanna,acme\nben,acme\nanna,globex\n");
    let out = run(&["--accounts", two.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("two.csv") && stderr.contains("line 4") && stderr.contains("`account_id`") && stderr.contains("`acme`"),
        "{stderr}"
    );
    // An accounts file without the account column.
    let bad = f.file("bad.csv", "customer_id,company\nanna,acme\n");
    let out = run(&["--accounts", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("account_id"));
    // `--account-missing` alone, and accounts with path aggregates.
    assert_eq!(run(&["--account-missing", "drop"]).status.code(), Some(2));
    let paths = f.file("paths.csv", "path,total_conversions\nA > B,1\n");
    let out = mta()
        .args(["attribute", "--paths", paths.to_str().unwrap(), "--account-col", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A person whose rows disagree on the account: a warning.
    let mixed = f.file(
        "mixed.csv",
        "customer_id,timestamp,channel,account_id\nanna,2026-07-01T10:00:00Z,Email,acme\nanna,2026-07-02T10:00:00Z,SEO,\n",
    );
    let out = mta()
        .args(["attribute", mixed.to_str().unwrap(), "--conversions", deals.to_str().unwrap()])
        .args(["--account-col", "account_id", "--conv-account-col", "company"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning: 1 person has rows naming different accounts"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn w_shaped_and_full_path_credit_the_funnel_milestones_by_hand() {
    // p1: Webinar 1 Mar, Email 5 Mar, Google Ads 10 Mar, Fair 20 Mar,
    // Direct 28 Mar; lead 6 Mar (its touch: Email), opportunity 25 Mar
    // (Fair), won 30 Mar, 45,000.
    //   W-shaped: Webinar, Email, Fair 30% each; Google Ads, Direct 5% each.
    //   Full-path: Webinar, Email, Fair, Direct 22.5% each; Google Ads 10%.
    // p2: Seminar 1 Mar, Blog 2 Mar, Podcast 3 Mar; lead 1 Mar 12:00 (its
    // touch: Seminar, the first touch too), no opportunity, won 4 Mar, 100.
    //   W-shaped: Seminar 30% + 30% plus the missing opportunity's 30% in
    //   proportion: 90%; Blog, Podcast 5% each.
    //   Full-path: Seminar 22.5% x 2, Podcast 22.5% (last), the missing
    //   22.5% in proportion: Seminar 60%, Podcast 30%; Blog 10%.
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\n\
         p1,2026-03-01T10:00:00Z,Webinar\n\
         p1,2026-03-05T10:00:00Z,Email\n\
         p1,2026-03-10T10:00:00Z,Google Ads\n\
         p1,2026-03-20T10:00:00Z,Fair\n\
         p1,2026-03-28T10:00:00Z,Direct\n\
         p2,2026-03-01T10:00:00Z,Seminar\n\
         p2,2026-03-02T10:00:00Z,Blog\n\
         p2,2026-03-03T10:00:00Z,Podcast\n",
    );
    let stages = f.file(
        "stages.csv",
        "customer_id,timestamp,value,stage\n\
         p1,2026-03-06T10:00:00Z,0,lead\n\
         p1,2026-03-25T10:00:00Z,0,opportunity\n\
         p1,2026-03-30T10:00:00Z,45000,won\n\
         p2,2026-03-01T12:00:00Z,0,lead\n\
         p2,2026-03-04T10:00:00Z,100,won\n",
    );
    let run = |extra: &[&str]| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", stages.to_str().unwrap()])
            .args(["--type-col", "stage", "--value-col", "value", "--milestones", "lead,opportunity"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--conversion-types", "won", "--models", "w-shaped,full-path", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = parse_csv(&out.stdout);
    let value = |m: &str, ch: &str| rows[&(m.to_string(), ch.to_string())].value;
    let want = [
        ("w-shaped", "Webinar", 13_500.0),
        ("w-shaped", "Email", 13_500.0),
        ("w-shaped", "Fair", 13_500.0),
        ("w-shaped", "Google Ads", 2_250.0),
        ("w-shaped", "Direct", 2_250.0),
        ("w-shaped", "Seminar", 90.0),
        ("w-shaped", "Blog", 5.0),
        ("w-shaped", "Podcast", 5.0),
        ("full-path", "Webinar", 10_125.0),
        ("full-path", "Email", 10_125.0),
        ("full-path", "Fair", 10_125.0),
        ("full-path", "Direct", 10_125.0),
        ("full-path", "Google Ads", 4_500.0),
        ("full-path", "Seminar", 60.0),
        ("full-path", "Blog", 10.0),
        ("full-path", "Podcast", 30.0),
    ];
    for (m, ch, v) in want {
        assert_close(value(m, ch), v, &format!("{m} {ch}"));
    }
    // Milestones end no journey: two conversions, both won.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 conversions, revenue 45,100.00"), "{stderr}");
    assert!(stderr.contains("milestones (`--milestones`): lead 2, opportunity 1"), "{stderr}");
    // Without `--conversion-types`, every other type is credited; without
    // `--models`, the milestone models join the default set.
    let out = run(&["--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all = parse_csv(&out.stdout);
    assert_close(all[&("w-shaped".to_string(), "Seminar".to_string())].value, 90.0, "default set");
    assert!(all.contains_key(&("last-click".to_string(), "Direct".to_string())));
    // Refused: a milestone model without milestones; a type both milestone and credited; three milestones.
    let plain = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conversions", stages.to_str().unwrap()])
        .args(["--models", "w-shaped"])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("--milestones"));
    assert_eq!(run(&["--conversion-types", "lead"]).status.code(), Some(2));
    let three = mta()
        .args(["attribute", touches.to_str().unwrap(), "--conversions", stages.to_str().unwrap()])
        .args(["--type-col", "stage", "--milestones", "lead,mql,opportunity"])
        .output()
        .unwrap();
    assert_eq!(three.status.code(), Some(2));
}

#[test]
fn each_funnel_stage_is_weighed_against_the_whole_spend() {
    // One customer: Email, then Webinar; a lead after Email, a won deal
    // (1,000) after Webinar. Spend: Email 200, Webinar 600 (800 in all).
    // By hand, last-click: the lead is Email's (CPA 200 / 1), the deal
    // Webinar's (CPA 600 / 1, ROAS 1,000 / 600); per type, the whole spend
    // per lead is 800 and per won deal 800 (ROAS 1.25).
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\np1,2026-03-01T10:00:00Z,Email\np1,2026-03-05T10:00:00Z,Webinar\n",
    );
    let stages = f.file(
        "stages.csv",
        "customer_id,timestamp,value,stage\np1,2026-03-02T10:00:00Z,0,lead\np1,2026-03-06T10:00:00Z,1000,won\n",
    );
    let costs = f.file("costs.csv", "channel,spend\nEmail,200\nWebinar,600\n");
    let run = |format: &str| {
        mta()
            .args(["attribute", touches.to_str().unwrap(), "--conversions", stages.to_str().unwrap()])
            .args(["--type-col", "stage", "--value-col", "value", "--by", "conversion-type"])
            .args(["--costs", costs.to_str().unwrap(), "--models", "last-click", "--format", format])
            .output()
            .unwrap()
    };
    let out = run("csv");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("conversion_type,model,channel,conversions,value,share,spend,cpa,roas\n"),
        "{text}"
    );
    for row in [
        "lead,last-click,Email,1.000000,0.000000,1.000000,200.000000,200.000000,0.000000",
        "lead,last-click,Webinar,0.000000,0.000000,0.000000,600.000000,,0.000000",
        "won,last-click,Webinar,1.000000,1000.000000,1.000000,600.000000,600.000000,1.666667",
    ] {
        assert!(text.lines().any(|l| l == row), "{row} not in\n{text}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the whole spend per conversion type: lead CPA 800.00 (ROAS 0.00), won CPA 800.00 (ROAS 1.25)"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&run("json").stdout).unwrap();
    let types = &v["input"]["costs"]["by_conversion_type"];
    assert_eq!(types[0]["conversion_type"], "lead");
    assert_eq!(types[0]["cpa"], 800.0);
    assert_eq!(types[1]["roas"], 1.25);
}

#[test]
fn the_report_shows_the_funnel_with_each_stage_s_cost() {
    // As in the per-stage costs test: last-click gives the lead to Email
    // and the won deal to Webinar; the whole spend (800) per stage is 800.
    let f = Fixture::new();
    let touches = f.file(
        "touches.csv",
        "customer_id,timestamp,channel\np1,2026-03-01T10:00:00Z,Email\np1,2026-03-05T10:00:00Z,Webinar\n\
         p2,2026-03-01T11:00:00Z,Email\n",
    );
    let stages = f.file(
        "stages.csv",
        "customer_id,timestamp,value,stage\np1,2026-03-02T10:00:00Z,0,lead\np1,2026-03-06T10:00:00Z,1000,won\n\
         p2,2026-03-02T10:00:00Z,0,lead\n",
    );
    let costs = f.file("costs.csv", "channel,spend\nEmail,200\nWebinar,600\n");
    let html = f.path("report.html");
    let out = mta()
        .args(["report", touches.to_str().unwrap(), "--conversions", stages.to_str().unwrap()])
        .args(["--type-col", "stage", "--value-col", "value", "--by", "conversion-type"])
        .args([
            "--costs",
            costs.to_str().unwrap(),
            "--models",
            "last-click",
            "-o",
            html.to_str().unwrap(),
        ])
        .args(["--conversion-types", "won,lead"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page.find("<section id=\"funnel\">").expect("a funnel section");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    // Stages in the order `--conversion-types` lists them.
    let won = section.find(">won</th>").unwrap();
    let lead = section.find(">lead</th>").unwrap();
    assert!(won < lead, "{section}");
    // Email: two leads (CPA 100), no deal; Webinar: the deal (CPA 600).
    assert!(
        section.contains("<tr><th scope=\"row\">Email</th><td data-v=\"200\">200.00</td><td data-v=\"0\">0.00</td><td data-v=\"2\">2.00<br><small>CPA 100.00</small></td></tr>"),
        "{section}"
    );
    assert!(
        section.contains("<td data-v=\"1\">1.00<br><small>CPA 600.00</small></td>"),
        "{section}"
    );
    // Cost per stage: 800 per won deal, 400 per lead.
    assert!(
        section.contains("<tr><th scope=\"row\">cost per conversion</th><td></td><td>800.00</td><td>400.00</td></tr>"),
        "{section}"
    );
    assert!(page.contains("<a href=\"#funnel\">Funnel</a>"));
}

/// The flags of the guide's worked B2B example (testdata/b2b): the CRM
/// export read as it is, accounts, deals listed per contact.
fn b2b_flags() -> Vec<String> {
    let b = |f: &str| testdata(&format!("b2b/{f}")).to_str().unwrap().to_string();
    let mut v: Vec<String> = vec![b("web.csv"), "--conversions".into(), b("crm.csv")];
    for f in [
        "--conv-customer-col=Kontakt",
        "--conv-time-col=Datum",
        "--conv-type-col=Phase",
        "--conv-value-col=Betrag",
        "--conv-time-format=%d.%m.%Y",
        "--conv-delimiter=;",
        "--conv-encoding=windows-1252",
        "--conv-decimal-comma",
        "--conversion-id-col=Deal-ID",
        "--cost-date-col=month",
        "--timezone=Europe/Berlin",
    ] {
        v.push(f.into());
    }
    v.extend(["--accounts".into(), b("accounts.csv"), "--costs".into(), b("costs.csv")]);
    v
}

#[test]
fn the_guide_s_b2b_example_gives_its_hand_worked_figures() {
    // Milestones: Acme (Anna, Ben): Paid Search, Webinar (lead 12 Jan),
    // Email, Trade Fair (opportunity 4 Feb), Direct; won 45,000 (listed for
    // both). Globex (Carla): LinkedIn, Paid Search (lead 22 Jan), Email;
    // won 12,000, no opportunity. W-shaped by hand: Paid Search 13,500 +
    // 5,400, Webinar and Trade Fair 13,500, LinkedIn 5,400, Email 2,250 +
    // 1,200, Direct 2,250. Monthly spend over 5 Jan to 28 Feb: Paid Search
    // 2,700 + 2,800, so ROAS 18,900 / 5,500.
    let mut args: Vec<String> = vec!["attribute".into()];
    args.extend(b2b_flags());
    args.extend(
        [
            "--milestones=Lead,Opportunity",
            "--conversion-types=Gewonnen",
            "--models=w-shaped,full-path",
        ]
        .map(String::from),
    );
    args.extend(["--format".into(), "csv".into()]);
    let out = mta().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |model: &str, channel: &str| -> Vec<String> {
        let prefix = format!("{model},{channel},");
        let line = text
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{prefix} in {text}"));
        line.split(',').map(String::from).collect()
    };
    let value = |model: &str, channel: &str| row(model, channel)[3].parse::<f64>().unwrap();
    for (channel, want) in [
        ("Paid Search", 18_900.0),
        ("Webinar", 13_500.0),
        ("Trade Fair", 13_500.0),
        ("LinkedIn", 5_400.0),
        ("Email", 3_450.0),
        ("Direct", 2_250.0),
    ] {
        assert_close(value("w-shaped", channel), want, channel);
    }
    // Full-path: Acme's four positions 10,125 each and Email 4,500; Globex's
    // three positions (no opportunity, no rest) 4,000 each.
    assert_close(value("full-path", "Paid Search"), 14_125.0, "full-path Paid Search");
    assert_close(value("full-path", "Email"), 8_500.0, "full-path Email");
    let ps = row("w-shaped", "Paid Search");
    assert_close(ps[5].parse().unwrap(), 5_500.0, "Paid Search spend");
    assert_close(ps[7].parse().unwrap(), 18_900.0 / 5_500.0, "Paid Search ROAS");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 conversions, revenue 57,000.00"), "{stderr}");
    assert!(stderr.contains("merged 2 conversion rows sharing a `Deal-ID`"), "{stderr}");

    // The funnel: the whole 13,260 per lead (3), opportunity (1), won deal (2).
    let mut args: Vec<String> = vec!["attribute".into()];
    args.extend(b2b_flags());
    args.extend(["--by=conversion-type", "--models=last-click", "--format=csv"].map(String::from));
    let out = mta().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "the whole spend per conversion type: Gewonnen CPA 6,630.00 (ROAS 4.30), Lead CPA 4,420.00 (ROAS 0.00), Opportunity CPA 13,260.00 (ROAS 0.00)"
        ),
        "{stderr}"
    );
}
