//! The event reader, end to end: bytes -> columns -> journeys -> models.
//!
//! Input: byte 0 picks the options (lookback, max touches, skipping bad
//! rows), byte 1 the CSV chunk size (low 7 bits; 0: the default) and the
//! mode (high bit: event rows with `--conversion-events purchase`, `--order-col
//! order_id`), the rest is the file (CSV, gzip, or Parquet, detected from
//! the bytes as for a real file). Small chunks put bad, anonymous and
//! repeated rows in later chunks, where a skipped row once crashed the
//! reader. Checks: no panic; a read either fails with an error or gives
//! columns of one length; rows read = rows used + skipped + anonymous +
//! repeated orders + rows of people without an account dropped (bits 5
//! and 6 of byte 0: `--account-col account_id`, `--account-missing
//! drop`); conversions read = attributed + unattributed; every
//! model that distributes conversions gives credits that sum to them, none
//! negative or NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mta::input::accounts::{AccountMissing, AccountSource, AccountSpec};
use mta::input::{self, ColumnMap, Conversions, InputSpec, OnError, Source};
use mta::journey::{self, JourneyConfig};
use mta::model::{ModelConfig, ModelKind};

fuzz_target!(|data: &[u8]| {
    let [opts, chunk, file @ ..] = data else { return };
    let event_mode = chunk & 128 == 128;
    let spec = InputSpec {
        sources: vec![Source::Memory {
            name: "fuzz.csv".into(),
            bytes: file.into(),
        }],
        on_error: if opts & 4 == 4 { OnError::Skip } else { OnError::Stop },
        chunk_bytes: Some(usize::from(chunk & 127) * 16),
        conversion_events: event_mode.then(|| vec!["purchase".to_string()]),
        columns: ColumnMap {
            order: event_mode.then(|| "order_id".to_string()),
            ..ColumnMap::default()
        },
        // Bits 5 and 6 (also part of max touches' count): accounts from an
        // `account_id` column, people without one kept or dropped.
        accounts: (opts & 32 == 32).then(|| AccountSpec {
            source: AccountSource::Column {
                touches: "account_id".into(),
                conversions: "account_id".into(),
            },
            missing: if opts & 64 == 64 {
                AccountMissing::Drop
            } else {
                AccountMissing::Keep
            },
        }),
        ..InputSpec::default()
    };
    let Ok(events) = input::load(&spec) else { return };
    let rows = events.customer.len();
    let read: u64 = events.files.iter().map(|f| f.rows).sum();
    let anonymous: u64 = events.files.iter().map(|f| f.anonymous).sum();
    let conversion_rows = match &events.conversions {
        Conversions::Separate { time, .. } => time.len(),
        _ => 0,
    };
    assert_eq!(
        read,
        (rows + conversion_rows) as u64
            + events.rejections.len() as u64
            + anonymous
            + events.repeated_orders
            + events.accounts.as_ref().filter(|a| a.dropped).map_or(0, |a| a.rows_without),
        "rows do not reconcile"
    );
    assert!(events.channel.iter().all(|&c| (c as usize) < events.channels.len()));
    assert_eq!(events.time.len(), rows);
    assert_eq!(events.channel.len(), rows);
    let converting = match &events.conversions {
        Conversions::Inline { flag, value } => {
            assert!(!event_mode, "event rows give separate conversions");
            assert_eq!((flag.len(), value.len()), (rows, rows));
            assert!(value.iter().all(|v| v.is_finite() && *v >= 0.0));
            flag.iter().filter(|f| **f).count()
        }
        Conversions::Separate { customer, time, value, .. } => {
            assert!(event_mode, "inline flags give inline conversions");
            assert_eq!((customer.len(), value.len()), (time.len(), time.len()));
            assert!(customer.iter().all(|&c| (c as usize) < events.customers.len()));
            assert!(value.iter().all(|v| v.is_finite() && *v >= 0.0));
            time.len()
        }
        Conversions::None => panic!("conversions expected"),
    };

    let cfg = JourneyConfig {
        lookback_ms: (opts & 1 == 1).then_some(86_400_000),
        max_touches: (opts & 2 == 2).then_some(usize::from(opts >> 4) + 1),
        transforms: if opts & 8 == 8 {
            vec![
                journey::transform::PathTransform::Exposure,
                journey::transform::PathTransform::First,
            ]
        } else {
            Vec::new()
        },
        mode: if opts & 128 == 128 {
            journey::JourneyMode::Window
        } else {
            journey::JourneyMode::Split
        },
        ..JourneyConfig::default()
    };
    let (journeys, stats) = journey::build(&events, &cfg);
    assert_eq!(stats.conversions + stats.unattributed_conversions as f64, converting as f64);
    assert!(
        journeys.iter().all(|j| !j.touches.is_empty()),
        "no journey is empty, transforms or not"
    );

    let total = journeys.total_conversions();
    for kind in ModelKind::ALL {
        if kind.unsupported_reason(&journeys).is_some() {
            continue;
        }
        let model = kind.build(&ModelConfig::default());
        let credits = model.attribute(&journeys).expect("models accept any journeys they support");
        for c in credits.conversions.iter().chain(&credits.value) {
            assert!(c.is_finite(), "{kind}: credit {c}");
        }
        if kind != ModelKind::Shapley {
            assert!(credits.conversions.iter().all(|c| *c >= -1e-9), "{kind}: negative credit");
        }
        if model.sums_to_conversions() && kind != ModelKind::Markov {
            let sum: f64 = credits.conversions.iter().sum();
            assert!(
                (sum - total).abs() <= 1e-6 * total.max(1.0),
                "{kind}: credits {sum} != conversions {total}"
            );
        }
    }
});
