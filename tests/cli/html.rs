//! The HTML report: `mta report` and `mta attribute --format html`.

use super::*;

/// Channels in testdata/events.csv.
const CHANNELS: usize = 5;

/// A fixture whose channel names try to inject markup.
pub const HOSTILE_EVENTS: &str = "customer_id,timestamp,channel,conversion,value\n\
    a,2025-01-01T00:00:00Z,<script>alert(1)</script>,0,\n\
    a,2025-01-02T00:00:00Z,Email & \"News\",1,10\n\
    b,2025-01-01T00:00:00Z,<img src=x onerror=alert(2)>,1,5\n";

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Runs `mta ARGS` expecting success, and returns the file written at `out`.
fn html_of(f: &Fixture, args: &[&str], out: &str) -> String {
    let path = f.path(out);
    let res = mta().args(args).arg("-o").arg(&path).output().expect("run mta");
    assert!(res.status.success(), "mta failed: {}", String::from_utf8_lossy(&res.stderr));
    std::fs::read_to_string(&path).expect("report written")
}

#[test]
fn report_has_one_bar_and_cell_per_channel_and_model() {
    let f = Fixture::new();
    let html = html_of(
        &f,
        &["report", "testdata/events.csv", "--models", "first-click,linear,markov"],
        "r.html",
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(count(&html, "data-bar=\"conversions\""), 3 * CHANNELS);
    assert_eq!(count(&html, "data-bar=\"value\""), 3 * CHANNELS);
    assert_eq!(count(&html, "<rect data-cell "), 3 * CHANNELS);
    assert_eq!(count(&html, "data-removal "), CHANNELS);
    // 7 journeys, all with distinct paths.
    assert_eq!(count(&html, "<tr data-path>"), 7);
    assert!(count(&html, "data-hist=\"touches\"") >= 1);
    assert!(count(&html, "data-hist=\"days\"") >= 1);
    assert!(count(&html, "data-tcell ") >= CHANNELS);
    // Header figures.
    for want in ["<dd>15</dd>", "<dd>345.00</dd>", "testdata/events.csv", env!("CARGO_PKG_VERSION")] {
        assert!(html.contains(want), "{want}");
    }
}

#[test]
fn report_references_nothing_on_the_network() {
    let f = Fixture::new();
    let html = html_of(&f, &["report", "testdata/events.csv"], "r.html");
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<link"), "no external stylesheets");
    assert!(!html.contains("<script src"), "no external scripts");
    assert!(!html.contains("@import") && !html.contains("@font-face"));
}

#[test]
fn hostile_channel_names_show_as_text() {
    let f = Fixture::new();
    let input = f.file("hostile.csv", HOSTILE_EVENTS);
    let html = html_of(&f, &["report", input.to_str().unwrap()], "r.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("Email &amp; &quot;News&quot;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img"));
    // Only the report's own sorter script.
    assert_eq!(count(&html, "<script"), 1);
}

#[test]
fn attribute_format_html_writes_the_report_without_journeys() {
    let out = mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--models",
            "first-click,linear",
            "--format",
            "html",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert_eq!(count(&html, "data-bar=\"conversions\""), 2 * CHANNELS);
    assert_eq!(count(&html, "<rect data-cell "), 2 * CHANNELS);
    assert!(
        html.contains("mta attribute --format html"),
        "journeys section explains its absence"
    );
    assert_eq!(count(&html, "<tr data-path>"), 0);
}

#[test]
fn html_extension_picks_the_format() {
    let f = Fixture::new();
    let html = html_of(&f, &["attribute", "testdata/events.csv", "--quiet"], "report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn report_is_quiet_on_a_pipe() {
    let f = Fixture::new();
    let path = f.path("r.html");
    mta()
        .args(["report", "testdata/events.csv", "--quiet", "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    // Not quiet, not a terminal: no progress lines, only the closing summary.
    let out = mta()
        .args(["report", "testdata/events.csv", "--models", "linear", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('…'), "{err}");
    assert!(err.contains("wrote "), "{err}");
}

#[test]
fn report_on_path_aggregates_omits_time_to_conversion() {
    let f = Fixture::new();
    let html = html_of(&f, &["report", "--paths", "testdata/paths.csv"], "r.html");
    assert!(html.contains("Path aggregates carry no times."));
    assert_eq!(count(&html, "data-hist=\"days\""), 0);
}

#[test]
fn a_model_keeps_its_colour_and_the_spend_chart_compares_like_with_like() {
    let f = Fixture::new();
    let events = testdata("events.csv");
    let events = events.to_str().unwrap();
    // One colour per model, whatever else ran: Markov's and Shapley's solid.
    let swatch = |page: &str, model: &str| -> String {
        let end = page.find(&format!("</span><strong>{model}</strong>")).unwrap();
        let start = page[..end].rfind("class=\"sw ").unwrap() + "class=\"sw ".len();
        page[start..end].trim_end_matches("\">").to_string()
    };
    let both = html_of(&f, &["report", events, "--models", "linear,markov,shapley"], "both.html");
    let alone = html_of(&f, &["report", events, "--models", "shapley,markov"], "alone.html");
    assert_eq!(swatch(&both, "markov"), swatch(&alone, "markov"));
    assert_eq!(swatch(&both, "shapley"), swatch(&alone, "shapley"));
    assert!(!swatch(&both, "markov").contains(" h") && !swatch(&both, "shapley").contains(" h"));
    // The transition heatmap has a scale.
    assert!(both.contains("aria-label=\"scale of the transition heatmap\""));
    // Spend shares over the channels with journeys (they add up to 100%),
    // TV's spend named as held.
    let costs = f.file(
        "costs.csv",
        "channel,spend\nEmail,100\nPaid Search,200\nDisplay,100\nSocial,100\nTV,500\n",
    );
    let page = html_of(
        &f,
        &["report", events, "--models", "markov", "--costs", costs.to_str().unwrap()],
        "spend.html",
    );
    let chart = &page[page.find("Spend share (grey)").unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    assert!(chart.contains("spend on channels without journeys (TV: 500.00) is held"), "{chart}");
    let spend: f64 = chart
        .split(": spend share ")
        .skip(1)
        .map(|t| t.split('%').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((spend - 100.0).abs() < 0.3, "{spend}: {chart}");
}

#[test]
fn report_bootstrap_shows_the_intervals_attribute_computes() {
    let f = Fixture::new();
    let events = testdata("events.csv");
    let events = events.to_str().unwrap();
    let costs = f.file(
        "costs.csv",
        "channel,spend\nEmail,100\nPaid Search,200\nDisplay,100\nSocial,100\nDirect,50\n",
    );
    let costs = costs.to_str().unwrap();
    let flags = ["--models", "linear", "--costs", costs, "--bootstrap", "30", "--seed", "7"];
    let page = html_of(&f, &[&["report", events][..], &flags].concat(), "r.html");
    // The same intervals as `mta attribute --bootstrap 30 --seed 7`.
    let csv = stdout_of(&[&["attribute", events][..], &flags, &["--format", "csv", "-q"]].concat());
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let fixed = |n: &str| format!("{:.2}", cells[col(n)].parse::<f64>().unwrap());
        let conv = format!("<small>{} to {}</small>", fixed("conversions_lo"), fixed("conversions_hi"));
        assert!(page.contains(&conv), "{} {conv}", cells[1]);
        if !cells[col("roas_lo")].is_empty() {
            let roas = format!("<small>{} to {}</small>", fixed("roas_lo"), fixed("roas_hi"));
            assert!(page.contains(&roas), "{} {roas}", cells[1]);
        }
    }
    // The reallocation's interval column is filled.
    let table = &page[page.find("Proposed reallocation").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.matches(" to ").count() >= 5, "{table}");
    // Same seed, same page.
    assert_eq!(page, html_of(&f, &[&["report", events][..], &flags].concat(), "r2.html"));
}

#[test]
fn the_summary_leads_with_findings_derived_from_the_run() {
    // Single-touch journeys: every model credits Email 3, Display 1 and AI
    // Assistant 1 of the 5 conversions, so they all move spend from Display
    // (100 spent, 20% of the revenue) to Email (100 spent, 60%); TV's spend
    // has no journeys.
    let f = Fixture::new();
    let events = f.file(
        "events.csv",
        "customer_id,timestamp,channel,conversion,value\n\
         p1,2026-01-01T10:00:00Z,Email,1,10\n\
         p2,2026-01-02T10:00:00Z,Email,1,10\n\
         p3,2026-01-03T10:00:00Z,Email,1,10\n\
         p4,2026-01-04T10:00:00Z,Display,1,10\n\
         p5,2026-01-05T10:00:00Z,AI Assistant,1,10\n",
    );
    let costs = f.file("costs.csv", "channel,spend\nEmail,100\nDisplay,100\nTV,500\n");
    let page = html_of(
        &f,
        &[
            "report",
            events.to_str().unwrap(),
            "--costs",
            costs.to_str().unwrap(),
            "--models",
            "first-click,last-click,linear",
        ],
        "r.html",
    );
    // The first section of the page.
    let main = &page[page.find("<main>").unwrap()..];
    assert!(main["<main>\n".len()..].starts_with("<section id=\"summary\">"), "{}", &main[..200]);
    let summary = &main[..main.find("</section>").unwrap()];
    assert!(
        summary.contains("Raise <strong>Email</strong>'s spend by 20.00")
            && summary.contains("Cut <strong>Display</strong>'s spend by 20.00"),
        "{summary}"
    );
    assert!(
        summary.contains("<strong>AI Assistant</strong> (AI assistants' answers) earns 20.0%"),
        "{summary}"
    );
    assert!(
        summary.contains("without journeys is held, not weighed against credit: TV"),
        "{summary}"
    );
    assert!(!summary.contains("disagree"), "single touches: no disagreement: {summary}");
    assert!(summary.contains("href=\"#spend\""));
}

#[test]
fn the_report_in_german() {
    let f = Fixture::new();
    let events = testdata("events.csv");
    let costs = f.file(
        "costs.csv",
        "channel,spend\nEmail,1234.5\nPaid Search,200\nDisplay,100\nSocial,100\nTV,500\n",
    );
    let args = [
        "report",
        events.to_str().unwrap(),
        "--costs",
        costs.to_str().unwrap(),
        "--models",
        "linear,markov",
    ];
    let de = html_of(&f, &[&args[..], &["--lang", "de"]].concat(), "de.html");
    assert!(de.contains("<html lang=\"de\">") && de.contains("<h1>Attributionsbericht</h1>"));
    for heading in [
        "Zusammenfassung",
        "Zuordnung je Kanal und Modell",
        "Wo die Modelle abweichen",
        "Ausgaben und Ertrag",
    ] {
        assert!(de.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    // Numbers and dates the German way: Email's spend 1.234,50; the sample's first touch on 1 January 2025.
    assert!(de.contains("1.234,50") && !de.contains("1,234.50"));
    assert!(de.contains("<dd>01.01.2025 09:00:00 UTC – "), "dates");
    assert!(de.contains("<dt>Ausgaben gesamt</dt>"));
    // English stays the default, to the byte the same as `--lang en`.
    let en = html_of(&f, &args, "en.html");
    assert!(en.contains("<html lang=\"en\">") && en.contains("<h2>Summary</h2>") && en.contains("1,234.50"));
    assert_eq!(en, html_of(&f, &[&args[..], &["--lang", "en"]].concat(), "en2.html"));
}
