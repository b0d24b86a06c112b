//! `mta simulate` (issue 30): customers shaped like the input under a known
//! process, and the truth that `mta evaluate` scores the models against.

use super::*;

/// Rows of a CSV file (header skipped), split on commas.
fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// Each channel's share of the touches in column `col` of `rows`.
fn mix(rows: &[Vec<String>], col: usize) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r[col].clone()).or_insert(0.0) += 1.0 / rows.len() as f64;
    }
    m
}

fn simulate(input: &[&str], out: &std::path::Path, extra: &[&str], threads: &str) {
    let o = mta()
        .arg("simulate")
        .args(input)
        .args(["--out", out.to_str().unwrap()])
        .args(extra)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn twenty_thousand_customers_look_like_the_input() {
    let f = generated(2000, 7, 6);
    let (touches, conversions) = (f.path("touchpoints.csv"), f.path("conversions.csv"));
    let input = [touches.to_str().unwrap(), "--conversions", conversions.to_str().unwrap()];
    let out = f.path("sim");
    simulate(&input, &out, &["--customers", "20000", "--seed", "11"], "2");
    // The channel mix of the touches, within 0.02 of the input's.
    let (real, sim) = (rows(&touches), rows(&out.join("touchpoints.csv")));
    let (real_mix, sim_mix) = (mix(&real, 2), mix(&sim, 2));
    for (channel, share) in &real_mix {
        let got = sim_mix.get(channel).copied().unwrap_or(0.0);
        assert!((got - share).abs() < 0.02, "{channel}: {got} against {share}");
    }
    // Conversions per customer within 15% of the input's.
    let customers = |r: &[Vec<String>]| r.iter().map(|x| x[0].clone()).collect::<std::collections::BTreeSet<_>>().len();
    let real_rate = rows(&conversions).len() as f64 / customers(&real) as f64;
    let sim_rate = rows(&out.join("conversions.csv")).len() as f64 / 20_000.0;
    assert!((sim_rate / real_rate - 1.0).abs() < 0.15, "{sim_rate} against {real_rate}");
    // The truth lists every channel with shares summing to 1, and the
    // simulated files read back into every model, scored by `mta evaluate`.
    let truth = rows(&out.join("truth.csv"));
    assert_eq!(truth.len(), real_mix.len());
    let total: f64 = truth.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-5, "{total}");
    let scored = mta()
        .arg("evaluate")
        .arg(out.join("touchpoints.csv"))
        .arg("--conversions")
        .arg(out.join("conversions.csv"))
        .arg("--truth")
        .arg(out.join("truth.csv"))
        .args(["--models", "first-click,linear,shapley", "--format", "csv", "--quiet"])
        .output()
        .unwrap();
    assert!(scored.status.success(), "{}", String::from_utf8_lossy(&scored.stderr));
    assert_eq!(String::from_utf8_lossy(&scored.stdout).lines().count(), 4);
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["seed"], 11);
    assert_eq!(meta["customers"], 20_000);
}

#[test]
fn a_channel_without_effect_has_no_incremental_conversion_and_the_files_repeat() {
    let f = generated(600, 3, 4);
    let (touches, conversions) = (f.path("touchpoints.csv"), f.path("conversions.csv"));
    let input = [touches.to_str().unwrap(), "--conversions", conversions.to_str().unwrap()];
    let channels: Vec<String> = mix(&rows(&touches), 2).into_keys().collect();
    // The first channel has no effect; the others 1, 2, 3 (one with a half-life of 12 hours).
    let mut effects = String::from("channel,effect,half_life\n");
    for (k, c) in channels.iter().enumerate() {
        effects.push_str(&format!("{c},{k},{}\n", if k == 1 { "12h" } else { "" }));
    }
    let effects = f.file("effects.csv", effects);
    let extra = ["--customers", "5000", "--seed", "5", "--effects", effects.to_str().unwrap()];
    let (one, two) = (f.path("one"), f.path("two"));
    simulate(&input, &one, &extra, "1");
    simulate(&input, &two, &extra, "2");
    for file in ["touchpoints.csv", "conversions.csv", "truth.csv", "meta.json"] {
        assert_eq!(
            std::fs::read(one.join(file)).unwrap(),
            std::fs::read(two.join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    let truth = rows(&one.join("truth.csv"));
    let incremental = |c: &str| truth.iter().find(|r| r[0] == c).unwrap()[1].parse::<u64>().unwrap();
    assert_eq!(incremental(&channels[0]), 0, "{truth:?}");
    for c in &channels[1..] {
        assert!(incremental(c) > 0, "{c}: {truth:?}");
    }
    // Another seed, other files.
    let three = f.path("three");
    simulate(
        &input,
        &three,
        &["--customers", "5000", "--seed", "6", "--effects", effects.to_str().unwrap()],
        "2",
    );
    assert_ne!(
        std::fs::read(one.join("touchpoints.csv")).unwrap(),
        std::fs::read(three.join("touchpoints.csv")).unwrap()
    );
}

#[test]
fn bad_simulation_settings_are_refused() {
    let events = testdata("events.csv");
    let f = Fixture::new();
    let out = f.path("sim");
    for (args, code, expect) in [
        (vec!["--baseline", "1.5"], 2, "--baseline"),
        (vec!["--customers", "0"], 2, "--customers 0"),
        (vec!["--effects", "missing.csv"], 1, "missing.csv"),
    ] {
        let o = mta()
            .args(["simulate", events.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(code), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(expect), "{args:?}");
    }
    let paths = testdata("paths.csv");
    let o = mta()
        .args(["simulate", "--paths", paths.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
