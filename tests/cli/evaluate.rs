//! `mta evaluate` (issue 30): every model scored against a truth file.

use super::*;

#[test]
fn three_channels_scored_by_hand() {
    // Paths: A > B converts twice, C once, B once.
    //   first-click A 2, B 1, C 1: shares 0.5, 0.25, 0.25
    //   last-click  B 3, C 1:      shares 0, 0.75, 0.25
    //   linear      A 1, B 2, C 1: shares 0.25, 0.5, 0.25
    // Truth 5 : 3 : 2, i.e. 0.5, 0.3, 0.2.
    //   first-click: errors 0, 0.05, 0.05: nmae 0.1/3, max 0.05; ranks
    //     (3, 2, 1) against (3, 1.5, 1.5): rho = 1.5 / sqrt(2 * 1.5)
    //   linear: errors 0.25, 0.2, 0.05: nmae 0.5/3, max 0.25; rho 0
    //   last-click: errors 0.5, 0.45, 0.05: nmae 1/3, max 0.5; ranks
    //     (3, 2, 1) against (1, 3, 2): rho = -1 / 2
    // Every top 3 holds all three channels: overlap 1.
    let f = Fixture::new();
    let paths = f.file("paths.csv", "path,total_conversions\nA > B,2\nC,1\nB,1\n");
    let truth = f.file("truth.csv", "channel,incremental_conversions,share\nA,50,5\nB,30,3\nC,20,2\n");
    let out = mta()
        .args(["evaluate", "--paths", paths.to_str().unwrap(), "--truth", truth.to_str().unwrap()])
        .args(["--models", "first-click,last-click,linear", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("model,nmae,rank_correlation,top3_overlap,max_abs_error"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    let models: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(models, ["first-click", "linear", "last-click"], "best first");
    let num = |r: usize, c: usize| rows[r][c].parse::<f64>().unwrap();
    let want = [
        (0.1 / 3.0, 1.5 / 3.0f64.sqrt(), 1.0, 0.05),
        (0.5 / 3.0, 0.0, 1.0, 0.25),
        (1.0 / 3.0, -0.5, 1.0, 0.5),
    ];
    for (r, (nmae, rho, top3, max)) in want.into_iter().enumerate() {
        assert_close(num(r, 1), nmae, &format!("{} nmae", models[r]));
        assert_close(num(r, 2), rho, &format!("{} rank correlation", models[r]));
        assert_close(num(r, 3), top3, &format!("{} top3", models[r]));
        assert_close(num(r, 4), max, &format!("{} max", models[r]));
    }
    // A credited channel the truth does not list: a warning. A truth
    // channel no model credits: share 0, and the top 3 differ.
    let partial = f.file("partial.csv", "channel,share\nA,1\nB,1\nZ,2\n");
    let out = mta()
        .args(["evaluate", "--paths", paths.to_str().unwrap(), "--truth", partial.to_str().unwrap()])
        .args(["--models", "first-click", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("channels credited but not in the truth file") && stderr.contains("C (up to 0.2500)"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Truth A 0.25, B 0.25, Z 0.5; first-click A 0.5, B 0.25, Z 0: nmae (0.25 + 0 + 0.5) / 3.
    let row = &v[0];
    assert_eq!(row["model"], "first-click");
    assert!((row["nmae"].as_f64().unwrap() - 0.25).abs() < 1e-9, "{row}");
    // Top 3: truth Z, A, B; model A, B, C (C 0.25 ties B, name order): 2 of 3.
    assert!((row["top3_overlap"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{row}");
}

#[test]
fn bad_truth_files_are_refused_before_any_work() {
    let f = Fixture::new();
    let events = testdata("events.csv");
    for (content, expect) in [
        ("channel,weight\nA,1\n", "`share`"),
        ("channel,share\nA,1\nA,2\n", "each channel once"),
        ("channel,share\nA,-1\n", "line 2"),
        ("channel,share\nA,0\n", "no channel a share above 0"),
    ] {
        let truth = f.file("truth.csv", content);
        let out = mta()
            .args(["evaluate", events.to_str().unwrap(), "--truth", truth.to_str().unwrap()])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "{content}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect) && stderr.contains("truth.csv"), "{content}: {stderr}");
    }
}

#[test]
fn the_report_adds_the_evaluation_table() {
    let f = Fixture::new();
    let paths = f.file("paths.csv", "path,total_conversions\nA > B,2\nC,1\nB,1\n");
    let truth = f.file("truth.csv", "channel,share\nA,5\nB,3\nC,2\n");
    let html = f.path("report.html");
    let out = mta()
        .args(["report", "--paths", paths.to_str().unwrap(), "--truth", truth.to_str().unwrap()])
        .args(["--models", "first-click,last-click,linear", "-o", html.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page.find("<section id=\"evaluation\">").expect("an evaluation section");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    // Best first, with the figures worked by hand in `three_channels_scored_by_hand`.
    let first = section.find(">first-click</th>").unwrap();
    let linear = section.find(">linear</th>").unwrap();
    let last = section.find(">last-click</th>").unwrap();
    assert!(first < linear && linear < last, "{section}");
    assert!(section.contains(">0.0333</td>") && section.contains(">-0.500</td>"), "{section}");
    assert!(page.contains("<a href=\"#evaluation\">"));
}
