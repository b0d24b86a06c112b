//! Lift tests (`--lift`): what a channel caused over a period, measured by
//! an experiment (a geo holdout, a conversion-lift study), for calibrating
//! the models' credit.

use crate::error::Result;
use crate::input::schema::ColumnRequest;
use crate::input::{Dialect, OnError, Reason, Source, TimeFormat, Zone};
use crate::intern::Interner;

/// One test.
#[derive(Debug, Clone, PartialEq)]
pub struct LiftTest {
    /// The channel tested, as written.
    pub channel: String,
    /// The test's start, epoch ms (its date's midnight in `--timezone`).
    pub start_ms: i64,
    /// Its end, exclusive.
    pub end_ms: i64,
    /// Conversions the channel caused in the test.
    pub incremental_conversions: f64,
    /// The test's interval of them, when given.
    pub interval: Option<(f64, f64)>,
    /// Revenue it caused, when given.
    pub incremental_value: Option<f64>,
}

/// Lift tests read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    /// The file's name.
    pub file: String,
    /// The tests, in file order.
    pub tests: Vec<LiftTest>,
}

/// Reads `channel,start,end,incremental_conversions[,lo,hi][,incremental_value]`
/// (dates or timestamps in `zone`, `end` exclusive; an empty optional cell
/// is no such figure). A start not before its end, `lo` without `hi`, or a
/// `lo`/`hi` not around the estimate is an error naming the line.
pub fn load(source: &Source, dialect: &Dialect, zone: Zone) -> Result<Lift> {
    let advice = "a lift file holds `channel,start,end,incremental_conversions[,lo,hi][,incremental_value]`";
    let optional = |name| ColumnRequest {
        required: false,
        ..ColumnRequest::described(name, advice)
    };
    let requests = [
        ColumnRequest::described("channel", advice),
        ColumnRequest::described("start", advice),
        ColumnRequest::described("end", advice),
        ColumnRequest::described("incremental_conversions", advice),
        optional("lo"),
        optional("hi"),
        optional("incremental_value"),
    ];
    let ask = crate::input::format::Ask {
        dialect: &Dialect {
            delimiter: None,
            ..*dialect
        },
        columns: &requests,
        what: "lift test",
        on_error: OnError::Stop,
    };
    let table = crate::input::format::read_table(source, ask)?;
    let (mut names, mut codes) = (Interner::new(), Vec::new());
    table.intern(0, &mut names, Some(("a channel name", Reason::InvalidChannel)), &mut codes)?;
    let (mut start, mut end, mut inc) = (Vec::new(), Vec::new(), Vec::new());
    table.times(1, &TimeFormat::Auto, zone, "--lift", &mut start)?;
    table.times(2, &TimeFormat::Auto, zone, "--lift", &mut end)?;
    table.numbers(3, "the conversions the channel caused in the test (a number)", &mut inc)?;
    // Optional columns, and within them empty cells: no such figure for that test.
    let column = |c: usize, what: &str| -> Result<Vec<Option<f64>>> {
        let mut v = Vec::new();
        match table.columns[c] {
            Some(_) => table.numbers_or_empty(c, what, &mut v)?,
            None => v.resize(table.height, None),
        }
        Ok(v)
    };
    let lo = column(4, "the lower end of the test's interval (a number)")?;
    let hi = column(5, "the upper end of the test's interval (a number)")?;
    let value = column(6, "the revenue the channel caused in the test (a number)")?;
    let mut tests = Vec::with_capacity(codes.len());
    for (row, &c) in codes.iter().enumerate() {
        if start[row] >= end[row] {
            return Err(table.cell_error(
                2,
                row,
                &crate::input::time::format_ms(end[row]),
                "an end after the start (the end is exclusive)",
            ));
        }
        let interval = match (lo[row], hi[row]) {
            (Some(l), Some(h)) => Some((l, h)),
            (None, None) => None,
            (l, _) => {
                let (col, found) = if l.is_some() { (5, "") } else { (4, "") };
                return Err(table.cell_error(col, row, found, "both ends of the test's interval (`lo` and `hi`), or neither"));
            }
        };
        if let Some((l, h)) = interval
            && !(l <= inc[row] && inc[row] <= h)
        {
            return Err(table.cell_error(3, row, &inc[row].to_string(), format!("an estimate within its interval [{l}, {h}]")));
        }
        tests.push(LiftTest {
            channel: names.name(c).trim().to_string(),
            start_ms: start[row],
            end_ms: end[row],
            incremental_conversions: inc[row],
            interval,
            incremental_value: value[row],
        });
    }
    Ok(Lift {
        file: table.name.clone(),
        tests,
    })
}
