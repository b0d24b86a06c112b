//! `mta budget`: proposed spend on testdata/events.csv.
//!
//! Linear's credited value there (testdata/README.md): Direct 107.5,
//! Display 22.5, Email 92.5, Paid Search 70, Social 52.5 (of 345).

use super::*;

/// Spend 100 on four channels; Direct has none.
const SPEND: &str = "channel,spend\nPaid Search,100\nEmail,100\nDisplay,100\nSocial,100\n";

/// `mta budget ARGS --format csv`: channel -> the row's cells by column name.
fn budget(args: &[&str]) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let f = Fixture::new();
    let costs = f.file("costs.csv", SPEND);
    let events = testdata("events.csv");
    let out = stdout_of(
        &[
            &[
                "budget",
                events.to_str().unwrap(),
                "--costs",
                costs.to_str().unwrap(),
                "--format",
                "csv",
                "-q",
            ],
            args,
        ]
        .concat(),
    );
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "model,channel,spend,proposed_spend,change,change_pct,credited_share,spend_share,roas,direction,change_lo,change_hi,models_change_min,models_change_max,models_agree"
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let cells = header.iter().cloned().zip(r.iter().map(String::from)).collect();
            ((r[0].to_string(), r[1].to_string()), cells)
        })
        .collect()
}

fn num(cells: &BTreeMap<String, String>, column: &str) -> f64 {
    cells[column].parse().unwrap_or_else(|_| panic!("{column}: {:?}", cells[column]))
}

#[test]
fn limits_bind_and_the_rest_is_shared_by_hand() {
    // T = 400 over the four channels with spend (Direct keeps 0). Value
    // shares of those four: Email 92.5, Paid Search 70, Social 52.5, Display
    // 22.5. Unlimited, lambda x T x share would give Email 155.8 (cap 120)
    // and Display 37.9 (floor 80); the 200 left goes to Paid Search and
    // Social in proportion 70 : 52.5 = 114.29 and 85.71, inside their limits.
    let got = budget(&["--model", "linear"]);
    let want = [
        ("Email", 92.5, 120.0, "increase"),
        ("Display", 22.5, 80.0, "decrease"),
        ("Paid Search", 70.0, 200.0 * 70.0 / 122.5, "increase"),
        ("Social", 52.5, 200.0 * 52.5 / 122.5, "decrease"),
        ("Direct", 107.5, 0.0, "unclear"),
    ];
    let mut total = 0.0;
    for (channel, value, proposed, direction) in want {
        let row = &got[&("linear".to_string(), channel.to_string())];
        assert_close(num(row, "proposed_spend"), proposed, channel);
        assert_eq!(row["direction"], direction, "{channel}");
        assert_close(num(row, "credited_share"), value / 345.0, channel);
        total += num(row, "proposed_spend");
    }
    assert_close(total, 400.0, "total");
    let email = &got[&("linear".to_string(), "Email".to_string())];
    assert_close(num(email, "change_pct"), 0.2, "Email change_pct");
    assert_close(num(email, "roas"), 0.925, "Email roas");
    assert_close(num(email, "spend_share"), 0.25, "Email spend share");
    assert_eq!(got[&("linear".to_string(), "Direct".to_string())]["change_pct"], "");
}

#[test]
fn without_limits_spend_is_the_credited_share_of_the_total() {
    // The ROAS-index identity: proposed = credited share x T, Direct too.
    let got = budget(&["--model", "linear", "--max-change", "1000000", "--allow-new", "--total", "690"]);
    for (channel, value) in [
        ("Direct", 107.5),
        ("Display", 22.5),
        ("Email", 92.5),
        ("Paid Search", 70.0),
        ("Social", 52.5),
    ] {
        let row = &got[&("linear".to_string(), channel.to_string())];
        assert_close(num(row, "proposed_spend"), 690.0 * value / 345.0, channel);
    }
    // By conversions instead: linear's conversions 1.583333, 0.25, 1.583333, 0.833333, 0.75 of 5.
    let got = budget(&[
        "--model",
        "linear",
        "--max-change",
        "1000000",
        "--allow-new",
        "--by",
        "conversions",
        "--total",
        "500",
    ]);
    let row = &got[&("linear".to_string(), "Display".to_string())];
    assert_close(num(row, "proposed_spend"), 500.0 * 0.25 / 5.0, "Display by conversions");
}

#[test]
fn every_model_gives_a_block_and_the_range_over_models() {
    let got = budget(&["--model", "all", "--models", "first-click,last-click,linear"]);
    assert_eq!(got.len(), 15);
    for channel in ["Direct", "Display", "Email", "Paid Search", "Social"] {
        let changes: Vec<f64> = ["first-click", "last-click", "linear"]
            .iter()
            .map(|m| num(&got[&(m.to_string(), channel.to_string())], "change"))
            .collect();
        let row = &got[&("linear".to_string(), channel.to_string())];
        let min = changes.iter().copied().fold(f64::INFINITY, f64::min);
        let max = changes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_close(num(row, "models_change_min"), min, channel);
        assert_close(num(row, "models_change_max"), max, channel);
        let agree = changes.iter().all(|c| c.signum() == changes[0].signum() && c.abs() > 1e-9) || changes.iter().all(|c| c.abs() < 1e-9);
        assert_eq!(row["models_agree"], agree.to_string(), "{channel}: {changes:?}");
    }
    // Display: first-click gives it 90 of value (up), linear 22.5 (down).
    assert_eq!(got[&("linear".to_string(), "Display".to_string())]["models_agree"], "false");
    // Participation (credits summing past the conversions) runs and gets a
    // block, but the range and the agreement are those of the others.
    let with = budget(&["--model", "all", "--models", "first-click,last-click,linear,participation"]);
    assert_eq!(with.len(), 20);
    for channel in ["Direct", "Display", "Email", "Paid Search", "Social"] {
        let key = ("linear".to_string(), channel.to_string());
        for column in ["models_change_min", "models_change_max", "models_agree"] {
            assert_eq!(with[&key][column], got[&key][column], "{channel} {column}");
        }
    }
}

#[test]
fn unreachable_totals_and_missing_costs_are_usage_errors() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", SPEND);
    let events = testdata("events.csv");
    let out = mta()
        .args([
            "budget",
            events.to_str().unwrap(),
            "--costs",
            costs.to_str().unwrap(),
            "--total",
            "1000",
            "--model",
            "linear",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "under `linear`, no allocation of 1000.00 keeps every channel within +-20% of its spend: the limits allow 320.00 to 480.00"
        ),
        "{err}"
    );
    let out = mta().args(["budget", events.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs today's spend per channel"));
    let out = mta()
        .args([
            "budget",
            events.to_str().unwrap(),
            "--costs",
            costs.to_str().unwrap(),
            "--model",
            "nope",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bootstrap_direction_is_unclear_when_the_interval_spans_zero() {
    // Five conversions: the replicates move Email both ways, so its
    // increase without the bootstrap becomes `unclear`.
    let plain = budget(&["--model", "linear"]);
    let boot = budget(&["--model", "linear", "--bootstrap", "100", "--seed", "1"]);
    let key = ("linear".to_string(), "Email".to_string());
    assert_eq!(plain[&key]["direction"], "increase");
    assert_eq!(plain[&key]["change_lo"], "");
    assert_eq!(boot[&key]["direction"], "unclear");
    assert!(num(&boot[&key], "change_lo") < 0.0 && num(&boot[&key], "change_hi") > 0.0);
    assert_eq!(
        boot,
        budget(&["--model", "linear", "--bootstrap", "100", "--seed", "1"]),
        "same seed, same output"
    );

    // Search converts every time and Display never: every replicate moves
    // 20 from Display to Search, so both directions are certain.
    let f = Fixture::new();
    let mut events = String::from("customer_id,timestamp,channel,conversion,value\n");
    for i in 0..30 {
        events.push_str(&format!(
            "s{i},2025-01-01T00:00:00Z,Search,1,100\nd{i},2025-01-01T00:00:00Z,Display,0,\n"
        ));
    }
    let events = f.file("events.csv", events);
    let costs = f.file("costs.csv", "channel,spend\nSearch,100\nDisplay,100\n");
    let out = stdout_of(&[
        "budget",
        events.to_str().unwrap(),
        "--costs",
        costs.to_str().unwrap(),
        "--model",
        "linear",
        "--bootstrap",
        "50",
        "--format",
        "csv",
        "-q",
    ]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            "linear,Display,100.000000,80.000000,-20.000000,-0.200000,0.000000,0.500000,0.000000,decrease,-20.000000,-20.000000,-20.000000,-20.000000,true",
            "linear,Search,100.000000,120.000000,20.000000,0.200000,1.000000,0.500000,30.000000,increase,20.000000,20.000000,20.000000,20.000000,true",
        ]
    );
}

#[test]
fn the_html_report_shows_spend_return_and_the_reallocation() {
    let f = Fixture::new();
    let costs = f.file("costs.csv", SPEND);
    let events = testdata("events.csv");
    let page = f.path("report.html");
    let out = mta()
        .args([
            "report",
            events.to_str().unwrap(),
            "--costs",
            costs.to_str().unwrap(),
            "--models",
            "linear,markov",
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<a href=\"#spend\">Spend</a>"));
    assert!(html.contains("<h2>Spend and return</h2>"));
    // Linear's ROAS for Email: 92.5 / 100.
    assert!(html.contains("<td data-v=\"0.925\">0.93</td>"), "Email's linear ROAS");
    assert!(html.contains("<h3>Proposed reallocation (markov)</h3>"));
    // The same proposal as `mta budget --model markov`.
    let rows = budget(&["--model", "markov", "--models", "linear,markov"]);
    let email = &rows[&("markov".to_string(), "Email".to_string())];
    let proposed = format!("<td data-v=\"{}\">", email["proposed_spend"].parse::<f64>().unwrap());
    assert!(html.contains(&proposed[..proposed.len().min(20)]), "{proposed}");
    // `attribute --format html` has the spend section but no proposal.
    let att = stdout_of(&[
        "attribute",
        events.to_str().unwrap(),
        "--costs",
        costs.to_str().unwrap(),
        "--format",
        "html",
        "-q",
    ]);
    assert!(att.contains("<h2>Spend and return</h2>") && !att.contains("Proposed reallocation"));
    let plain = stdout_of(&["attribute", events.to_str().unwrap(), "--format", "html", "-q"]);
    assert!(!plain.contains("Spend and return"));
}

#[test]
fn shares_and_spends_reconcile_for_every_model() {
    let got = budget(&["--model", "all", "--total", "380"]);
    let models: std::collections::BTreeSet<String> = got.keys().map(|(m, _)| m.clone()).collect();
    assert!(models.len() >= 10, "{models:?}");
    for model in models {
        let rows: Vec<_> = got.iter().filter(|((m, _), _)| *m == model).map(|(_, r)| r).collect();
        // Figures are written with 6 decimals: five rows round by 2.5e-6 at most.
        let sum = |column: &str| rows.iter().map(|r| num(r, column)).sum::<f64>();
        assert!((sum("proposed_spend") - 380.0).abs() < 1e-5, "{model}: proposals sum to T");
        assert!((sum("spend") - 400.0).abs() < 1e-9, "{model}");
        assert!((sum("spend_share") - 1.0).abs() < 1e-5, "{model}");
        assert!((sum("credited_share") - 1.0).abs() < 1e-5, "{model}");
        assert!((sum("change") + 20.0).abs() < 1e-5, "{model}");
        for r in &rows {
            let (spend, proposed) = (num(r, "spend"), num(r, "proposed_spend"));
            assert!(proposed >= 0.8 * spend - 1e-6 && proposed <= 1.2 * spend + 1e-6, "{model}: {r:?}");
        }
    }
}

/// Budget rows by (model, channel): the row's cells by column name.
type Rows = BTreeMap<(String, String), BTreeMap<String, String>>;

/// `mta budget` on testdata/events.csv with `costs`: its CSV rows, or the error.
fn budget_with(costs: &str, args: &[&str]) -> Result<Rows, String> {
    let f = Fixture::new();
    let costs = f.file("costs.csv", costs);
    let events = testdata("events.csv");
    let out = mta()
        .args([
            "budget",
            events.to_str().unwrap(),
            "--costs",
            costs.to_str().unwrap(),
            "--format",
            "csv",
            "-q",
        ])
        .args(args)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8(out.stderr).unwrap());
    }
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    Ok(rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].to_string(), r[1].to_string()),
                header.iter().cloned().zip(r.iter().map(String::from)).collect(),
            )
        })
        .collect())
}

#[test]
fn spend_without_journeys_is_held_and_the_table_adds_up_to_the_whole_spend() {
    // TV has spend and no journey: it keeps its 200, the 400 of the others
    // is reallocated as without it (limits_bind_and_the_rest_is_shared_by_hand).
    let costs = format!("{SPEND}TV,200\n");
    let got = budget_with(&costs, &["--model", "linear"]).unwrap();
    let tv = &got[&("linear".to_string(), "TV".to_string())];
    assert_eq!(
        (tv["direction"].as_str(), num(tv, "proposed_spend"), num(tv, "change")),
        ("held", 200.0, 0.0)
    );
    assert_close(num(tv, "spend_share"), 200.0 / 600.0, "TV spend share");
    assert_eq!((tv["roas"].as_str(), tv["credited_share"].as_str()), ("", "0.000000"));
    assert_close(
        num(&got[&("linear".to_string(), "Email".to_string())], "proposed_spend"),
        120.0,
        "Email",
    );
    let total: f64 = got.values().map(|r| num(r, "proposed_spend")).sum();
    assert_close(total, 600.0, "the whole spend");
    // `--total` counts the held spend: 700 leaves 500, past the others' limits.
    let err = budget_with(&costs, &["--model", "linear", "--total", "700"]).unwrap_err();
    assert!(
        err.contains("no allocation of 700.00 keeps every channel within +-20% of its spend: the limits allow 520.00 to 680.00")
            && err.contains("the spend of the period of the cost rows used"),
        "{err}"
    );
}

#[test]
fn allow_new_names_the_channels_that_may_get_spend() {
    // No spend on Social or Direct today; only Social may get some. Without
    // limits the 300 follow linear's value over the channels that may grow
    // (Email 92.5, Paid Search 70, Display 22.5, Social 52.5: 237.5).
    let costs = "channel,spend\nPaid Search,100\nEmail,100\nDisplay,100\n";
    let got = budget_with(costs, &["--model", "linear", "--max-change", "1000000", "--allow-new", "social"]).unwrap();
    let proposed = |c: &str| num(&got[&("linear".to_string(), c.to_string())], "proposed_spend");
    assert_close(proposed("Social"), 300.0 * 52.5 / 237.5, "Social");
    assert_close(proposed("Email"), 300.0 * 92.5 / 237.5, "Email");
    assert_eq!(proposed("Direct"), 0.0);
    // Bare, as before: Direct may grow too.
    let got = budget_with(costs, &["--model", "linear", "--max-change", "1000000", "--allow-new"]).unwrap();
    assert_close(
        num(&got[&("linear".to_string(), "Direct".to_string())], "proposed_spend"),
        300.0 * 107.5 / 345.0,
        "Direct",
    );
    // Direct and organic channels cannot be bought.
    for name in ["Direct", "Organic Search"] {
        let err = budget_with(costs, &["--allow-new", &format!("Social,{name}")]).unwrap_err();
        assert!(err.contains(&format!("`{name}` cannot be bought")), "{err}");
    }
}
