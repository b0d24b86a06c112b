//! Snapshots of every output format on the hand-checked sample (the figures
//! themselves are asserted against hand computation in attribute.rs; these
//! pin the layout). Review changes with `cargo insta review`, or accept them
//! with `INSTA_UPDATE=always cargo test`.

use super::*;

fn stdout(args: &[&str]) -> String {
    stdout_of(&[args, &["-q"]].concat())
}

#[test]
fn attribute_table() {
    insta::assert_snapshot!(stdout(&["attribute", "testdata/events.csv"]));
}

#[test]
fn attribute_table_value_and_share() {
    insta::assert_snapshot!("value", stdout(&["attribute", "testdata/events.csv", "--metric", "value"]));
    insta::assert_snapshot!("share", stdout(&["attribute", "testdata/events.csv", "--metric", "share"]));
}

#[test]
fn attribute_markdown() {
    insta::assert_snapshot!(stdout(&["attribute", "testdata/events.csv", "--format", "markdown"]));
}

#[test]
fn attribute_csv() {
    insta::assert_snapshot!(stdout(&["attribute", "testdata/events.csv", "--format", "csv"]));
}

#[test]
fn attribute_json() {
    insta::assert_snapshot!(stdout(&["attribute", "testdata/events.csv", "--format", "json"]));
}

#[test]
fn attribute_compare_models() {
    insta::assert_snapshot!(stdout(&["attribute", "testdata/events.csv", "--compare-models"]));
}

#[test]
fn markov_tables() {
    insta::assert_snapshot!("effects", stdout(&["markov", "testdata/events.csv"]));
    insta::assert_snapshot!("transitions", stdout(&["markov", "testdata/events.csv", "--transitions"]));
    insta::assert_snapshot!("json", stdout(&["markov", "--paths", "testdata/markov.csv", "--format", "json"]));
}

#[test]
fn paths_and_journeys_csv() {
    insta::assert_snapshot!("paths", stdout(&["paths", "testdata/events.csv"]));
    insta::assert_snapshot!("journeys", stdout(&["journeys", "testdata/events.csv"]));
}
