//! Writes a seeded synthetic attribution data set (CSV and Parquet) for demos and benchmarks:
//!
//! `cargo run --release --example generate -- --customers 1000000 --seed 7 --out data/`

// `generate`, `customer` and the record types are the API for benches and tests; this
// CLI only needs `write_all`.
#[allow(dead_code)]
mod synth;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;

/// Generate synthetic touchpoints, conversions, events and paths.
#[derive(Parser, Debug)]
#[command(about)]
struct Args {
    /// Number of customers.
    #[arg(long, default_value_t = 10_000)]
    customers: usize,
    /// PRNG seed; the same seed gives byte-identical files.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Number of channels (1..=26); beyond the built-in 10 they are named `Channel 11`...
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=synth::MAX_CHANNELS as i64))]
    channels: u8,
    /// Skip `events.parquet` and `touchpoints.parquet`.
    #[arg(long)]
    no_parquet: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating output directory {}", args.out.display()))?;
    let cfg = synth::Config {
        customers: args.customers,
        seed: args.seed,
        channels: usize::from(args.channels),
    };
    let s =
        synth::write_all(&cfg, &args.out, !args.no_parquet).with_context(|| format!("writing synthetic data to {}", args.out.display()))?;
    eprintln!(
        "generated {} customers, {} touchpoints, {} journeys, {} conversions, revenue {:.2}, {} distinct paths in {:.2} s -> {}",
        s.customers,
        s.touchpoints,
        s.journeys,
        s.conversions,
        s.revenue,
        s.distinct_paths,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}
