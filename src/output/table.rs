//! The one shape of every tabular result: named, typed columns and rows of
//! cells, produced on demand so that millions of rows stream to the writer.
//!
//! Credits, per-conversion rows, removal effects, transitions, compare
//! diffs, path and journey rows all implement [`Table`]; each format is
//! written once, for any table ([`super::Exporter`]). A table says what its
//! cells are (text, figure, count, time...), never how a format shows them.

use std::borrow::Cow;

pub use crate::format::{count, fixed, push_fixed, thousands};
use std::fmt::Write as _;
use std::io;

/// What the cells of a column are, which decides how each format shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text from the data or a name (ids, channels, paths, models): left
    /// aligned; the only cells `--excel-safe` defuses.
    Text,
    /// A figure: 6 decimals in text formats, Float64 in Parquet.
    Number,
    /// A count that may be weighted: an integer when whole, else 6
    /// decimals; Float64 in Parquet.
    Count,
    /// A whole number: Int64 in Parquet.
    Integer,
    /// `true` or `false`: Boolean in Parquet.
    Bool,
    /// A point in time (epoch milliseconds): RFC 3339 UTC in text formats,
    /// `Datetime(ms, UTC)` in Parquet.
    Time,
    /// A figure already formatted for reading (the terminal grids, e.g.
    /// `31.67% (1)`): right-aligned text.
    Figure,
}

/// One column: its name (the CSV header, JSON key and Parquet column) and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Name.
    pub name: Cow<'static, str>,
    /// What its cells are.
    pub kind: Kind,
}

impl Column {
    /// A column named `name` of `kind`.
    pub fn new(name: impl Into<Cow<'static, str>>, kind: Kind) -> Self {
        Column { name: name.into(), kind }
    }
}

/// One cell. The column's [`Kind`] says how to show it; [`Cell::Null`] is
/// an absent value (empty in CSV, `null` in JSON and Parquet, `-` in a
/// terminal table).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text.
    Text(Cow<'a, str>),
    /// A number (for [`Kind::Number`] and [`Kind::Count`]).
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// A flag.
    Bool(bool),
    /// Epoch milliseconds.
    Time(i64),
    /// No value.
    Null,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl From<f64> for Cell<'_> {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<Option<f64>> for Cell<'_> {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Cell::Null, Cell::Number)
    }
}

impl Cell<'_> {
    /// Appends the cell's text as CSV and terminal tables show it
    /// (`missing` for [`Cell::Null`]).
    pub fn write_text(&self, kind: Kind, missing: &str, buf: &mut String) {
        match self {
            Cell::Text(t) => buf.push_str(t),
            Cell::Number(x) if kind == Kind::Count && x.fract() == 0.0 && x.abs() < 9.0e15 => {
                let _ = write!(buf, "{}", *x as i64);
            }
            Cell::Number(x) => push_fixed(buf, *x, 6),
            Cell::Integer(n) => {
                let _ = write!(buf, "{n}");
            }
            Cell::Bool(b) => buf.push_str(if *b { "true" } else { "false" }),
            Cell::Time(ms) => crate::input::time::push_rfc3339(buf, *ms),
            Cell::Null => buf.push_str(missing),
        }
    }
}

/// A table: columns, then rows produced on demand.
pub trait Table {
    /// The columns, in order.
    fn columns(&self) -> Vec<Column>;
    /// Calls `row` with every row's cells (one per column), in order; stops
    /// at the first error.
    fn for_each_row(&self, row: &mut dyn FnMut(&[Cell<'_>]) -> io::Result<()>) -> io::Result<()>;
    /// Leading columns that name a row (a grid's channel): when a terminal
    /// is too narrow for the whole table, the other columns are split into
    /// blocks and these repeat in each. 0: never split.
    fn key_columns(&self) -> usize {
        0
    }
}

/// A table held in memory, for the exporters' tests.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub struct Owned {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell<'static>>>,
    /// See [`Table::key_columns`].
    pub key_columns: usize,
}

#[cfg(test)]
impl Table for Owned {
    fn columns(&self) -> Vec<Column> {
        self.columns.clone()
    }

    fn for_each_row(&self, row: &mut dyn FnMut(&[Cell<'_>]) -> io::Result<()>) -> io::Result<()> {
        self.rows.iter().try_for_each(|r| row(r))
    }

    fn key_columns(&self) -> usize {
        self.key_columns
    }
}

/// A table of every kind of cell, for the exporters' tests: text that
/// needs quoting and one that looks like a formula, whole and fractional
/// counts, a non-finite number, missing values.
#[cfg(test)]
pub(crate) fn sample() -> Owned {
    let columns = [
        ("path", Kind::Text),
        ("journey", Kind::Integer),
        ("n", Kind::Count),
        ("value", Kind::Number),
        ("converted", Kind::Bool),
        ("converted_at", Kind::Time),
    ];
    Owned {
        columns: columns.iter().map(|&(n, k)| Column::new(n, k)).collect(),
        rows: vec![
            vec![
                "Email > Direct, \"Brand\"".into(),
                Cell::Integer(1),
                Cell::Number(2.0),
                Cell::Number(30.5),
                Cell::Bool(true),
                Cell::Time(86_400_000),
            ],
            vec![
                "=cmd".into(),
                Cell::Integer(2),
                Cell::Number(0.25),
                Cell::Number(f64::NAN),
                Cell::Bool(false),
                Cell::Null,
            ],
        ],
        key_columns: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_text_follow_their_kind() {
        let text = |c: Cell<'_>, k: Kind| {
            let mut s = String::new();
            c.write_text(k, "-", &mut s);
            s
        };
        assert_eq!(text(Cell::Number(2.0), Kind::Count), "2");
        assert_eq!(text(Cell::Number(0.25), Kind::Count), "0.250000");
        assert_eq!(text(Cell::Number(2.0), Kind::Number), "2.000000");
        assert_eq!(text(Cell::Integer(-3), Kind::Integer), "-3");
        assert_eq!(text(Cell::Bool(false), Kind::Bool), "false");
        assert_eq!(text(Cell::Time(86_400_001), Kind::Time), "1970-01-02T00:00:00.001Z");
        assert_eq!(text(Cell::Null, Kind::Number), "-");
        assert_eq!(text("a,b".into(), Kind::Text), "a,b");
    }
}
