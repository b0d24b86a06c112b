//! `--by`: results split by dimensions of the conversions, the conversion
//! type and the period of the conversion time. Each conversion type's
//! journeys are built from all touches, closed only by that type's
//! conversions ([`super::build_segment`]); periods do not change journeys,
//! they only say where each converting journey's credit goes. A segment is
//! the combination of one value per dimension, so dimensions compose.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::input::{Conversions, Events};

/// A dimension results can be split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Dimension {
    /// The conversion's type (`--type-col`, `--conversion-events`): each type's conversions close only that type's journeys.
    ConversionType,
    /// The conversion's day (in `--timezone`), labelled `2026-01-05`.
    Day,
    /// The conversion's ISO week (Monday to Sunday, in `--timezone`), labelled by its Monday, `2026-01-05`.
    Week,
    /// The conversion's calendar month (in `--timezone`), labelled `2026-01`.
    Month,
}

impl Dimension {
    /// Every dimension (what a results file may carry as leading columns).
    pub const ALL: [Dimension; 4] = [Dimension::ConversionType, Dimension::Day, Dimension::Week, Dimension::Month];

    /// The column (CSV, Parquet) and key (JSON) that holds its value.
    pub fn column(self) -> &'static str {
        match self {
            Dimension::ConversionType => "conversion_type",
            Dimension::Day | Dimension::Week | Dimension::Month => "period",
        }
    }

    /// Whether this is a period of the conversion time (one at most per run).
    pub fn is_period(self) -> bool {
        matches!(self, Dimension::Day | Dimension::Week | Dimension::Month)
    }

    /// The first day of the period holding `date` (a local date), so that
    /// periods sort as their starts do; the dimension's own date for
    /// [`Dimension::ConversionType`], which has no period.
    pub fn period_start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Dimension::Week => date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday())),
            Dimension::Month => date.with_day(1).expect("every month has a first day"),
            Dimension::Day | Dimension::ConversionType => date,
        }
    }

    /// The label of the period starting on `start`: `2026-01` for a month,
    /// the day itself (a week's Monday) otherwise.
    pub fn period_label(self, start: NaiveDate) -> String {
        match self {
            Dimension::Month => format!("{:04}-{:02}", start.year(), start.month()),
            _ => format!("{:04}-{:02}-{:02}", start.year(), start.month(), start.day()),
        }
    }

    /// Each conversion's value: names, and per conversion (parallel to
    /// inline rows or separate conversions) a code into them; an error says
    /// what the input lacks.
    fn values(self, events: &Events) -> Result<(Vec<String>, Vec<u32>), String> {
        match self {
            Dimension::Day | Dimension::Week | Dimension::Month => unreachable!("periods are split after journeys are built"),
            Dimension::ConversionType => {
                let types = events.types.as_ref().ok_or_else(|| {
                    "`--by conversion-type` needs conversions with a type: a `conversion_type` column (`--type-col`) or conversion events (`--event-col`, `--conversion-events`)".to_string()
                })?;
                Ok((types.names.iter().map(str::to_string).collect(), types.code.clone()))
            }
        }
    }
}

/// One segment: a value for each dimension of `--by`, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Segment(pub Vec<(Dimension, String)>);

impl Segment {
    /// For headings: `conversion_type: purchase`.
    pub fn label(&self) -> String {
        self.0
            .iter()
            .map(|(d, v)| format!("{}: {v}", d.column()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether there is no `--by`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// As JSON keys (`"conversion_type": "purchase"`), flattened into the entry.
impl Serialize for Segment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (d, v) in &self.0 {
            map.serialize_entry(d.column(), v)?;
        }
        map.end()
    }
}

/// The segments of an input, and the segment of each conversion.
#[derive(Debug, Clone, Default)]
pub struct Segments {
    /// Every combination that has a conversion, sorted by its values.
    pub list: Vec<Segment>,
    /// Per conversion (parallel to inline rows or separate conversions):
    /// its index in `list`. Non-converting inline rows get some index; it
    /// is never read.
    pub of: Vec<u32>,
}

/// Splits the conversions of `events` by `dims` (no period among them).
pub fn split(events: &Events, dims: &[Dimension]) -> Result<Segments, String> {
    let values: Vec<(Vec<String>, Vec<u32>)> = dims.iter().map(|d| d.values(events)).collect::<Result<_, _>>()?;
    let (converts, n): (Box<dyn Fn(usize) -> bool>, usize) = match &events.conversions {
        Conversions::Inline { flag, .. } => (Box::new(|i| flag[i]), flag.len()),
        Conversions::Separate { time, .. } => (Box::new(|_| true), time.len()),
        Conversions::None => (Box::new(|_| false), 0),
    };
    let mut index: hashbrown::HashMap<Vec<u32>, u32> = hashbrown::HashMap::new();
    let mut keys: Vec<Vec<u32>> = Vec::new();
    let mut of = vec![0u32; n];
    let mut key = Vec::with_capacity(dims.len());
    for (i, slot) in of.iter_mut().enumerate().filter(|(i, _)| converts(*i)) {
        key.clear();
        key.extend(values.iter().map(|(_, code)| code[i]));
        *slot = *index.entry(key.clone()).or_insert_with(|| {
            keys.push(key.clone());
            keys.len() as u32 - 1
        });
    }
    // Sorted by the values' names, so that output order does not depend on row order.
    let named = |k: &Vec<u32>| -> Segment {
        Segment(
            dims.iter()
                .zip(k)
                .zip(&values)
                .map(|((&d, &c), (names, _))| (d, names[c as usize].clone()))
                .collect(),
        )
    };
    let mut order: Vec<(Segment, u32)> = keys.iter().enumerate().map(|(i, k)| (named(k), i as u32)).collect();
    order.sort();
    let mut rank = vec![0u32; order.len()];
    for (r, (_, i)) in order.iter().enumerate() {
        rank[*i as usize] = r as u32;
    }
    for (i, s) in of.iter_mut().enumerate() {
        if converts(i) {
            *s = rank[*s as usize];
        }
    }
    Ok(Segments {
        list: order.into_iter().map(|(s, _)| s).collect(),
        of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_on_the_first_day_and_iso_weeks_on_monday() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // 2026-01-01 is a Thursday: its ISO week (2026-W01) starts on Monday 2025-12-29.
        assert_eq!(Dimension::Week.period_start(d(2026, 1, 1)), d(2025, 12, 29));
        assert_eq!(Dimension::Week.period_start(d(2026, 1, 4)), d(2025, 12, 29));
        assert_eq!(Dimension::Week.period_start(d(2026, 1, 5)), d(2026, 1, 5));
        assert_eq!(Dimension::Month.period_start(d(2024, 2, 29)), d(2024, 2, 1));
        assert_eq!(Dimension::Day.period_start(d(2026, 3, 29)), d(2026, 3, 29));
        assert_eq!(Dimension::Week.period_label(d(2026, 1, 5)), "2026-01-05");
        assert_eq!(Dimension::Month.period_label(d(2026, 1, 1)), "2026-01");
        assert_eq!(Dimension::Day.period_label(d(2026, 1, 5)), "2026-01-05");
    }

    #[test]
    fn results_files_know_every_dimension_column() {
        let mut columns: Vec<&str> = Dimension::ALL.iter().map(|d| d.column()).collect();
        columns.dedup();
        assert_eq!(columns, crate::input::results::SEGMENT_COLUMNS);
    }

    #[test]
    fn segments_are_sorted_by_value_whatever_the_row_order() {
        let mut ev = Events::default();
        let mut types = crate::input::ConversionTypes::default();
        for t in ["lead", "purchase", "", "lead"] {
            types.code.push(types.names.intern(t));
        }
        ev.conversions = Conversions::Inline {
            flag: vec![true, true, false, true],
            value: vec![0.0; 4],
        };
        ev.types = Some(types);
        let s = split(&ev, &[Dimension::ConversionType]).unwrap();
        let labels: Vec<String> = s.list.iter().map(Segment::label).collect();
        // The non-converting row's empty type makes no segment.
        assert_eq!(labels, ["conversion_type: lead", "conversion_type: purchase"]);
        assert_eq!((s.of[0], s.of[1], s.of[3]), (0, 1, 0));
        ev.types = None;
        assert!(
            split(&ev, &[Dimension::ConversionType])
                .unwrap_err()
                .contains("needs conversions with a type")
        );
    }
}
