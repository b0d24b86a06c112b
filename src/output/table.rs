//! The one shape of every tabular result: named, typed columns and rows of
//! cells, produced on demand so that millions of rows stream to the writer.
//!
//! Credits, per-conversion rows, removal effects, transitions, compare
//! diffs, path and journey rows all implement [`Table`]; each format is
//! written once, for any table ([`super::Exporter`]). A table says what its
//! cells are (text, figure, count, time...), never how a format shows them.

use std::borrow::Cow;
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

/// Appends `x` with `places` decimals; never `-0.000`.
pub fn push_fixed(buf: &mut String, x: f64, places: usize) {
    let start = buf.len();
    let _ = write!(buf, "{x:.places$}");
    if buf[start..].starts_with('-') && buf[start + 1..].bytes().all(|b| b == b'0' || b == b'.') {
        buf.remove(start);
    }
}

/// Fixed-point text with `places` decimals; never prints `-0.000`.
pub fn fixed(x: f64, places: usize) -> String {
    let mut s = String::new();
    push_fixed(&mut s, x, places);
    s
}

/// `1234567.891` with 2 places -> `1,234,567.89`: figures for people
/// (the stderr summary, the HTML report).
pub fn thousands(x: f64, places: usize) -> String {
    let s = fixed(x, places);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A count for people: no decimals when whole, else 2, with separators.
pub fn count(x: f64) -> String {
    thousands(x, if x.fract() == 0.0 { 0 } else { 2 })
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
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(-0.0000001, 6), "0.000000");
        assert_eq!(fixed(-1.5, 2), "-1.50");
        assert_eq!(fixed(2.0 / 3.0, 6), "0.666667");
        assert_eq!(fixed(-0.0, 0), "0");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(count(88387.0), "88,387");
        assert_eq!(count(2.5), "2.50");
    }

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
