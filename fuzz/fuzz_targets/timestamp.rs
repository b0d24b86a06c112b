//! The timestamp parser: any text, any format and zone.
//!
//! Input: byte 0 picks the format, byte 1 the zone; the rest is UTF-8 text
//! whose first line plays the column's first value (format detection) and
//! the remainder the cell. Checks: no panic; an accepted instant lies in the
//! documented range; surrounding whitespace does not change the result; and
//! the instant written back as RFC 3339 reads back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mta::input::time::{MAX_MS, MIN_MS, TimeFormat, TimeParser, Zone, format_ms};

const PATTERNS: [&str; 4] = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S%.f", "%m/%d/%Y", "%s"];
const ZONES: [&str; 4] = ["UTC", "+05:30", "Europe/Paris", "America/New_York"];

fuzz_target!(|data: &[u8]| {
    let [f, z, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = match f % 8 {
        0..=2 => TimeFormat::Auto,
        3 => TimeFormat::EpochSeconds,
        4 => TimeFormat::EpochMillis,
        n => TimeFormat::Pattern(PATTERNS[usize::from(n - 5) % PATTERNS.len()].to_string()),
    };
    let zone: Zone = ZONES[usize::from(*z) % ZONES.len()].parse().expect("known zone");
    let (first, cell) = text.split_once('\n').unwrap_or((text, text));
    let parser = TimeParser::new(&format, zone, Some(first));
    let parsed = parser.parse(cell);
    assert_eq!(
        parsed,
        parser.parse(&format!(" {cell}\t")),
        "whitespace changed the result of {cell:?}"
    );
    if let Ok(ms) = parsed {
        assert!((MIN_MS..=MAX_MS).contains(&ms), "{cell:?} gave {ms}, outside the documented range");
        let written = format_ms(ms);
        let iso = TimeParser::new(&TimeFormat::Auto, Zone::Utc, Some(&written));
        assert_eq!(iso.parse(&written), Ok(ms), "{cell:?} -> {ms} -> {written:?} did not read back");
    }
});
