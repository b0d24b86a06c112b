//! `mta attribute --transitions`: Markov credits from transition counts
//! (`mta sql --output transitions`), equal to those of the events, and
//! every count no walk can take refused with its place in the file.

use super::*;

/// The two-branch chain (a > b: 3 conversions worth 30, 1 null; a > c: 1
/// conversion worth 10, 1 null) as transition counts.
const TWO_BRANCH: &str = "from,to,count,value
(start),a,6,0
a,b,4,0
a,c,2,0
b,(conversion),3,30
b,(null),1,0
c,(conversion),1,10
c,(null),1,0
";

/// Markov credits of `mta attribute ARGS --models markov --format json` by channel.
fn markov_json(args: &[&str]) -> BTreeMap<String, (f64, f64)> {
    let out = stdout_of(&[&["attribute"], args, &["--models", "markov", "--format", "json", "-q"]].concat());
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let model = &doc["models"][0];
    assert_eq!(model["model"], "markov");
    model["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let f = |k: &str| c[k].as_f64().unwrap();
            (c["channel"].as_str().unwrap().to_string(), (f("conversions"), f("value")))
        })
        .collect()
}

/// P = 4/6 x 3/4 + 2/6 x 1/2 = 2/3; without a nothing converts, without b
/// 1/6, without c 1/2: removal effects 1, 3/4, 1/4 share 4 conversions as
/// 2, 1.5, 0.5. Revenue: a walk ending in b earns 30/4, in c 10/2, so
/// E = 4/6 x 7.5 + 2/6 x 5 = 20/3, and without b 5/3, without c 5: the
/// same effects share 40 as 20, 15, 5.
#[test]
fn two_branch_counts_give_the_hand_computed_credits() {
    let f = Fixture::new();
    let t = f.file("t.csv", TWO_BRANCH);
    let got = markov_json(&["--transitions", t.to_str().unwrap()]);
    let want = [("a", 2.0, 20.0), ("b", 1.5, 15.0), ("c", 0.5, 5.0)];
    assert_eq!(got.len(), 3, "{got:?}");
    for (ch, conv, value) in want {
        assert_close(got[ch].0, conv, ch);
        assert_close(got[ch].1, value, ch);
    }
    // Rows split over partitions add up: each row twice at half weight.
    let mut halves = String::from("from,to,count,value\n");
    for line in TWO_BRANCH.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let half = |x: &str| (x.parse::<f64>().unwrap() / 2.0).to_string();
        let row = format!("{},{},{},{}\n", cells[0], cells[1], half(cells[2]), half(cells[3]));
        halves.push_str(&row);
        halves.push_str(&row);
    }
    let t2 = f.file("halves.csv", halves);
    assert_eq!(markov_json(&["--transitions", t2.to_str().unwrap()]), got);
}

/// `mta markov --transitions` writes the chain of the events; read back, it
/// gives their Markov credits, at every order and with repeats kept.
#[test]
fn the_chain_of_the_events_read_back_gives_their_credits() {
    let f = generated(300, 9, 5);
    let events = f.path("events.csv");
    let events = events.to_str().unwrap();
    for chain in [
        &["--markov-order", "1"][..],
        &["--markov-order", "2"],
        &["--markov-order", "3", "--keep-repeats"],
    ] {
        let counts = stdout_of(&[&["markov", events, "--transitions", "--format", "csv", "-q"], chain].concat());
        let t = f.file("t.csv", counts);
        let from_chain = markov_json(&[&["--transitions", t.to_str().unwrap()], chain].concat());
        let from_events = markov_json(&[&[events], chain].concat());
        assert_eq!(from_chain.len(), from_events.len(), "{chain:?}");
        for (ch, (conv, _)) in &from_events {
            assert!(
                (from_chain[ch].0 - conv).abs() < 1e-9,
                "{chain:?} {ch}: {} vs {conv}",
                from_chain[ch].0
            );
        }
        assert!(from_events.values().map(|c| c.0).sum::<f64>() > 0.0);
    }
}

#[test]
fn counts_no_walk_can_take_are_errors_with_their_place() {
    let f = Fixture::new();
    for (body, extra, expected) in [
        (
            "from,to,count\n(start),a,1\na,(conversion),1\n(null),a,1\n",
            &[][..],
            "t.csv` line 4, column `from`: found `(null)`",
        ),
        ("from,to,count\n(start),a,1\na,(start),1\n", &[], "column `to`"),
        (
            "from,to,count\n(start),(conversion),1\n",
            &[],
            "a walk from `(start)` enters a channel state first",
        ),
        ("from,to,count\n(start),a > b,1\na > b,(null),1\n", &[], "`--markov-order 1`"),
        ("from,to,count\n(start),a > > b,1\n", &["--markov-order", "2"], "an empty name"),
        (
            "from,to,count,value\n(start),a,1,5\na,(null),1,0\n",
            &[],
            "only rows into `(conversion)` carry revenue",
        ),
        ("from,to,count\n(start),a,x\n", &[], "a transition count"),
        ("from,to\n(start),a\n", &[], "`count`"),
        (
            "from,to,count\n(start),a,1\na,b,1\nb,(null),0\n",
            &[],
            "state `b` is entered but never left",
        ),
    ] {
        let t = f.file("t.csv", body);
        let out = mta()
            .args(["attribute", "--transitions", t.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{body}");
        assert!(out.stdout.is_empty(), "{body}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{body}: {err}");
    }
}

#[test]
fn skipped_rows_are_counted_and_the_rest_is_the_chain() {
    let f = Fixture::new();
    let bad = format!("{TWO_BRANCH}(null),a,1,0\n");
    let t = f.file("t.csv", bad);
    let out = mta()
        .args([
            "attribute",
            "--transitions",
            t.to_str().unwrap(),
            "--on-error",
            "skip",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("read 8 rows") && err.contains("skipped 1 bad rows (1 invalid transition)"),
        "{err}"
    );
    let good = f.file("good.csv", TWO_BRANCH);
    let csv = |p: &std::path::Path| {
        parse_csv(&stdout_of(&["attribute", "--transitions", p.to_str().unwrap(), "--format", "csv", "-q"]).into_bytes())
    };
    assert_eq!(parse_csv(&out.stdout), csv(&good));
}

#[test]
fn flags_that_need_journeys_are_refused() {
    let f = Fixture::new();
    let t = f.file("t.csv", TWO_BRANCH);
    let t = t.to_str().unwrap();
    for (args, expected) in [
        (vec!["--models", "markov,linear"], "model `linear` needs journeys"),
        (vec!["--markov-order", "auto"], "pass the order the transitions were written with"),
        (vec!["--lookback", "7d"], "cannot be used with"),
        (vec!["--by", "month"], "cannot be used with"),
        (vec!["testdata/events.csv"], "cannot be used with"),
    ] {
        let out = mta().args(["attribute", "--transitions", t]).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // Without `--models`, only Markov runs; a file without `value` says so.
    let no_value = f.file("nv.csv", "from,to,count\n(start),a,2\na,(conversion),1\na,(null),1\n");
    let out = mta()
        .args(["attribute", "--transitions", no_value.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = parse_csv(&out.stdout);
    assert_eq!(rows.keys().map(|k| k.0.as_str()).collect::<Vec<_>>(), ["markov"]);
    assert!(String::from_utf8(out.stderr).unwrap().contains("no `value` column"));
}
