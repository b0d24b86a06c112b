//! Timestamp parsing: ISO 8601 / RFC 3339, epoch seconds or milliseconds, or a
//! strftime pattern, all to UTC epoch milliseconds.
//!
//! The format is detected once per column from its first value and then
//! enforced on every row, so a column that mixes formats fails loudly at the
//! first row that differs instead of being half-misread. The common ISO shapes
//! go through a hand-written byte parser: it is the hot loop of reading
//! millions of touchpoints and is an order of magnitude faster than a generic
//! strftime parser.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone};

/// Earliest accepted instant (0001-01-01T00:00:00Z) in epoch milliseconds.
pub const MIN_MS: i64 = -62_135_596_800_000;
/// Latest accepted instant (9999-12-31T23:59:59.999Z) in epoch milliseconds.
pub const MAX_MS: i64 = 253_402_300_799_999;

/// How the user asked timestamps to be read (`--time-format`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// Detect from the first value: epoch digits or ISO 8601.
    #[default]
    Auto,
    /// Integer seconds since 1970-01-01T00:00:00Z.
    EpochSeconds,
    /// Integer milliseconds since 1970-01-01T00:00:00Z.
    EpochMillis,
    /// A chrono strftime pattern such as `%d/%m/%Y %H:%M`.
    Pattern(String),
}

/// The keywords `--time-format` takes besides a strftime pattern.
pub const TIME_FORMAT_KEYWORDS: [&str; 3] = ["auto", "epoch-s", "epoch-ms"];

impl std::str::FromStr for TimeFormat {
    type Err = String;

    /// A keyword, or a strftime pattern with at least one valid `%`
    /// directive. Anything else is refused here, before any input is read:
    /// taken as a pattern, a typo such as `epoch-sec` would fail on every row
    /// and the error would blame the data.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use chrono::format::{Item, StrftimeItems};
        match s {
            "auto" => return Ok(TimeFormat::Auto),
            "epoch-s" => return Ok(TimeFormat::EpochSeconds),
            "epoch-ms" => return Ok(TimeFormat::EpochMillis),
            _ => {}
        }
        let mut directives = 0;
        for item in StrftimeItems::new(s) {
            match item {
                Item::Error => {
                    return Err(format!(
                        "`{s}` is not a valid strftime pattern (an unknown or incomplete `%` directive)"
                    ));
                }
                Item::Numeric(..) | Item::Fixed(_) => directives += 1,
                _ => {}
            }
        }
        if directives == 0 {
            return Err(format!(
                "`{s}` is neither a time format keyword ({}) nor a strftime pattern with `%` directives",
                TIME_FORMAT_KEYWORDS.map(|k| format!("`{k}`")).join(", ")
            ));
        }
        Ok(TimeFormat::Pattern(s.to_string()))
    }
}

/// The zone that timestamps without an offset are in (`--timezone`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Zone {
    /// Coordinated Universal Time (the default).
    #[default]
    Utc,
    /// A fixed offset such as `+02:00`.
    Fixed(FixedOffset),
    /// An IANA zone such as `Europe/Paris`, with daylight saving time.
    Named(chrono_tz::Tz),
}

impl std::str::FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Zone::Utc);
        }
        if let Some(off) = parse_offset(t.as_bytes()) {
            return FixedOffset::east_opt(off)
                .map(Zone::Fixed)
                .ok_or_else(|| format!("offset `{t}` is out of range"));
        }
        t.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone `{t}`: expected `UTC`, an offset like `+02:00`, or an IANA name like `Europe/Paris`"))
    }
}

impl Zone {
    /// The calendar date of an instant (epoch ms) on a wall clock in this
    /// zone, for periods of `--by day|week|month` (daylight saving time
    /// included: 23:30 UTC on 31 March is 1 April in Berlin).
    pub fn local_date(&self, ms: i64) -> NaiveDate {
        let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default().naive_utc();
        (utc + chrono::Duration::seconds(i64::from(self.offset_s(ms)))).date()
    }

    /// Seconds this zone's wall clock is ahead of UTC at instant `ms`.
    pub fn offset_s(&self, ms: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Fixed(off) => off.local_minus_utc(),
            Zone::Named(tz) => {
                use chrono::Offset;
                let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default().naive_utc();
                tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
            }
        }
    }

    /// Instant `ms` as RFC 3339 on this zone's wall clock, with its offset
    /// (`Z` in UTC): what the user reads in the summary.
    pub fn format(&self, ms: i64) -> String {
        let offset = self.offset_s(ms);
        if offset == 0 && *self == Zone::Utc {
            return format_ms(ms);
        }
        let local = format_ms(ms + i64::from(offset) * 1000);
        let sign = if offset < 0 { '-' } else { '+' };
        let a = offset.unsigned_abs();
        format!("{}{sign}{:02}:{:02}", local.trim_end_matches('Z'), a / 3600, a % 3600 / 60)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Iso,
    EpochSeconds,
    EpochMillis,
    Pattern(String),
}

/// A timestamp parser fixed to one format for a whole column.
#[derive(Debug, Clone)]
pub struct TimeParser {
    mode: Mode,
    zone: Zone,
    /// The flag that chooses the format, for messages (`--time-format`).
    flag: &'static str,
    /// Auto mode: the column's first value was ISO 8601 (so a later value
    /// that is not mixes formats).
    first_iso: bool,
    /// A date without a time of day is the last millisecond of that day
    /// (conversion times: see [`TimeParser::dates_at_end_of_day`]).
    end_of_day: bool,
}

const ISO_EXPECTED: &str = "an ISO 8601 timestamp such as `2025-01-31T09:30:00Z`, `2025-01-31 09:30:00` or `2025-01-31`";

/// Date and time shapes of spreadsheets and exports that are not ISO 8601,
/// tried in order to name the pattern that reads a value.
const PATTERNS: [&str; 18] = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y%m%d",
];

/// The patterns of [`PATTERNS`] that read `s` as a date or a date and time.
pub fn patterns_reading(s: &str) -> Vec<&'static str> {
    PATTERNS
        .iter()
        .copied()
        .filter(|p| NaiveDateTime::parse_from_str(s, p).is_ok() || (!p.contains("%H") && NaiveDate::parse_from_str(s, p).is_ok()))
        .collect()
}

impl TimeParser {
    /// Fixes the format for a column, detecting it from `first` (the
    /// column's first non-empty value) when `format` is [`TimeFormat::Auto`].
    ///
    /// Epoch detection: an integer with 12 or more digits is milliseconds,
    /// fewer is seconds (12 digits of seconds would be past the year 5000).
    pub fn new(format: &TimeFormat, zone: Zone, first: Option<&str>) -> Self {
        let mode = match format {
            TimeFormat::EpochSeconds => Mode::EpochSeconds,
            TimeFormat::EpochMillis => Mode::EpochMillis,
            TimeFormat::Pattern(p) => Mode::Pattern(p.clone()),
            TimeFormat::Auto => match first.map(str::trim) {
                Some(v) if is_integer(v) => {
                    let digits = v.trim_start_matches(['-', '+']).len();
                    if digits >= 12 { Mode::EpochMillis } else { Mode::EpochSeconds }
                }
                _ => Mode::Iso,
            },
        };
        let first_iso = mode == Mode::Iso && first.is_some_and(|v| parse_iso_parts(v.trim().as_bytes()).is_ok());
        TimeParser {
            mode,
            zone,
            flag: "--time-format",
            first_iso,
            end_of_day: false,
        }
    }

    /// Reads a date without a time of day as the end of that day (its last
    /// millisecond, 23:59:59.999 in the zone) instead of its midnight: for
    /// conversion times, where a CRM export's date-only stage change must
    /// come after that day's touches (the form fill that made the lead),
    /// not before all of them.
    pub fn dates_at_end_of_day(mut self) -> Self {
        self.end_of_day = true;
        self
    }

    /// The flag that chooses the format, named in messages (the costs'
    /// dates: `--cost-date-format`).
    pub fn for_flag(mut self, flag: &'static str) -> Self {
        self.flag = flag;
        self
    }

    /// What a value that is not ISO 8601 should have been: mixing formats
    /// when the column's first value was ISO, else the pattern (or the two
    /// patterns, day or month first) that reads it.
    fn iso_expected(&self, s: &str) -> String {
        if self.first_iso {
            return format!("{ISO_EXPECTED} (the column's first value was ISO 8601)");
        }
        let flag = self.flag;
        match patterns_reading(s).as_slice() {
            [] => format!("{ISO_EXPECTED}, or a format given with `{flag}`"),
            [p] => format!("{ISO_EXPECTED}; this value reads with `{flag} '{p}'`"),
            [p, q, ..] => format!("{ISO_EXPECTED}; this value reads with `{flag} '{p}'` (day first) or `{flag} '{q}'` (month first)"),
        }
    }

    /// Parses one value to UTC epoch milliseconds; the error says what was
    /// expected, for the caller to wrap with file, line and column.
    pub fn parse(&self, raw: &str) -> Result<i64, String> {
        self.parse_dated(raw).map(|(ms, _)| ms)
    }

    /// [`Self::parse`], and whether the value was a date without a time of day.
    pub fn parse_dated(&self, raw: &str) -> Result<(i64, bool), String> {
        let s = raw.trim();
        let mut date_only = false;
        let ms = match &self.mode {
            Mode::Iso => self.parse_iso(s, &mut date_only)?,
            Mode::EpochSeconds => parse_epoch(
                s,
                1000,
                "integer epoch seconds like the column's first value (pass `--time-format` to choose another format)",
            )?,
            Mode::EpochMillis => parse_epoch(
                s,
                1,
                "integer epoch milliseconds like the column's first value (pass `--time-format` to choose another format)",
            )?,
            Mode::Pattern(p) => self.parse_pattern(s, p, &mut date_only)?,
        };
        if !(MIN_MS..=MAX_MS).contains(&ms) {
            return Err("a timestamp between the years 0001 and 9999".into());
        }
        Ok((ms, date_only))
    }

    /// Local epoch-ms of a date's midnight, or of its last millisecond
    /// with [`Self::dates_at_end_of_day`].
    fn date_ms(&self, midnight: i64) -> i64 {
        if self.end_of_day { midnight + 86_400_000 - 1 } else { midnight }
    }

    fn parse_iso(&self, s: &str, date_only: &mut bool) -> Result<i64, String> {
        let p = parse_iso_parts(s.as_bytes()).map_err(|e| match e {
            IsoError::Syntax => self.iso_expected(s),
            IsoError::Date => "a real calendar date (month 01-12, day within the month)".to_string(),
            IsoError::Time => "a real time of day (hours 00-23, minutes and seconds 00-59)".to_string(),
        })?;
        *date_only = s.len() == 10;
        let local = if *date_only {
            self.date_ms(p.days * 86_400_000)
        } else {
            p.days * 86_400_000 + p.millis_of_day
        };
        match p.offset_seconds {
            Some(off) => Ok(local - i64::from(off) * 1000),
            None => self.localize_ms(local),
        }
    }

    /// Interprets naive local epoch-ms (wall-clock time read as if UTC) in
    /// the configured zone: Parquet timestamps and dates without a zone.
    pub fn localize_ms(&self, local: i64) -> Result<i64, String> {
        if !(MIN_MS..=MAX_MS).contains(&local) {
            return Err("a timestamp between the years 0001 and 9999".to_string());
        }
        match self.zone {
            Zone::Utc => Ok(local),
            Zone::Fixed(off) => Ok(local - i64::from(off.local_minus_utc()) * 1000),
            Zone::Named(tz) => {
                let naive = DateTime::from_timestamp_millis(local)
                    .ok_or_else(|| "a timestamp between the years 0001 and 9999".to_string())?
                    .naive_utc();
                self.localize_naive(naive, tz)
            }
        }
    }

    fn localize_naive(&self, naive: NaiveDateTime, tz: chrono_tz::Tz) -> Result<i64, String> {
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => Ok(t.timestamp_millis()),
            // A repeated hour at the end of daylight saving time: take the first.
            LocalResult::Ambiguous(first, _) => Ok(first.timestamp_millis()),
            LocalResult::None => Err(format!(
                "a local time that exists in `{tz}` (clocks skip this hour at a daylight-saving change)"
            )),
        }
    }

    fn parse_pattern(&self, s: &str, pattern: &str, date_only: &mut bool) -> Result<i64, String> {
        let expected = || format!("a timestamp in the format `{pattern}` (from `{}`)", self.flag);
        if pattern.contains("%z") || pattern.contains("%:z") || pattern.contains("%#z") {
            return DateTime::parse_from_str(s, pattern)
                .map(|t| t.timestamp_millis())
                .map_err(|_| expected());
        }
        let naive = match NaiveDateTime::parse_from_str(s, pattern) {
            Ok(n) => n,
            Err(_) => {
                let date = NaiveDate::parse_from_str(s, pattern).map_err(|_| expected())?;
                *date_only = true;
                let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
                match self.end_of_day {
                    true => date.and_hms_milli_opt(23, 59, 59, 999).expect("the day's last millisecond exists"),
                    false => midnight,
                }
            }
        };
        match self.zone {
            Zone::Named(tz) => self.localize_naive(naive, tz),
            _ => self.localize_ms(naive.and_utc().timestamp_millis()),
        }
    }
}

fn is_integer(s: &str) -> bool {
    let d = s.strip_prefix(['-', '+']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn parse_epoch(s: &str, scale: i64, expected: &str) -> Result<i64, String> {
    if !is_integer(s) {
        return Err(expected.to_string());
    }
    s.parse::<i64>()
        .ok()
        .and_then(|v| v.checked_mul(scale))
        .ok_or_else(|| "a timestamp between the years 0001 and 9999".to_string())
}

#[derive(Debug, PartialEq)]
enum IsoError {
    Syntax,
    Date,
    Time,
}

struct IsoParts {
    days: i64,
    millis_of_day: i64,
    offset_seconds: Option<i32>,
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]]`.
fn parse_iso_parts(b: &[u8]) -> Result<IsoParts, IsoError> {
    use IsoError::*;
    let year = digits(b, 0, 4).ok_or(Syntax)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(Syntax);
    }
    let month = digits(b, 5, 2).ok_or(Syntax)?;
    let day = digits(b, 8, 2).ok_or(Syntax)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || year == 0 {
        return Err(Date);
    }
    let days = days_from_civil(i64::from(year), month, day);
    if b.len() == 10 {
        return Ok(IsoParts {
            days,
            millis_of_day: 0,
            offset_seconds: None,
        });
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(Syntax);
    }
    let hour = digits(b, 11, 2).ok_or(Syntax)?;
    if b.get(13) != Some(&b':') {
        return Err(Syntax);
    }
    let minute = digits(b, 14, 2).ok_or(Syntax)?;
    let mut i = 16;
    let mut second = 0;
    let mut millis = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, 17, 2).ok_or(Syntax)?;
        i = 19;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            let mut scale = 100;
            while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                millis += u32::from(c - b'0') * scale;
                scale /= 10;
                i += 1;
            }
            if i == start {
                return Err(Syntax);
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(Time);
    }
    let rest = &b[i..];
    let offset_seconds = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        _ => {
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            Some(parse_offset(rest).ok_or(Syntax)?)
        }
    };
    let millis_of_day = (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * 1000 + i64::from(millis);
    Ok(IsoParts {
        days,
        millis_of_day,
        offset_seconds,
    })
}

/// `±HH`, `±HHMM` or `±HH:MM` to seconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h = digits(b, 1, 2)?;
    let m = match b.len() {
        3 => 0,
        5 => digits(b, 3, 2)?,
        6 if b[3] == b':' => digits(b, 4, 2)?,
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) as i32)
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats epoch milliseconds as RFC 3339 UTC, seconds precision unless
/// the instant has milliseconds.
pub fn format_ms(ms: i64) -> String {
    let mut s = String::with_capacity(24);
    push_rfc3339(&mut s, ms);
    s
}

/// Appends [`format_ms`]'s text to `buf`. Written by hand for the accepted
/// range (years 1 to 9999): outputs format millions of times, and chrono
/// parses its format string on every call.
pub fn push_rfc3339(buf: &mut String, ms: i64) {
    use std::fmt::Write;
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        let _ = match DateTime::from_timestamp_millis(ms) {
            Some(t) if ms % 1000 == 0 => write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
            Some(t) => write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(buf, "{ms}"),
        };
        return;
    }
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible
    // Low-Level Date Algorithms", days_from_civil inverted).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (secs, millis) = (in_day / 1000, in_day % 1000);
    let _ = write!(
        buf,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if millis != 0 {
        let _ = write!(buf, ".{millis:03}");
    }
    buf.push('Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_written_on_the_zone_s_wall_clock_with_its_offset() {
        // 2026-03-29T00:30:00Z: before Berlin's clocks go forward; 02:30Z after.
        let (before, after) = (1_774_744_200_000, 1_774_751_400_000);
        assert_eq!(Zone::Utc.format(before), "2026-03-29T00:30:00Z");
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(berlin.format(before), "2026-03-29T01:30:00+01:00");
        assert_eq!(berlin.format(after), "2026-03-29T04:30:00+02:00");
        let west: Zone = "-03:30".parse().unwrap();
        assert_eq!(west.format(before), "2026-03-28T21:00:00-03:30");
    }

    #[test]
    fn conversion_dates_without_a_time_are_the_end_of_their_day() {
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        // ISO: 2026-07-28 ends at 23:59:59.999 Berlin summer time = 21:59:59.999Z.
        let p = TimeParser::new(&TimeFormat::Auto, berlin, Some("2026-07-28")).dates_at_end_of_day();
        assert_eq!(p.parse_dated("2026-07-28"), Ok((chrono_ms("2026-07-28T21:59:59.999Z"), true)));
        // A time of day is kept as it is, and is not date-only.
        assert_eq!(p.parse_dated("2026-07-28T14:00:00"), Ok((chrono_ms("2026-07-28T12:00:00Z"), false)));
        // A pattern without hours (a German CRM export), in UTC.
        let de = TimeParser::new(&TimeFormat::Pattern("%d.%m.%Y".into()), Zone::Utc, None).dates_at_end_of_day();
        assert_eq!(de.parse_dated("28.07.2026"), Ok((chrono_ms("2026-07-28T23:59:59.999Z"), true)));
        // Touch times keep midnight.
        let touches = TimeParser::new(&TimeFormat::Pattern("%d.%m.%Y".into()), Zone::Utc, None);
        assert_eq!(touches.parse_dated("28.07.2026"), Ok((chrono_ms("2026-07-28T00:00:00Z"), true)));
        assert_eq!(auto("1735689600").parse_dated("1735689600"), Ok((1_735_689_600_000, false)));
    }

    fn auto(first: &str) -> TimeParser {
        TimeParser::new(&TimeFormat::Auto, Zone::Utc, Some(first))
    }

    fn chrono_ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn iso_shapes_agree_with_chrono() {
        let p = auto("2025-01-01");
        for (input, rfc) in [
            ("2025-01-31T09:30:00Z", "2025-01-31T09:30:00Z"),
            ("2025-01-31 09:30:00", "2025-01-31T09:30:00Z"),
            ("2025-01-31T09:30", "2025-01-31T09:30:00Z"),
            ("2025-01-31", "2025-01-31T00:00:00Z"),
            ("2025-01-31T09:30:00.250Z", "2025-01-31T09:30:00.250Z"),
            ("2025-01-31T09:30:00.123456789+02:00", "2025-01-31T07:30:00.123Z"),
            ("2025-01-31T09:30:00-0530", "2025-01-31T15:00:00Z"),
            ("2024-02-29T23:59:59+01", "2024-02-29T22:59:59Z"),
            (" 1969-12-31T23:59:59Z ", "1969-12-31T23:59:59Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ] {
            assert_eq!(p.parse(input), Ok(chrono_ms(rfc)), "{input}");
        }
    }

    #[test]
    fn impossible_dates_and_times_are_rejected() {
        let p = auto("2025-01-01");
        for bad in [
            "2026-02-30",
            "2025-13-01",
            "2025-00-10",
            "2023-02-29",
            "2025-01-01T24:00:00",
            "2025-01-01T10:60",
        ] {
            assert!(p.parse(bad).is_err(), "{bad}");
        }
        assert!(p.parse("2024-02-29").is_ok());
        assert!(p.parse("01/02/2025").unwrap_err().contains("ISO 8601"));
        assert!(p.parse("2025-01-01X10:00").is_err());
        assert!(p.parse("").is_err());
    }

    #[test]
    fn epoch_detection_by_digit_count() {
        assert_eq!(auto("1735689600").parse("1735689600"), Ok(1_735_689_600_000));
        assert_eq!(auto("1735689600000").parse("1735689600123"), Ok(1_735_689_600_123));
        // Once detected as epoch, ISO strings in the same column are an error.
        assert!(auto("1735689600").parse("2025-01-01").unwrap_err().contains("epoch seconds"));
        assert!(auto("1").parse("99999999999999999").is_err());
    }

    #[test]
    fn timezone_applies_only_without_offset() {
        let paris: Zone = "Europe/Paris".parse().unwrap();
        let p = TimeParser::new(&TimeFormat::Auto, paris, Some("2025-01-01"));
        assert_eq!(p.parse("2025-07-01 12:00:00"), Ok(chrono_ms("2025-07-01T10:00:00Z")));
        assert_eq!(p.parse("2025-01-01 12:00:00"), Ok(chrono_ms("2025-01-01T11:00:00Z")));
        assert_eq!(p.parse("2025-07-01T12:00:00Z"), Ok(chrono_ms("2025-07-01T12:00:00Z")));
        // 02:30 does not exist in Paris on 2025-03-30.
        assert!(p.parse("2025-03-30 02:30:00").is_err());
        let fixed: Zone = "+05:30".parse().unwrap();
        let p = TimeParser::new(&TimeFormat::Auto, fixed, Some("2025-01-01"));
        assert_eq!(p.parse("2025-01-01 05:30:00"), Ok(chrono_ms("2025-01-01T00:00:00Z")));
        assert!("Mars/Base".parse::<Zone>().is_err());
    }

    #[test]
    fn strftime_patterns() {
        let f = TimeFormat::Pattern("%d/%m/%Y %H:%M".into());
        let p = TimeParser::new(&f, Zone::Utc, None);
        assert_eq!(p.parse("31/01/2025 09:30"), Ok(chrono_ms("2025-01-31T09:30:00Z")));
        assert!(p.parse("2025-01-31").unwrap_err().contains("%d/%m/%Y"));
        let p = TimeParser::new(&TimeFormat::Pattern("%d.%m.%Y".into()), Zone::Utc, None);
        assert_eq!(p.parse("31.01.2025"), Ok(chrono_ms("2025-01-31T00:00:00Z")));
    }

    #[test]
    fn format_round_trips() {
        assert_eq!(format_ms(chrono_ms("2025-01-31T09:30:00Z")), "2025-01-31T09:30:00Z");
        assert_eq!(format_ms(chrono_ms("2025-01-31T09:30:00.5Z")), "2025-01-31T09:30:00.500Z");
    }

    #[test]
    fn time_format_keywords_and_patterns() {
        assert_eq!("epoch-s".parse::<TimeFormat>(), Ok(TimeFormat::EpochSeconds));
        assert_eq!(
            "%d/%m/%Y %H:%M".parse::<TimeFormat>(),
            Ok(TimeFormat::Pattern("%d/%m/%Y %H:%M".into()))
        );
        // A typo of a keyword is not a pattern: it has no directive.
        let e = "epoch-sec".parse::<TimeFormat>().unwrap_err();
        assert!(
            e.contains("`epoch-sec` is neither") && e.contains("`auto`, `epoch-s`, `epoch-ms`"),
            "{e}"
        );
        assert!("100%%".parse::<TimeFormat>().is_err(), "a literal percent is no directive");
        let e = "%Y-%m-%Q".parse::<TimeFormat>().unwrap_err();
        assert!(e.contains("not a valid strftime pattern"), "{e}");
        assert!("%Y-%".parse::<TimeFormat>().is_err());
    }

    #[test]
    fn rfc3339_text_agrees_with_chrono_over_the_accepted_range() {
        let chrono_text = |ms: i64| {
            let t = DateTime::from_timestamp_millis(ms).unwrap();
            if ms % 1000 == 0 {
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            }
        };
        let mut x: u64 = 7;
        let span = (MAX_MS - MIN_MS) as u64;
        let mut samples = vec![
            MIN_MS,
            MAX_MS,
            0,
            -1,
            1,
            951_782_400_000,
            4_107_542_399_999,
            -62_135_596_800_001 + 1,
        ];
        for _ in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            samples.push(MIN_MS + (x % span) as i64);
        }
        for ms in samples {
            assert_eq!(format_ms(ms), chrono_text(ms), "{ms}");
        }
        assert_eq!(format_ms(MAX_MS + 1), chrono_text(MAX_MS + 1));
    }
}
