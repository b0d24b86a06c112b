//! The corpus of broken (and tricky but valid) inputs in testdata/bad/: every
//! file gives its exit code and a message naming file, line and column where
//! they apply, and nothing but the result reaches stdout. testdata/bad/README.md
//! describes each file and the error expected.

use predicates::prelude::*;

use super::*;

/// (file, extra arguments, exit code, substrings stderr must contain).
const CASES: &[(&str, &[&str], i32, &[&str])] = &[
    (
        "missing_column.csv",
        &[],
        1,
        &["column `timestamp` not found in", "available columns are `customer_id`, `time`"],
    ),
    (
        "misspelt_column.csv",
        &[],
        1,
        &["column `customer_id` not found", "`custmer_id`", "--customer-col"],
    ),
    ("empty.csv", &[], 1, &["empty.csv` is empty"]),
    ("whitespace_only.csv", &[], 1, &["whitespace_only.csv` is empty"]),
    (
        "header_only.csv",
        &[],
        1,
        &["has a header but no data rows: there is nothing to attribute"],
    ),
    ("semicolons.csv", &["--delimiter", ","], 1, &["delimited by `;`", "--delimiter ';'"]),
    ("semicolons.csv", &[], 0, &[]),
    ("quoted_fields.csv", &[], 0, &[]),
    (
        "unterminated_quote.csv",
        &[],
        1,
        &["unterminated_quote.csv` line 2", "closing quote missing"],
    ),
    (
        "truncated_last_line.csv",
        &[],
        1,
        &["line 3, column `timestamp`: found `2025-01-0`"],
    ),
    ("too_few_fields.csv", &[], 1, &["line 2, column `channel`: found ``"]),
    ("too_many_fields.csv", &[], 1, &["line 2: found 6 fields, expected 5"]),
    ("non_utf8.csv", &[], 1, &["line 2: column `channel` is not valid UTF-8"]),
    ("bom.csv", &[], 0, &[]),
    ("crlf.csv", &[], 0, &[]),
    (
        "mixed_timestamps.csv",
        &[],
        1,
        &["line 3, column `timestamp`: found `1735776000`", "first value was ISO 8601"],
    ),
    (
        "us_date_format.csv",
        &[],
        1,
        &["line 2, column `timestamp`: found `01/02/2025 10:00`"],
    ),
    (
        "impossible_date.csv",
        &[],
        1,
        &["line 2, column `timestamp`: found `2026-02-30T10:00:00Z`", "real calendar date"],
    ),
    (
        "timestamp_out_of_range.csv",
        &[],
        1,
        &[
            "line 3, column `timestamp`: found `999999999999999`",
            "between the years 0001 and 9999",
        ],
    ),
    ("negative_value.csv", &[], 1, &["line 2, column `value`: found `-5`"]),
    ("nan_value.csv", &[], 1, &["line 2, column `value`: found `NaN`"]),
    ("non_numeric_value.csv", &[], 1, &["line 2, column `value`: found `ten`"]),
    ("conversion_maybe.csv", &[], 1, &["line 2, column `conversion`: found `maybe`"]),
    ("empty_channel.csv", &[], 1, &["line 2, column `channel`: found ``"]),
    (
        "whitespace_customer.csv",
        &[],
        1,
        &["no row is left to attribute: the only row read was left out (1 without a customer id)"],
    ),
    (
        "duplicate_header.csv",
        &[],
        1,
        &["line 1: column `channel` appears more than once (columns 3 and 4)"],
    ),
    (
        "no_conversion_column.csv",
        &[],
        1,
        &["column `conversion` not found", "--conversions FILE"],
    ),
    (
        "really_csv.parquet",
        &[],
        1,
        &["is not a Parquet file", "give it a `.csv` extension"],
    ),
    ("corrupt.csv.gz", &[], 1, &["cannot read `", "corrupt.csv.gz`"]),
    // Byte flips that made polars panic (exit 101) before reads were guarded.
    (
        "corrupt_metadata.parquet",
        &[],
        1,
        &["corrupt_metadata.parquet` as Parquet: the file is corrupt (thrift bool field)"],
    ),
    (
        "corrupt_page.parquet",
        &[],
        1,
        &["corrupt_page.parquet` as Parquet: the file is corrupt (assertion failed: "],
    ),
    // Found by `fuzz/run.sh` (events target): a mutated Parquet seed.
    (
        "fuzz_thrift.parquet",
        &[],
        1,
        &["fuzz_thrift.parquet` as Parquet: the file is corrupt (thrift bool field)"],
    ),
    // A corrupt page header: polars asks for ~2^61 bytes (an abort, exit 134,
    // before mta's allocator refused impossible sizes).
    (
        "corrupt_alloc.parquet",
        &[],
        1,
        &[
            "corrupt_alloc.parquet`: it asks for 2305843009213693936 bytes of memory",
            "the file is corrupt",
        ],
    ),
    // Found by the events fuzz target: the same abort in a release build; a
    // debug build's polars stops earlier, at an `unreachable!`.
    ("fuzz_page.parquet", &[], 1, &["corrupt"]),
    // Release polars decoded it into columns of unequal length (mta then
    // indexed out of bounds); debug polars asserts. Either way: corrupt.
    (
        "corrupt_lengths.parquet",
        &["--conversions", "testdata/bad/conversions_orphans.csv"],
        1,
        &["corrupt_lengths.parquet` as Parquet: the file is corrupt ("],
    ),
    (
        "path_double_separator.csv",
        &["--paths"],
        1,
        &["line 2, column `path`: found `Search > > Email`", "doubled or trailing separator"],
    ),
    (
        "path_trailing_separator.csv",
        &["--paths"],
        1,
        &["line 2, column `path`: found `Search > Email >`"],
    ),
    (
        "path_negative_count.csv",
        &["--paths"],
        1,
        &["line 2, column `total_conversions`: found `-1`"],
    ),
    (
        "path_missing_column.csv",
        &["--paths"],
        1,
        &["column `total_conversions` not found", "path,total_conversions"],
    ),
    (
        "touches_for_orphans.csv",
        &["--conversions", "testdata/bad/conversions_orphans.csv"],
        0,
        &["unattributed: 1 conversions (revenue 25.00)"],
    ),
];

#[test]
fn every_file_of_the_corpus() {
    for (file, args, code, says) in CASES {
        let path = format!("testdata/bad/{file}");
        let out = mta().args(["attribute", &path, "--format", "csv"]).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{file}: {stderr}");
        for s in *says {
            assert!(stderr.contains(s), "{file}: stderr lacks `{s}`:\n{stderr}");
        }
        if *code == 0 {
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(stdout.starts_with("model,channel,conversions,value,share\n"), "{file}: {stdout}");
        } else {
            assert!(out.stdout.is_empty(), "{file}: stdout must stay empty on error");
            assert!(stderr.starts_with("error: "), "{file}: {stderr}");
            // Whole-file problems have no line; Parquet has rows, not lines.
            let whole_file = file.ends_with(".gz")
                || file.ends_with(".parquet")
                || stderr.contains("not found")
                || stderr.contains("is empty")
                || stderr.contains("to attribute");
            if !whole_file {
                assert!(stderr.contains(&format!("`{path}` line ")), "{file}: no file and line in {stderr}");
            }
        }
    }
}

#[test]
fn every_file_is_described_in_the_readme() {
    let readme = std::fs::read_to_string(testdata("bad/README.md")).unwrap();
    for entry in std::fs::read_dir(testdata("bad")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name != "README.md" {
            assert!(
                readme.contains(&format!("`{name}`")),
                "testdata/bad/README.md does not describe {name}"
            );
            assert!(
                CASES.iter().any(|c| c.0 == name) || name == "conversions_orphans.csv",
                "no test case for {name}"
            );
        }
    }
}

#[test]
fn a_ten_megabyte_field_is_reported_shortened() {
    let f = Fixture::new();
    let p = f.file(
        "huge.csv",
        format!(
            "customer_id,timestamp,channel,conversion,value\na,2025-01-01T10:00:00Z,Email,1,{}\n",
            "9".repeat(10 << 20) + "x"
        ),
    );
    let out = mta().arg("attribute").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("line 2, column `value`: found `999"),
        "{}",
        &stderr[..stderr.len().min(300)]
    );
    assert!(stderr.len() < 1000, "the message shows a shortened value, not 10 MB");
    assert!(out.stdout.is_empty());
}

#[test]
fn parquet_with_wrong_column_types() {
    use polars::prelude::*;
    let f = Fixture::new();
    let mut df = DataFrame::new(
        1,
        vec![
            Column::new("customer_id".into(), ["a"]),
            Column::new("timestamp".into(), [1.5f64]),
            Column::new("channel".into(), ["Email"]),
            Column::new("conversion".into(), [true]),
        ],
    )
    .unwrap();
    let p = f.path("typed.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
    mta()
        .arg("attribute")
        .arg(&p)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("column `timestamp` has type `f64`").and(predicates::str::contains("expected a timestamp")));
}
