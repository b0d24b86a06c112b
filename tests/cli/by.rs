//! `--by conversion-type`: models per conversion type, in every format,
//! and `mta compare` on the split results.

use super::conversion_types::TYPED;
use super::*;

/// TYPED with the types' case made consistent (`Lead` is its own type).
fn typed(f: &Fixture) -> String {
    f.file("typed.csv", TYPED.replace(",Lead", ",lead")).to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> String {
    stdout_of(&[&["attribute"], args, &["-q"]].concat())
}

#[test]
fn each_type_gets_the_credits_of_a_run_on_that_type_alone() {
    let f = Fixture::new();
    let file = typed(&f);
    let by = run(&[&file, "--by", "conversion-type", "--format", "csv"]);
    assert!(by.starts_with("conversion_type,model,channel,conversions,value,share\n"), "{by}");
    for t in ["lead", "purchase"] {
        let alone = run(&[&file, "--conversion-types", t, "--format", "csv"]);
        let rows: Vec<String> = by
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{t},")))
            .map(str::to_string)
            .collect();
        assert_eq!(rows, alone.lines().skip(1).collect::<Vec<_>>(), "{t}");
    }
    // By hand (linear): purchases u1 Search > Email > Direct (100), u2
    // Display > Search > Email > Direct (50, the lead row a touch).
    assert!(by.contains("purchase,linear,Display,0.250000,12.500000,0.125000\n"), "{by}");
    assert!(by.contains("purchase,linear,Search,0.583333,45.833333,0.291667\n"), "{by}");
    // Leads: u1 Search > Email > Direct > Social > Email (its purchase row a
    // touch); u2 Display > Search.
    assert!(by.contains("lead,linear,Social,0.200000,0.000000,0.100000\n"), "{by}");
    assert!(by.contains("lead,linear,Display,0.500000,0.000000,0.250000\n"), "{by}");
}

#[test]
fn json_table_and_markdown_carry_the_type() {
    let f = Fixture::new();
    let file = typed(&f);
    let json: serde_json::Value = serde_json::from_str(&run(&[
        &file,
        "--by",
        "conversion-type",
        "--format",
        "json",
        "--models",
        "linear,first-click",
    ]))
    .unwrap();
    let entries: Vec<(String, String)> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["conversion_type"].as_str().unwrap().into(), m["model"].as_str().unwrap().into()))
        .collect();
    let want = [
        ("lead", "linear"),
        ("lead", "first-click"),
        ("purchase", "linear"),
        ("purchase", "first-click"),
    ];
    assert_eq!(entries, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // Every conversion is in exactly one segment.
    let input = &json["input"];
    let segments = input["segments"].as_array().unwrap();
    let total: f64 = segments.iter().map(|s| s["conversions"].as_f64().unwrap()).sum();
    assert_eq!(total, input["conversions"].as_f64().unwrap());
    assert_eq!(
        (segments[0]["conversion_type"].as_str(), segments[0]["conversions"].as_f64()),
        (Some("lead"), Some(2.0))
    );
    // The table: a block per type under its heading.
    let table = run(&[&file, "--by", "conversion-type", "--models", "linear"]);
    let lead = table.find("conversion_type: lead").unwrap();
    let purchase = table.find("conversion_type: purchase").unwrap();
    assert!(lead < purchase && table[purchase..].contains(" total      2.00"), "{table}");
    let md = run(&[&file, "--by", "conversion-type", "--models", "linear", "--format", "markdown"]);
    assert!(md.starts_with("### conversion_type: lead\n\n| channel"), "{md}");
}

#[test]
fn results_do_not_depend_on_row_order() {
    let f = Fixture::new();
    let mut lines: Vec<&str> = TYPED.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let shuffled = f.file("shuffled.csv", format!("{header}\n{}\n", lines.join("\n")));
    let file = f.file("typed.csv", TYPED);
    for format in ["csv", "json"] {
        let a = run(&[file.to_str().unwrap(), "--by", "conversion-type", "--format", format]);
        let b = run(&[shuffled.to_str().unwrap(), "--by", "conversion-type", "--format", format]);
        assert_eq!(
            a.replace("shuffled.csv", "typed.csv"),
            b.replace("shuffled.csv", "typed.csv"),
            "{format}"
        );
    }
}

#[test]
fn compare_reads_split_results_in_csv_and_json() {
    let f = Fixture::new();
    let file = typed(&f);
    let csv = f.file("by.csv", run(&[&file, "--by", "conversion-type", "--format", "csv"]));
    let json = f.file("by.json", run(&[&file, "--by", "conversion-type", "--format", "json"]));
    let (csv, json) = (csv.to_str().unwrap(), json.to_str().unwrap());
    mta().args(["compare", csv, json]).assert().success();
    // One figure moved in one type: that row, with its type.
    let text = std::fs::read_to_string(csv).unwrap();
    let moved = f.file(
        "moved.csv",
        text.replace(
            "purchase,linear,Display,0.250000,12.500000,0.125000",
            "purchase,linear,Display,0.250000,12.500000,0.225000",
        ),
    );
    let out = mta()
        .args(["compare", json, moved.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "conversion_type,model,channel,base,new,difference,status\npurchase,linear,Display,0.125000,0.225000,0.100000,beyond\n"
    );
    // Split and unsplit results share no (type, model) pair.
    let plain = f.file("plain.csv", run(&[&file, "--format", "csv"]));
    let out = mta().args(["compare", plain.to_str().unwrap(), csv]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only in base"));
}

#[test]
fn what_cannot_be_split_says_so() {
    let f = Fixture::new();
    let file = typed(&f);
    for (args, expected) in [
        (
            vec!["testdata/events.csv", "--by", "conversion-type"],
            "`--by conversion-type` needs conversions with a type",
        ),
        (
            vec!["--paths", "testdata/paths.csv", "--by", "conversion-type"],
            "path aggregates do not have",
        ),
        (
            vec![file.as_str(), "--by", "conversion-type", "--compare-models"],
            "`--compare-models` cannot be split by `--by` yet",
        ),
        (
            vec![file.as_str(), "--by", "conversion-type", "--format", "html"],
            "the HTML report cannot be split",
        ),
        (vec![file.as_str(), "--by", "campaign"], "invalid value 'campaign'"),
    ] {
        let out = mta().arg("attribute").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
