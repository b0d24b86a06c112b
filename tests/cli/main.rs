//! Integration tests of the `mta` binary: one test binary, several modules.

mod attribute;
mod bad_inputs;
mod budget;
mod by;
mod channels;
mod compare;
mod conversion_types;
mod costs;
mod crm;
mod data_driven;
mod errors;
mod european;
mod evaluate;
mod exports;
mod filters;
mod formats;
mod ga4;
mod html;
mod invariants;
mod lift;
mod many_files;
mod markov;
mod out_of_core;
mod output;
mod parquet_types;
mod periods;
mod raw_exports;
mod scorecard;
mod simulate;
mod skip;
mod snapshots;
mod sql;
mod transforms;
mod transitions;

/// The seeded generator of examples/generate, shared by the test modules.
#[path = "../../examples/generate/synth.rs"]
#[allow(dead_code)]
mod synth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scratch directory and a clean environment for one test.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Writes `content` to `name` in the scratch directory.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write fixture");
        p
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A scratch directory with the generator's files (events.csv,
/// touchpoints.csv, conversions.csv...) for `customers` customers.
pub fn generated(customers: usize, seed: u64, channels: usize) -> Fixture {
    let f = Fixture::new();
    let cfg = synth::Config { customers, seed, channels };
    synth::write_all(&cfg, f.dir.path(), false).unwrap();
    f
}

/// `mta` with an empty environment, run from the crate root.
pub fn mta() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mta"));
    c.env_clear().current_dir(env!("CARGO_MANIFEST_DIR"));
    // `MTA_CSV_CHUNK_BYTES=300 cargo test`: every test with CSV read in
    // tiny chunks, which must change nothing (.ci/run does this too).
    if let Ok(bytes) = std::env::var("MTA_CSV_CHUNK_BYTES") {
        c.env("MTA_CSV_CHUNK_BYTES", bytes);
    }
    // Likewise Parquet read one row group at a time (`MTA_PARQUET_CHUNK_ROWS=1`).
    if let Ok(rows) = std::env::var("MTA_PARQUET_CHUNK_ROWS") {
        c.env("MTA_PARQUET_CHUNK_ROWS", rows);
    }
    c
}

/// Stdout of `mta ARGS`, which must succeed.
pub fn stdout_of(args: &[&str]) -> String {
    let out = mta().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A committed fixture under testdata/.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}

/// The raw shop export of testdata/: rows in time order, two without a
/// customer id (one a purchase), a reloaded purchase, six channels by UTM.
pub const SHOP: &str = "testdata/shop_events.csv";
/// Flags that read it as events with purchases for conversions.
pub const SHOP_FLAGS: [&str; 6] = [
    "--event-col",
    "event_type",
    "--conversion-events",
    "purchase",
    "--value-col",
    "revenue",
];

/// One CSV result row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub conversions: f64,
    pub value: f64,
    pub share: f64,
}

/// Parses the CSV contract into (model, channel) -> figures, checking the header.
pub fn parse_csv(out: &[u8]) -> BTreeMap<(String, String), Row> {
    let text = std::str::from_utf8(out).expect("utf-8 output");
    assert_eq!(text.lines().next(), Some("model,channel,conversions,value,share"), "{text}");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut map = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        let num = |i: usize| rec[i].parse::<f64>().expect("number");
        map.insert(
            (rec[0].to_string(), rec[1].to_string()),
            Row {
                conversions: num(2),
                value: num(3),
                share: num(4),
            },
        );
    }
    map
}

/// Runs `mta attribute ARGS --format csv` and parses stdout; asserts success.
pub fn attribute_csv(args: &[&str]) -> BTreeMap<(String, String), Row> {
    let out = mta()
        .arg("attribute")
        .args(args)
        .args(["--format", "csv", "--quiet"])
        .output()
        .expect("run mta");
    assert!(out.status.success(), "mta failed: {}", String::from_utf8_lossy(&out.stderr));
    parse_csv(&out.stdout)
}

pub fn assert_close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-6, "{what}: got {got}, want {want}");
}

/// Runs `mta ARGS INPUT` on 40,000 rows (far more output than a pipe buffer)
/// with stdout closed by the reader at once, so writes fail with EPIPE.
pub fn run_into_closed_pipe(f: &Fixture, args: &[&str]) -> std::process::Output {
    let mut big = String::from("customer_id,timestamp,channel,conversion,value\n");
    for i in 0..20_000 {
        big.push_str(&format!(
            "c{i},2025-01-01T00:00:00Z,Email,0,\nc{i},2025-01-02T00:00:00Z,Search,1,10\n"
        ));
    }
    let input = f.file("big.csv", big);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mta"))
        .args(args)
        .arg(&input)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}
