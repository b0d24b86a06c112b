//! The yardstick of mta's reading targets (issue 15): polars reading a CSV
//! file with every column as text and nothing else. `benches/memory.sh`
//! runs it beside mta on the same file.
//!
//! ```sh
//! cargo run --release --example bare_read -- data/bench-2000000/events.csv
//! ```

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_read FILE.csv");
        std::process::exit(2);
    };
    // No schema inference: every column stays text, as mta reads them.
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.into()))?
        .finish()?;
    println!("{} rows, {} columns", df.height(), df.width());
    Ok(())
}
