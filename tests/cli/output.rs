//! The output layer as a whole: which formats each subcommand writes (and
//! that the others are refused before any input is read), where output goes,
//! and how a terminal table fits the terminal.

use super::*;

const FORMATS: [&str; 6] = ["table", "csv", "json", "markdown", "parquet", "html"];

/// (subcommand and flags, the formats it writes)
fn commands() -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
    let rows = vec!["table", "csv", "json", "markdown", "parquet"];
    vec![
        (vec!["attribute"], FORMATS.to_vec()),
        (vec!["attribute", "--per-conversion"], vec!["csv", "json", "parquet"]),
        (vec!["markov"], rows.clone()),
        (vec!["paths"], rows.clone()),
        (vec!["journeys"], rows.clone()),
        (vec!["channels"], rows.clone()),
        (vec!["compare", "no-such-base.csv"], rows),
        (vec!["report"], vec!["html"]),
    ]
}

#[test]
fn every_unsupported_format_is_refused_before_any_input_is_read() {
    let f = Fixture::new();
    for (command, supported) in commands() {
        for format in FORMATS {
            // The input does not exist: a refusal proves the format was checked first.
            let out = mta()
                .args(&command)
                .arg("no-such-input.csv")
                .args(["--format", format, "-o"])
                .arg(f.path("out"))
                .output()
                .unwrap();
            let err = String::from_utf8(out.stderr).unwrap();
            assert!(out.stdout.is_empty(), "{command:?} {format}");
            let refused = err.contains(&format!(", not {format} (asked for by `--format`)"));
            if supported.contains(&format) {
                assert!(!refused && err.contains("no-such-"), "{command:?} {format}: {err}");
            } else {
                assert_eq!(out.status.code(), Some(2), "{command:?} {format}: {err}");
                assert!(
                    refused && err.starts_with(&format!("error: `mta {}", command[0])),
                    "{command:?} {format}: {err}"
                );
            }
        }
    }
}

#[test]
fn each_subcommands_help_names_the_formats_it_writes() {
    for (command, supported) in commands().into_iter().filter(|(c, _)| c[0] != "attribute") {
        let help = stdout_of(&[command[0], "--help"]);
        let listed = match supported.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => unreachable!(),
        };
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&format!("Output format: {listed} [default:")), "{command:?}\n{help}");
    }
}

#[test]
fn a_write_error_names_the_destination_once_and_a_device_is_written_in_place() {
    // /dev/full accepts the open and fails the write: an I/O error after the
    // work is done. Renaming a temp file over it would have replaced the device.
    let out = mta()
        .args(["attribute", "testdata/events.csv", "-q", "--format", "csv", "-o", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: cannot write `/dev/full`: No space left on device"), "{err}");
    assert_eq!(err.matches("cannot write").count(), 1, "{err}");
    assert!(!err.contains("<output>"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/full").unwrap().file_type().is_char_device());
    // A device that accepts everything gets the whole output.
    mta()
        .args(["paths", "testdata/events.csv", "-q", "--format", "csv", "-o", "/dev/null"])
        .assert()
        .success();
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn every_table_writes_in_every_tabular_format() {
    use polars::prelude::*;
    let f = Fixture::new();
    // Per-conversion times are typed in Parquet, like the journeys'.
    let p = f.path("pc.parquet");
    mta()
        .args([
            "attribute",
            "testdata/events.csv",
            "--per-conversion",
            "--models",
            "linear",
            "-q",
            "-o",
        ])
        .arg(&p)
        .assert()
        .success();
    let df = ParquetReader::new(std::fs::File::open(&p).unwrap()).finish().unwrap();
    assert_eq!(
        df.column("converted_at").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    );
    assert_eq!(df.column("credit").unwrap().f64().unwrap().sum(), Some(5.0));
    // Markov's tables in Parquet and Markdown.
    let p = f.path("effects.parquet");
    mta().args(["markov", "testdata/events.csv", "-q", "-o"]).arg(&p).assert().success();
    let df = ParquetReader::new(std::fs::File::open(&p).unwrap()).finish().unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["channel", "removal_effect", "conversions", "value"]);
    assert_eq!(df.height(), 5);
    let md = stdout_of(&["markov", "testdata/events.csv", "-q", "--transitions", "--format", "markdown"]);
    assert!(md.starts_with("| from ") && md.lines().nth(1).unwrap().starts_with("|--"), "{md}");
    // Compare in Markdown, for a pull-request comment.
    let base = f.path("base.csv");
    mta()
        .args(["attribute", "testdata/events.csv", "-q", "-o"])
        .arg(&base)
        .assert()
        .success();
    let out = mta()
        .args(["compare"])
        .arg(&base)
        .arg(&base)
        .args(["--all", "--format", "markdown", "-q"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert_eq!(md.lines().count(), 2 + 11 * 5, "{md}");
    assert!(md.contains("| ok "), "{md}");
}

/// Runs `mta ARGS` with its stdout on a terminal `columns` wide (a pty made
/// by util-linux `script`), and returns what the terminal showed. `ARGS` may
/// start with `VAR=value` settings of the environment.
fn on_terminal(columns: usize, args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_mta");
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("stty cols {columns} rows 40; exec env {} {bin} {}", env_of(args), mta_args(args)),
            "/dev/null",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("util-linux `script` makes the pseudo-terminal");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
}

/// The leading `VAR=value` words of `args`.
fn env_of(args: &str) -> String {
    args.split_whitespace()
        .take_while(|w| w.contains('='))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `args` without its leading `VAR=value` words.
fn mta_args(args: &str) -> String {
    args.split_whitespace()
        .skip_while(|w| w.contains('='))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_default_table_fits_80_and_120_column_terminals() {
    let piped = stdout_of(&["attribute", "testdata/events.csv", "-q"]);
    assert!(piped.lines().map(|l| l.chars().count()).max().unwrap() > 120, "{piped}");
    for columns in [80, 120] {
        let shown = on_terminal(columns, "attribute testdata/events.csv -q");
        let widest = shown.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= columns, "{columns} columns: a line of {widest}\n{shown}");
        assert!(shown.contains('│'), "borders on a terminal:\n{shown}");
        // Every model shows once; every block has the channels and the total.
        for model in ["first-click", "time-decay", "participation", "markov", "shapley"] {
            assert_eq!(shown.matches(&format!(" {model} ")).count(), 1, "{model}\n{shown}");
        }
        let blocks = shown.matches("│ channel").count();
        assert!(blocks >= 2, "{shown}");
        assert_eq!(shown.matches("│ Paid Search").count(), blocks, "{shown}");
        assert_eq!(shown.matches("│ total").count(), blocks, "{shown}");
    }
    // NO_COLOR: no borders, still fitted (and the share total is the sum of the column).
    let plain = on_terminal(80, "NO_COLOR=1 attribute testdata/events.csv -q --metric share");
    assert!(!plain.contains('│'), "{plain}");
    assert!(plain.lines().all(|l| l.chars().count() <= 80), "{plain}");
    assert!(plain.contains("220.00%"), "{plain}");
}
