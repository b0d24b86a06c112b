//! Parquet as other tools write it: testdata/parquet/*.parquet hold
//! testdata/events.csv as pandas, pyarrow, polars, DuckDB and Spark write
//! it (testdata/parquet/make.py), with every common type for ids, channels,
//! timestamps, flags and amounts.

use super::*;

/// Each fixture and whether its timestamps are wall-clock times (no zone)
/// rather than instants (a zone, or Spark's INT96).
const FIXTURES: [(&str, bool); 10] = [
    ("pandas_category.parquet", true),     // category ids and channels, naive times, bool flags, NaN values
    ("pandas_ints.parquet", false),        // int64 ids, ms times in UTC, float flags, float32 values
    ("pyarrow_dictionary.parquet", false), // dictionary channels, large strings, us in Europe/Paris, int8 flags, decimals
    ("pyarrow_views.parquet", true),       // string views, uint64 ids, second times, text flags, float32
    ("polars_types.parquet", false),       // Categorical ids, Enum channels, ns UTC, UInt8 flags, decimals
    ("polars_ints.parquet", true),         // Int32 ids, naive ms times, bool flags, float32
    ("duckdb_types.parquet", false),       // ENUM channels, TIMESTAMPTZ, BOOLEAN flags, DECIMAL(18,2)
    ("duckdb_ints.parquet", true),         // UBIGINT ids, TIMESTAMP, INTEGER flags, DOUBLE
    ("spark_int96.parquet", false),        // Spark's default INT96 timestamps, int flags, decimals
    ("spark_micros.parquet", false),       // TIMESTAMP_MICROS, long ids, boolean flags, doubles
];

fn fixture(name: &str) -> String {
    testdata("parquet").join(name).to_str().unwrap().to_string()
}

/// `mta journeys` rows without the customer id (fixtures with integer ids
/// number the customers), sorted.
fn journeys_without_ids(args: &[&str]) -> Vec<String> {
    let out = stdout_of(&[&["journeys", "-q", "--format", "csv"], args].concat());
    let mut rows: Vec<String> = out.lines().skip(1).map(|l| l.split_once(',').unwrap().1.to_string()).collect();
    rows.sort();
    rows
}

#[test]
fn every_writer_gives_the_samples_results() {
    let credits = stdout_of(&["attribute", "testdata/events.csv", "--format", "csv", "-q"]);
    let journeys = journeys_without_ids(&["testdata/events.csv"]);
    for (name, _) in FIXTURES {
        let file = fixture(name);
        assert_eq!(stdout_of(&["attribute", &file, "--format", "csv", "-q"]), credits, "{name}");
        // Same touch and conversion times to the millisecond.
        assert_eq!(journeys_without_ids(&[&file]), journeys, "{name}");
    }
}

#[test]
fn wall_clock_timestamps_are_read_in_the_timezone_and_instants_are_not() {
    // Paris is UTC+1 in January: wall-clock times move an hour earlier, as
    // the sample's times do when written without their `Z`.
    let f = Fixture::new();
    let text = std::fs::read_to_string(testdata("events.csv")).unwrap().replace('Z', "");
    let local = f.file("local.csv", text);
    let utc = journeys_without_ids(&["testdata/events.csv"]);
    let shifted = journeys_without_ids(&[local.to_str().unwrap(), "--timezone", "Europe/Paris"]);
    assert_ne!(utc, shifted);
    for (name, wall_clock) in FIXTURES {
        let got = journeys_without_ids(&[&fixture(name), "--timezone", "Europe/Paris"]);
        assert_eq!(&got, if wall_clock { &shifted } else { &utc }, "{name}");
    }
}

#[test]
fn dates_are_midnights_and_unsigned_ids_keep_every_digit() {
    let file = fixture("pyarrow_dates.parquet");
    let out = stdout_of(&["journeys", &file, "-q", "--format", "csv"]);
    assert_eq!(
        out,
        "customer_id,journey,path,touches,converted,value,first_touch_at,converted_at\n\
         18446744073709551615,1,Email > Search > Direct,3,true,10.500000,2025-03-01T00:00:00Z,2025-03-03T00:00:00Z\n\
         8,1,Email,1,true,4.000000,2025-03-02T00:00:00Z,2025-03-02T00:00:00Z\n"
    );
    let paris = stdout_of(&["journeys", &file, "-q", "--format", "csv", "--timezone", "Europe/Paris"]);
    assert!(paris.contains("2025-02-28T23:00:00Z,2025-03-02T23:00:00Z"), "{paris}");
}

#[test]
fn parquet_datetimes_outside_the_years_1_to_9999_are_bad_cells_with_their_row() {
    use polars::prelude::*;
    let f = Fixture::new();
    // Milliseconds: a real time, the smallest i64 (which no time may take:
    // journeys store it for "not converted"), and one past the year 9999.
    let times = [1_735_689_600_000i64, i64::MIN, 253_402_300_800_000];
    for (zone, tz) in [("UTC instants", Some(TimeZone::UTC)), ("wall-clock times", None)] {
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("customer_id".into(), ["a", "b", "c"]),
            Column::new("timestamp".into(), times)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, tz.clone()))
                .unwrap(),
            Column::new("channel".into(), ["Email", "Search", "Social"]),
            Column::new("conversion".into(), [true, true, true]),
        ])
        .unwrap();
        let p = f.path("t.parquet");
        ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
        for (timezone, row) in [("UTC", 2), ("+02:00", 2)] {
            let out = mta()
                .args(["attribute", p.to_str().unwrap(), "--timezone", timezone])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{zone}, {timezone}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&format!("row {row}, column `timestamp`")) && stderr.contains("between the years 0001 and 9999"),
                "{zone}, {timezone}: {stderr}"
            );
            let out = mta()
                .args(["attribute", p.to_str().unwrap(), "--timezone", timezone, "--on-error", "skip"])
                .output()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("skipped 2 bad rows"),
                "{zone}, {timezone}"
            );
        }
    }
}
