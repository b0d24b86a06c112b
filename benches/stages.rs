//! Per-stage benchmarks on seeded synthetic data (never committed):
//! reading, journey building, and each model.
//!
//! `cargo bench --bench stages` (set `MTA_BENCH_CUSTOMERS` to change the size,
//! default 200,000 customers, about 600,000 touchpoints).

#[path = "../examples/generate/synth.rs"]
#[allow(dead_code)]
mod synth;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mta::input::{self, InputSpec, Source};
use mta::journey::{self, JourneyConfig};
use mta::model::{ModelConfig, ModelKind};

fn stages(c: &mut Criterion) {
    let customers = std::env::var("MTA_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("tempdir");
    synth::write_all(
        &synth::Config {
            customers,
            seed: 7,
            channels: 10,
        },
        dir.path(),
        true,
    )
    .expect("generate bench data");

    let spec = |file: &str| InputSpec {
        sources: vec![Source::File(dir.path().join(file))],
        ..InputSpec::default()
    };
    let events = input::load(&spec("events.csv")).expect("load events");
    let rows = events.time.len() as u64;

    let mut g = c.benchmark_group("read");
    g.sample_size(10).throughput(Throughput::Elements(rows));
    g.bench_function("events.csv", |b| b.iter(|| black_box(input::load(&spec("events.csv")).unwrap())));
    // The same rows with source / medium / campaign: GA4's channel rules.
    g.bench_function("events-utm.csv", |b| {
        b.iter(|| black_box(input::load(&spec("events-utm.csv")).unwrap()))
    });
    g.bench_function("events.parquet", |b| {
        b.iter(|| black_box(input::load(&spec("events.parquet")).unwrap()))
    });
    g.finish();

    let mut g = c.benchmark_group("journeys");
    g.sample_size(10).throughput(Throughput::Elements(rows));
    g.bench_function("build", |b| {
        b.iter(|| black_box(journey::build(&events, &JourneyConfig::default())))
    });
    g.bench_function("build --lookback 30d", |b| {
        let cfg = JourneyConfig {
            lookback_ms: Some(30 * 86_400_000),
            ..JourneyConfig::default()
        };
        b.iter(|| black_box(journey::build(&events, &cfg)))
    });
    g.bench_function("build --path-transform exposure", |b| {
        let cfg = JourneyConfig {
            transforms: vec![journey::transform::PathTransform::Exposure],
            ..JourneyConfig::default()
        };
        b.iter(|| black_box(journey::build(&events, &cfg)))
    });
    g.finish();

    let (journeys, _) = journey::build(&events, &JourneyConfig::default());
    let mut g = c.benchmark_group("models");
    g.sample_size(20).throughput(Throughput::Elements(journeys.len() as u64));
    for kind in ModelKind::ALL {
        let model = kind.build(&ModelConfig::default());
        g.bench_function(kind.name(), |b| b.iter(|| black_box(model.attribute(&journeys).unwrap())));
    }
    g.finish();

    // The Markov solve alone (chain already built), per order.
    let mut g = c.benchmark_group("markov");
    g.sample_size(20);
    for order in [1, 3] {
        let chain = mta::model::markov::Chain::build(
            &journeys,
            &mta::model::markov::ChainSpec {
                order,
                keep_repeats: false,
            },
        )
        .unwrap();
        let n = journeys.channels().len();
        g.bench_function(format!("chain order {order}"), |b| {
            b.iter(|| {
                black_box(mta::model::markov::Chain::build(
                    &journeys,
                    &mta::model::markov::ChainSpec {
                        order,
                        keep_repeats: false,
                    },
                ))
            })
        });
        g.bench_function(format!("removal effects order {order} ({} states)", chain.len()), |b| {
            b.iter(|| black_box(chain.removal_effects(n).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
