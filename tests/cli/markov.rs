//! `mta markov`: details of the Markov model on published examples.

use super::*;

#[test]
fn removal_effects_csv_on_the_two_branch_example() {
    let out = mta()
        .args(["markov", "--paths", "testdata/markov.csv", "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "channel,removal_effect,conversions,value\n\
         a,1.000000,2.000000,20.000000\n\
         b,0.750000,1.500000,15.000000\n\
         c,0.250000,0.500000,5.000000\n"
    );
}

#[test]
fn transitions_csv_and_summary_line() {
    let out = mta()
        .args(["markov", "--paths", "testdata/markov.csv", "--format", "csv", "--transitions"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("from,to,probability,count\n(start),a,1.000000,6.000000\na,b,0.666667,4.000000\n"),
        "{text}"
    );
    assert!(text.contains("b,(conversion),0.750000,3.000000\n"), "{text}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("markov order 1: 3 states, 7 transitions, P(conversion) = 0.666667"),
        "{stderr}"
    );
}

#[test]
fn three_path_example_json() {
    let f = Fixture::new();
    let p = f.file(
        "p.csv",
        "path,total_conversions,total_null\nC1 > C2 > C3,1,0\nC1,0,1\nC2 > C3,0,1\n",
    );
    let out = mta()
        .args(["markov", "--paths"])
        .arg(&p)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_close(v["p_conversion"].as_f64().unwrap(), 1.0 / 3.0, "P(conversion)");
    assert_eq!(v["states"], 3);
    let re: Vec<f64> = v["removal_effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["removal_effect"].as_f64().unwrap())
        .collect();
    assert_close(re[0], 0.5, "C1");
    assert_close(re[1], 1.0, "C2");
    assert_close(re[2], 1.0, "C3");
    let credits: Vec<f64> = v["removal_effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["conversions"].as_f64().unwrap())
        .collect();
    assert_close(credits[0], 0.2, "C1 credit");
    assert_close(credits[1], 0.4, "C2 credit");
}

#[test]
fn higher_orders_and_repeats() {
    // Order 2 on A > A > B: states (A,A) and (A,B), one transition between them.
    let f = Fixture::new();
    let p = f.file("p.csv", "path,total_conversions,total_null\nA > A > B,1,1\n");
    let out = mta()
        .args(["markov", "--paths"])
        .arg(&p)
        .args(["--markov-order", "2", "--transitions", "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "from,to,probability,count\n(start),A > A,1.000000,2.000000\nA > A,A > B,1.000000,2.000000\n\
         A > B,(conversion),0.500000,1.000000\nA > B,(null),0.500000,1.000000\n"
    );
    let out = mta()
        .args(["markov", "--paths"])
        .arg(&p)
        .args(["--keep-repeats", "--transitions", "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("A,A,0.500000,2.000000\n"));
    mta()
        .args(["markov", "--paths"])
        .arg(&p)
        .args(["--markov-order", "5"])
        .assert()
        .code(2);
}

#[test]
fn warns_when_nothing_fails_to_convert() {
    let f = Fixture::new();
    let p = f.file("p.csv", "path,total_conversions\na > b,2\nb,1\n");
    mta()
        .args(["attribute", "--paths"])
        .arg(&p)
        .args(["--models", "markov", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicates::str::contains("warning: markov: no journey ends without a conversion"));
}

#[test]
fn auto_order_reports_the_score_of_every_order() {
    // Conversion depends on (first, last) channel pairs: only order 2 sees it.
    let f = Fixture::new();
    let p = f.file(
        "p.csv",
        "path,total_conversions,total_null\na > c,500,0\nb > c,0,500\na > d,0,500\nb > d,500,0\n",
    );
    let out = mta()
        .args(["markov", "--paths"])
        .arg(&p)
        .args(["--markov-order", "auto", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["order"], 2);
    let scores = v["order_selection"].as_array().unwrap();
    assert_eq!(scores.len(), 4);
    assert_close(scores[0]["auc"].as_f64().unwrap(), 0.5, "order 1 cannot separate");
    assert_close(scores[1]["auc"].as_f64().unwrap(), 1.0, "order 2 separates");
    assert!(String::from_utf8_lossy(&out.stderr).contains("note: markov order auto chose 2"));
}

#[test]
fn auto_order_gives_channelattributions_choose_order_figures() {
    // testdata/choose_order.csv holds ChannelAttribution 2.2.5's own figures
    // (choose_order, max_order 4, roc_npt 100), recorded by
    // `tests/e2e/channelattribution.sh --record`, which CI also runs live.
    let fixture = std::fs::read_to_string(testdata("choose_order.csv")).unwrap();
    let mut expected: BTreeMap<String, (Vec<(f64, f64)>, u64)> = BTreeMap::new();
    for line in fixture.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let e = expected.entry(f[0].to_string()).or_default();
        e.0.push((f[2].parse().unwrap(), f[3].parse().unwrap()));
        e.1 = f[4].parse().unwrap();
    }
    assert_eq!(expected.len(), 3, "{fixture}");
    for (file, (scores, chosen)) in expected {
        let input: Vec<&str> = if file.ends_with("events.csv") {
            vec![&file]
        } else {
            vec!["--paths", &file]
        };
        let out = mta()
            .arg("markov")
            .args(&input)
            .args(["--markov-order", "auto", "--format", "json", "-q"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["order"].as_u64(), Some(chosen), "{file}");
        let got = v["order_selection"].as_array().unwrap();
        assert_eq!(got.len(), 4, "{file}");
        for (g, (auc, pauc)) in got.iter().zip(&scores) {
            let (ga, gp) = (g["auc"].as_f64().unwrap(), g["penalised_auc"].as_f64().unwrap());
            assert!(
                (ga - auc).abs() <= 1e-6 && (gp - pauc).abs() <= 1e-6,
                "{file} order {}: {ga} {gp} vs {auc} {pauc}",
                g["order"]
            );
        }
    }
}
