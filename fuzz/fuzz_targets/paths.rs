//! The path-aggregate reader: `path,total_conversions,...` rows in any shape.
//!
//! Input: byte 0 picks the separator (low bits) and whether bad rows are
//! skipped (bit 7), the rest is the file. Checks: no panic; an accepted
//! table has only non-empty channel names, no separator inside a name, and
//! non-negative finite counts; rows read = rows kept + rows skipped;
//! journeys rebuilt from it carry exactly its conversions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mta::input::{OnError, Source, paths};
use mta::journey::{self, JourneyConfig};

const SEPS: [&str; 4] = [" > ", ">", "|", " -> "];

fuzz_target!(|data: &[u8]| {
    let [s, file @ ..] = data else { return };
    let sep = SEPS[usize::from(*s) % SEPS.len()];
    let source = Source::Memory {
        name: "paths.csv".into(),
        bytes: file.into(),
    };
    let on_error = if s & 0x80 != 0 { OnError::Skip } else { OnError::Stop };
    let Ok(table) = paths::load(&[source], &Default::default(), sep, on_error) else {
        return;
    };
    let read: u64 = table.files.iter().map(|f| f.rows).sum();
    assert_eq!(read, table.len() as u64 + table.rejections.len() as u64, "rows do not reconcile");
    if on_error == OnError::Stop {
        assert!(table.rejections.is_empty());
    }
    let sep_trimmed = sep.trim();
    for name in table.channels.iter() {
        assert!(!name.is_empty() && name.trim() == name, "channel name {name:?}");
        assert!(!name.contains(sep_trimmed), "separator inside {name:?}");
    }
    let mut conversions = 0.0;
    for i in 0..table.len() {
        let (path, c, v, n) = table.row(i);
        assert!(!path.is_empty(), "row {i} has an empty path");
        for x in [c, v, n] {
            assert!(x.is_finite() && x >= 0.0, "row {i}: {x}");
        }
        conversions += c;
    }
    let (journeys, _) = journey::from_paths(&table, &JourneyConfig::default());
    let total = journeys.total_conversions();
    assert!(
        (total - conversions).abs() <= 1e-9 * conversions.max(1.0),
        "{total} != {conversions}"
    );
});
