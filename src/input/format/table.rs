//! A file read into the requested columns, and typed access to them.
//!
//! CSV columns arrive as text and Parquet columns typed; both go through the
//! same converters here, which turn cells into mta's plain arrays (interned
//! codes, epoch milliseconds, flags, amounts) and turn any bad cell into an
//! error naming file, line or row, and column.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rayon::prelude::*;

use super::time::{TimeFormat, TimeParser, Zone};
use crate::error::{Error, Location, Result, display_value};
use crate::input::rejects::{Reason, Rejection};
use crate::intern::Interner;

/// How a timestamp column is read: its format (chosen by `flag`, named
/// in messages), the zone of times without an offset, and, for conversion
/// times, the counter of dates without a time of day (read as the end of
/// their day; `None`: midnight, uncounted).
#[derive(Clone, Copy)]
pub struct TimeColumn<'a> {
    /// `--time-format` (or the costs' date format).
    pub format: &'a TimeFormat,
    /// `--timezone`.
    pub zone: Zone,
    /// The flag that chooses the format.
    pub flag: &'static str,
    /// Conversion times: counts the dates without a time of day.
    pub dates: Option<&'a AtomicU64>,
}

/// One resolved column: its name as the file writes it and its data.
pub struct TableColumn {
    /// Header name as written in the file.
    pub header: String,
    /// The cells.
    pub data: Column,
    /// Its datetimes without a zone are UTC instants all the same (Parquet
    /// INT96, Spark's default), not wall-clock times in `--timezone`.
    pub utc: bool,
    /// A plain CSV chunk's cells as ranges of the table's text (then `data`
    /// is an empty text column, for its type only).
    pub(crate) cells: Option<Cells>,
}

impl TableColumn {
    /// A column of a plain CSV chunk (see [`super::plain`]).
    pub(crate) fn text(header: &str, cells: Cells) -> Self {
        TableColumn {
            header: header.to_string(),
            data: Column::new_empty(header.into(), &DataType::String),
            utc: false,
            cells: Some(cells),
        }
    }
}

/// The cells of a column of a plain CSV chunk: byte ranges of the table's
/// text (an empty range is a missing value, as polars reads it), in the
/// pieces the chunk was split in (joining them was a serial copy as large
/// as the text).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cells {
    /// Per piece, per row: start and end of the cell in the text.
    pub pieces: Vec<Vec<(u32, u32)>>,
    /// The first row of each piece.
    pub firsts: Vec<usize>,
    /// Empty cells.
    pub nulls: usize,
}

impl Cells {
    /// Appends a piece of `spans` with `nulls` empty ones.
    pub fn push(&mut self, spans: Vec<(u32, u32)>, nulls: usize) {
        self.firsts.push(self.len());
        self.pieces.push(spans);
        self.nulls += nulls;
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.firsts.last().map_or(0, |f| f + self.pieces.last().map_or(0, Vec::len))
    }

    /// The span of row `row`.
    fn get(&self, row: usize) -> (u32, u32) {
        let p = self.firsts.partition_point(|&f| f <= row) - 1;
        self.pieces[p][row - self.firsts[p]]
    }

    /// Every span, in row order.
    fn iter(&self) -> impl Iterator<Item = &(u32, u32)> + '_ {
        self.pieces.iter().flatten()
    }
}

/// The text of a span (`None` when empty: a missing value).
fn cell_of(text: &str, (a, b): (u32, u32)) -> Option<&str> {
    (a != b).then(|| &text[a as usize..b as usize])
}

/// A text column, whichever reader filled it.
#[derive(Clone, Copy)]
enum Text<'a> {
    /// Read by polars.
    Polars(&'a StringChunked),
    /// Ranges of a plain chunk's text.
    Spans(&'a str, &'a Cells),
}

impl<'a> Text<'a> {
    fn null_count(self) -> usize {
        match self {
            Text::Polars(ca) => ca.null_count(),
            Text::Spans(_, c) => c.nulls,
        }
    }

    /// Every cell in row order (`None`: missing).
    fn iter(self) -> Box<dyn Iterator<Item = Option<&'a str>> + 'a> {
        match self {
            Text::Polars(ca) => Box::new(ca.iter()),
            Text::Spans(text, c) => Box::new(c.iter().map(move |&span| cell_of(text, span))),
        }
    }
}

/// How to turn a row index back into something a user can find.
pub(crate) enum Locator {
    /// CSV: the bytes are re-scanned on error to find the physical line,
    /// which differs from the row when fields hold newlines. Files are read
    /// again then; only stdin's bytes are kept (`Ok`).
    Csv {
        kept: std::result::Result<Vec<u8>, (crate::input::Source, crate::input::Encoding)>,
        delimiter: u8,
        /// `--on-error skip`: byte offset (after any BOM) where each row of
        /// the table starts, since malformed rows were taken out before
        /// parsing and rows no longer follow records one to one.
        starts: Option<Vec<usize>>,
    },
    /// Parquet: rows are counted from 1.
    Rows,
}

/// Lines and data rows of a file before a chunk of it: a chunk is parsed
/// as a file of its own (header, then its records), and its line and row
/// numbers are shifted by these to be the file's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Offset {
    /// Physical lines between the header and the chunk's first record.
    pub lines: u64,
    /// Data records before the chunk's first.
    pub rows: u64,
}

impl Offset {
    /// `location` in the chunk as a location in the file.
    pub fn shift(self, location: Location) -> Location {
        match location {
            // Line 1 is the header in the chunk and in the file.
            Location::Line(n) if n > 1 => Location::Line(n + self.lines),
            Location::Row(n) => Location::Row(n + self.rows),
            other => other,
        }
    }

    /// `r`, a rejection of the chunk, as one of the file.
    pub fn shift_rejection(self, mut r: Rejection) -> Rejection {
        r.row += self.rows;
        r.line = r.line.map(|l| if l > 1 { l + self.lines } else { l });
        r
    }
}

/// `e`, an error in a chunk of a file, with its line or row in the file.
pub(crate) fn shift_error(e: Error, offset: Offset) -> Error {
    match e {
        Error::Cell {
            path,
            location,
            column,
            found,
            expected,
        } => Error::Cell {
            path,
            location: offset.shift(location),
            column,
            found,
            expected,
        },
        Error::Malformed { path, location, detail } => Error::Malformed {
            path,
            location: offset.shift(location),
            detail,
        },
        other => other,
    }
}

/// The requested columns of one input file.
pub struct Table {
    /// File name for messages.
    pub name: String,
    /// Every column name of the file, in order (for messages).
    pub header: Vec<String>,
    /// One entry per request, `None` for an absent optional column.
    pub columns: Vec<Option<TableColumn>>,
    /// Number of data rows.
    pub height: usize,
    pub(crate) locator: Locator,
    /// Where the table starts in its file, when it is one chunk of a file
    /// read in pieces: lines and data rows before it (0 for a whole file).
    pub(crate) offset: Offset,
    /// `--on-error skip`: the bad cells found so far (converters run in
    /// parallel, hence the lock); `None` when the first bad cell is an error.
    pub(crate) skipped: Option<Mutex<Vec<CellReject>>>,
    /// Rows without a customer id (visitors not yet identified): left out
    /// of every column and counted, whatever `--on-error` says.
    pub(crate) anonymous: Mutex<Vec<usize>>,
    /// Rows a reader leaves out on request, counted by it
    /// (`--account-missing drop`): dropped like the anonymous ones.
    pub(crate) left_out: Mutex<Vec<usize>>,
    /// Rows the reader itself took out (malformed CSV records), in file order.
    pub(crate) malformed: Vec<Rejection>,
    /// A plain CSV chunk's text, which its columns' [`Cells`] point into
    /// (and which locates rows on error).
    pub(crate) text: Option<String>,
    /// `--decimal-comma`: amounts in text are written `1.234,50`.
    pub(crate) decimal_comma: bool,
    /// The currency of the file's amounts so far (its code and the value
    /// it was first seen in): a reader carries it from chunk to chunk, so
    /// that a file mixing currencies is an error at the first other one.
    pub(crate) currency: Mutex<Option<(String, String)>>,
    /// An amount of this chunk had a currency (so `check_currency` looks).
    pub(crate) saw_currency: std::sync::atomic::AtomicBool,
}

/// A bad cell met while skipping.
#[derive(Debug)]
pub(crate) struct CellReject {
    row: usize,
    col: usize,
    reason: Reason,
    found: String,
    expected: String,
}

impl Table {
    /// The line (CSV) or row (Parquet) of data row `row` (0-based).
    pub fn location(&self, row: usize) -> Location {
        self.offset.shift(self.chunk_location(row))
    }

    /// Keeps `bytes`, the CSV text the table was parsed from (handed over
    /// with [`super::csv::Origin::Handed`]), to locate rows on error.
    pub(crate) fn keep(&mut self, mut bytes: Vec<u8>) {
        if let Locator::Csv { kept, .. } = &mut self.locator {
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                bytes.drain(..3);
            }
            *kept = Ok(bytes);
        }
    }

    /// [`Self::location`] within the table's own bytes.
    fn chunk_location(&self, row: usize) -> Location {
        match &self.locator {
            Locator::Rows => Location::Row(row as u64 + 1),
            Locator::Csv { delimiter, starts, .. } => self
                .with_bytes(|bytes| match starts {
                    Some(starts) => Location::Line(line_at(bytes, 0, 1, starts[row])),
                    None => super::csv::line_of_row(bytes, *delimiter, row),
                })
                // The file vanished since: the row number is the best left.
                .unwrap_or(Location::Row(row as u64 + 1)),
        }
    }

    /// Calls `f` with a CSV table's bytes (after any BOM), read again for files.
    fn with_bytes<T>(&self, f: impl FnOnce(&[u8]) -> T) -> Option<T> {
        if let Some(text) = &self.text {
            return Some(f(text.as_bytes()));
        }
        match &self.locator {
            Locator::Rows => None,
            Locator::Csv { kept: Ok(bytes), .. } => Some(f(bytes)),
            Locator::Csv {
                kept: Err((source, encoding)),
                ..
            } => {
                let bytes = source
                    .read()
                    .and_then(|b| super::encoding::decode(&source.name(), b, *encoding))
                    .ok()?;
                Some(f(super::csv::strip_bom(&bytes)))
            }
        }
    }

    /// A bad cell: the error when stopping at the first one; when skipping,
    /// it is recorded (its row dropped later) and the caller goes on with a
    /// placeholder value. Public for callers that validate cells themselves.
    pub fn reject(&self, col: usize, row: usize, found: &str, expected: impl Into<String>, reason: Reason) -> Result<()> {
        match &self.skipped {
            None => Err(self.cell_error(col, row, found, expected)),
            Some(list) => {
                let reject = CellReject {
                    row,
                    col,
                    reason,
                    found: found.to_string(),
                    expected: expected.into(),
                };
                list.lock().unwrap_or_else(|e| e.into_inner()).push(reject);
                Ok(())
            }
        }
    }

    /// Rows (0-based, sorted) with at least one bad cell or without a
    /// customer id, to drop from every column converted from this table.
    pub fn dropped_rows(&self) -> Vec<usize> {
        let mut rows = self.anonymous.lock().unwrap_or_else(|e| e.into_inner()).clone();
        rows.extend(self.left_out.lock().unwrap_or_else(|e| e.into_inner()).iter());
        if let Some(list) = &self.skipped {
            rows.extend(list.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|c| c.row));
        }
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Rows (0-based, sorted) left out for want of a customer id and for
    /// nothing else (a row that is also bad counts as skipped).
    pub fn anonymous_rows(&self) -> Vec<usize> {
        let mut rows = self.anonymous.lock().unwrap_or_else(|e| e.into_inner()).clone();
        rows.sort_unstable();
        if let Some(list) = &self.skipped {
            let bad: std::collections::HashSet<usize> = list.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|c| c.row).collect();
            rows.retain(|r| !bad.contains(r));
        }
        rows
    }

    /// Every row skipped from this table, in file order: malformed records
    /// and rows with a bad cell (the first bad cell in column order names
    /// the reason).
    pub fn rejections(&self) -> Vec<Rejection> {
        let mut cells = match &self.skipped {
            Some(list) => std::mem::take(&mut *list.lock().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        };
        if cells.is_empty() {
            // No need to look at the bytes again (a gzip file would be inflated anew).
            return self.malformed.iter().map(|r| self.offset.shift_rejection(r.clone())).collect();
        }
        cells.sort_by_key(|c| (c.row, c.col));
        cells.dedup_by_key(|c| c.row);
        // Data row numbers count the malformed records too.
        let malformed_rows: Vec<u64> = self.malformed.iter().map(|r| r.row).collect();
        let ordinal = |row: usize| {
            let mut n = row as u64 + 1;
            let mut k = 0;
            while k < malformed_rows.len() && malformed_rows[k] <= n {
                k += 1;
                n = row as u64 + 1 + k as u64;
            }
            n
        };
        let texts: Vec<(Option<u64>, String)> = match &self.locator {
            // Skipping CSV: where each row starts is known.
            Locator::Csv {
                delimiter,
                starts: Some(starts),
                ..
            } => self.with_bytes(|bytes| {
                let (mut at, mut line) = (0usize, 1u64);
                cells
                    .iter()
                    .map(|c| {
                        line = line_at(bytes, at, line, starts[c.row]);
                        at = starts[c.row];
                        (Some(line), super::csv::record_text(bytes, *delimiter, at))
                    })
                    .collect()
            }),
            // Parquet has rows, not lines (and a stopping read records no cells).
            _ => None,
        }
        .unwrap_or_else(|| cells.iter().map(|_| (None, String::new())).collect());
        let mut out: Vec<Rejection> = cells
            .into_iter()
            .zip(texts)
            .map(|(c, (line, record))| Rejection {
                file: self.name.clone(),
                line,
                row: ordinal(c.row),
                reason: c.reason,
                column: self.column(c.col).header.clone(),
                value: c.found,
                detail: format!("expected {}", c.expected),
                record,
            })
            .collect();
        out.extend(self.malformed.iter().cloned());
        out.sort_by_key(|r| r.row);
        out.into_iter().map(|r| self.offset.shift_rejection(r)).collect()
    }

    /// The rows of `input_bytes` of text like this table's (a plain CSV
    /// chunk's), a little more than that.
    pub(crate) fn rows_in(&self, input_bytes: u64) -> Option<usize> {
        let len = self.text.as_ref()?.len().max(1) as f64;
        Some((self.height as f64 * input_bytes as f64 / len * 1.05) as usize)
    }

    /// The mean length of the first cells of text column `col` of a plain
    /// CSV chunk, rounded up.
    pub(crate) fn mean_cell_len(&self, col: usize) -> Option<usize> {
        let cells = self.column(col).cells.as_ref()?;
        let head: Vec<(u32, u32)> = cells.iter().take(1000).copied().collect();
        let total: usize = head.iter().map(|&(a, b)| (b - a) as usize).sum();
        Some(total / head.len().max(1) + 1)
    }

    /// Calls `f` with every cell of text column `col` (`None`: missing),
    /// as the converters read them.
    #[cfg(test)]
    pub(crate) fn for_each_cell(&self, col: usize, mut f: impl FnMut(Option<&str>)) -> Result<()> {
        let text = self.strs(col).ok_or_else(|| self.type_error(col, "text"))?;
        each_str(text, |_, cell| {
            f(cell);
            Ok(())
        })
    }

    /// Column `col` as text, if it is text.
    fn strs(&self, col: usize) -> Option<Text<'_>> {
        let c = self.column(col);
        match (&c.cells, &self.text) {
            (Some(cells), Some(text)) => Some(Text::Spans(text, cells)),
            _ => c.data.str().ok().map(Text::Polars),
        }
    }

    fn column(&self, i: usize) -> &TableColumn {
        self.columns[i].as_ref().expect("column was resolved as required")
    }

    pub(crate) fn cell_error(&self, col: usize, row: usize, found: &str, expected: impl Into<String>) -> Error {
        Error::Cell {
            path: self.name.clone(),
            location: self.location(row),
            column: self.column(col).header.clone(),
            found: display_value(found),
            expected: expected.into(),
        }
    }

    fn type_error(&self, col: usize, expected: &str) -> Error {
        let c = self.column(col);
        Error::ColumnType {
            path: self.name.clone(),
            column: c.header.clone(),
            found: c.data.dtype().to_string(),
            expected: expected.to_string(),
        }
    }

    /// Interns the trimmed text of column `col`. An empty cell is an error
    /// (`what` names what a cell should be, e.g. "a channel name") or, with
    /// `what` `None`, interned as the empty text.
    pub fn intern(&self, col: usize, interner: &mut Interner, what: Option<(&str, Reason)>, out: &mut Vec<u32>) -> Result<()> {
        let data = &self.column(col).data;
        out.reserve(self.height);
        let (what, reason) = what.unwrap_or(("", Reason::InvalidChannel));
        let empty_ok = what.is_empty();
        let expected = || format!("{what} (empty values are not allowed)");
        match data.dtype() {
            DataType::String if self.strs(col).is_some_and(|t| t.null_count() == 0) => {
                // Each piece interns locally; pieces are merged in row order,
                // so codes still follow first appearance.
                // A skipped row keeps the empty name as a placeholder; the
                // caller drops the row and unused names.
                let pieces = par_str(self.strs(col).expect("dtype checked"), |row, cell| {
                    let name = trim(cell);
                    if name.is_empty() && !empty_ok {
                        self.reject(col, row, cell, expected(), reason)?;
                    }
                    Ok(name)
                })?;
                let locals: Vec<(Interner, Vec<u32>)> = pieces
                    .into_par_iter()
                    .map(|names| {
                        let mut local = Interner::new();
                        let codes = names.iter().map(|n| local.intern(n)).collect();
                        (local, codes)
                    })
                    .collect();
                // Global codes in piece order (first appearance), written in parallel.
                let maps: Vec<Vec<u32>> = locals
                    .iter()
                    .map(|(local, _)| local.iter().map(|n| interner.intern(n)).collect())
                    .collect();
                let lens: Vec<usize> = locals.iter().map(|(_, codes)| codes.len()).collect();
                par_append(out, &lens, |p, slots| {
                    for (slot, &c) in slots.iter_mut().zip(&locals[p].1) {
                        slot.write(maps[p][c as usize]);
                    }
                    Ok(lens[p])
                })?;
            }
            DataType::String => {
                // Runs of the same name are common (a customer's rows, a
                // channel column with few values): skip the hash for repeats.
                let mut last: Option<(&str, u32)> = None;
                each_str(self.strs(col).expect("dtype checked"), |row, cell| {
                    let name = cell.map(str::trim).unwrap_or("");
                    if name.is_empty() && !empty_ok {
                        self.reject(col, row, cell.unwrap_or(""), expected(), reason)?;
                    }
                    let code = match last {
                        Some((prev, code)) if prev == name => code,
                        _ => interner.intern(name),
                    };
                    last = Some((name, code));
                    out.push(code);
                    Ok(())
                })?;
            }
            dt if dt.is_integer() => self.each_integer_text(col, &expected(), reason, |_, text| {
                out.push(interner.intern(text));
                Ok(())
            })?,
            _ => return Err(self.type_error(col, "text or integers")),
        }
        Ok(())
    }

    /// Calls `f(row, text)` with the decimal text of every cell of an
    /// integer column (ids stored as numbers in Parquet); nulls are errors.
    /// A null (when skipping) is passed on as empty text.
    fn each_integer_text(&self, col: usize, expected: &str, reason: Reason, mut f: impl FnMut(usize, &str) -> Result<()>) -> Result<()> {
        let data = &self.column(col).data;
        // To text directly: a UInt64 id above i64::MAX has no Int64.
        let cast = data.cast(&DataType::String).map_err(|_| self.type_error(col, "text or integers"))?;
        for (row, cell) in cast.str().expect("cast to String").iter().enumerate() {
            if cell.is_none() {
                self.reject(col, row, "", expected, reason)?;
            }
            f(row, cell.unwrap_or(""))?;
        }
        Ok(())
    }

    /// Appends the trimmed text of column `col` (customer ids) to `out`.
    /// An empty id is a visitor not yet identified: the row is left out
    /// ([`Self::anonymous_rows`]), as GA4 leaves out events without a user.
    pub fn ids(&self, col: usize, out: &mut crate::intern::customers::RowIds) -> Result<()> {
        let data = &self.column(col).data;
        let mut anonymous = Vec::new();
        match data.dtype() {
            DataType::String => {
                // Pieces in parallel, appended in row order.
                let pieces = par_fold_cells(
                    self.strs(col).expect("dtype checked"),
                    || (crate::intern::customers::RowIds::default(), Vec::new()),
                    |(ids, anonymous), row, cell| {
                        let id = cell.map(str::trim).unwrap_or("");
                        if id.is_empty() {
                            anonymous.push(row);
                        }
                        ids.push(id);
                        Ok(())
                    },
                )?;
                for (ids, rows) in pieces {
                    out.append(ids);
                    anonymous.extend(rows);
                }
            }
            dt if dt.is_integer() => {
                let cast = data.cast(&DataType::String).map_err(|_| self.type_error(col, "text or integers"))?;
                for (row, cell) in cast.str().expect("cast to String").iter().enumerate() {
                    if cell.is_none() {
                        anonymous.push(row);
                    }
                    out.push(cell.unwrap_or(""));
                }
            }
            _ => return Err(self.type_error(col, "text or integers")),
        }
        if !anonymous.is_empty() {
            self.anonymous.lock().unwrap_or_else(|e| e.into_inner()).extend(anonymous);
        }
        Ok(())
    }

    /// Timestamps of column `col` in UTC epoch milliseconds, their format
    /// chosen by `flag` (named in messages).
    pub fn times(&self, col: usize, format: &TimeFormat, zone: Zone, flag: &'static str, out: &mut Vec<i64>) -> Result<()> {
        let how = TimeColumn {
            format,
            zone,
            flag,
            dates: None,
        };
        self.times_after(col, how, &mut None, out)
    }

    /// [`Self::times`] for one chunk of a file: `first` is the column's
    /// first value in the file (set by the first chunk that has one), which
    /// `--time-format auto` reads the whole column by.
    pub fn times_after(&self, col: usize, how: TimeColumn<'_>, first: &mut Option<String>, out: &mut Vec<i64>) -> Result<()> {
        let TimeColumn { format, zone, flag, dates } = how;
        let data = &self.column(col).data;
        // Conversion times (`dates` given): a date without a time of day is
        // the end of that day, and counted.
        let dated = |parser: TimeParser| if dates.is_some() { parser.dates_at_end_of_day() } else { parser };
        let count = |date_only: bool| {
            if let (true, Some(n)) = (date_only, dates) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        };
        out.reserve(self.height);
        let empty = "a timestamp (empty values are not allowed)";
        match data.dtype() {
            DataType::String => {
                let ca = self.strs(col).expect("dtype checked");
                if first.is_none() {
                    *first = ca.iter().flatten().find(|s| !s.trim().is_empty()).map(str::to_string);
                }
                let parser = dated(TimeParser::new(format, zone, first.as_deref()).for_flag(flag));
                if ca.null_count() == 0 {
                    let parse = |row, raw: Option<&str>| {
                        let raw = raw.unwrap_or("");
                        match parser.parse_dated(raw) {
                            Ok((ms, date_only)) => {
                                count(date_only);
                                Ok(ms)
                            }
                            Err(exp) => self.reject(col, row, raw, exp, Reason::InvalidTimestamp).map(|()| 0),
                        }
                    };
                    return par_cells_into(ca, out, parse);
                }
                each_str(ca, |row, cell| {
                    let raw = cell.unwrap_or("");
                    let ms = if raw.trim().is_empty() {
                        self.reject(col, row, raw, empty, Reason::InvalidTimestamp).map(|()| 0)?
                    } else {
                        match parser.parse_dated(raw) {
                            Ok((ms, date_only)) => {
                                count(date_only);
                                ms
                            }
                            Err(exp) => self.reject(col, row, raw, exp, Reason::InvalidTimestamp).map(|()| 0)?,
                        }
                    };
                    out.push(ms);
                    Ok(())
                })?;
            }
            dt if dt.is_integer() => {
                let cast = data.cast(&DataType::Int64).map_err(|_| self.type_error(col, "timestamps"))?;
                let ca = cast.i64().expect("cast to Int64");
                if first.is_none() {
                    *first = ca.iter().flatten().next().map(|v| v.to_string());
                }
                let parser = match format {
                    TimeFormat::Pattern(_) => TimeParser::new(&TimeFormat::Auto, zone, first.as_deref()).for_flag(flag),
                    f => TimeParser::new(f, zone, first.as_deref()).for_flag(flag),
                };
                let mut buf = String::new();
                for (row, cell) in ca.iter().enumerate() {
                    let Some(v) = cell else {
                        self.reject(col, row, "", empty, Reason::InvalidTimestamp)?;
                        out.push(0);
                        continue;
                    };
                    buf.clear();
                    use std::fmt::Write;
                    write!(buf, "{v}").expect("writing to a String cannot fail");
                    let ms = match parser.parse(&buf) {
                        Ok(ms) => ms,
                        Err(exp) => self.reject(col, row, &buf, exp, Reason::InvalidTimestamp).map(|()| 0)?,
                    };
                    out.push(ms);
                }
            }
            DataType::Datetime(unit, tz) => {
                let per_ms: i64 = match unit {
                    TimeUnit::Nanoseconds => 1_000_000,
                    TimeUnit::Microseconds => 1_000,
                    TimeUnit::Milliseconds => 1,
                };
                // With a zone the values are instants; without one they are
                // wall-clock times, in `--timezone` like text without an offset.
                let local = tz.is_none() && !self.column(col).utc && zone != Zone::Utc;
                let phys = data.datetime().expect("dtype checked").physical();
                self.local_times(col, phys.iter().map(|c| c.map(|v| v.div_euclid(per_ms))), local, zone, out)?;
            }
            DataType::Date => {
                let phys = data.date().expect("dtype checked").physical();
                let end = if dates.is_some() { 86_400_000 - 1 } else { 0 };
                let days = phys.iter().map(|c| {
                    count(c.is_some());
                    c.map(|d| i64::from(d) * 86_400_000 + end)
                });
                self.local_times(col, days, zone != Zone::Utc, zone, out)?;
            }
            _ => return Err(self.type_error(col, "a timestamp: text, integer epoch, date or datetime")),
        }
        Ok(())
    }

    /// Appends epoch-ms `cells` (a null is a bad cell), interpreted in
    /// `zone` when `local` (wall-clock times).
    fn local_times(&self, col: usize, cells: impl Iterator<Item = Option<i64>>, local: bool, zone: Zone, out: &mut Vec<i64>) -> Result<()> {
        let parser = TimeParser::new(&TimeFormat::Auto, zone, None);
        for (row, cell) in cells.enumerate() {
            let ms = match cell {
                None => self
                    .reject(col, row, "", "a timestamp (empty values are not allowed)", Reason::InvalidTimestamp)
                    .map(|()| 0)?,
                Some(v) if !local && (super::time::MIN_MS..=super::time::MAX_MS).contains(&v) => v,
                // As for text: years 1 to 9999 only.
                Some(v) if !local => self
                    .reject(
                        col,
                        row,
                        &v.to_string(),
                        "a timestamp between the years 0001 and 9999",
                        Reason::InvalidTimestamp,
                    )
                    .map(|()| 0)?,
                Some(v) => match parser.localize_ms(v) {
                    Ok(ms) => ms,
                    Err(exp) => {
                        let shown = super::time::format_ms(v).replace('Z', "");
                        self.reject(col, row, &shown, exp, Reason::InvalidTimestamp).map(|()| 0)?
                    }
                },
            };
            out.push(ms);
        }
        Ok(())
    }

    /// Conversion flags of column `col`; an empty cell means no conversion.
    pub fn flags(&self, col: usize, out: &mut Vec<bool>) -> Result<()> {
        let data = &self.column(col).data;
        out.reserve(self.height);
        let expected = "a conversion flag: `1`/`0`, `true`/`false` or `yes`/`no` (empty means no conversion)";
        match data.dtype() {
            DataType::String => {
                par_cells_into(self.strs(col).expect("dtype checked"), out, |row, cell| {
                    let raw = cell.unwrap_or("");
                    match parse_flag(raw) {
                        Some(f) => Ok(f),
                        None => self.reject(col, row, raw, expected, Reason::InvalidConversionFlag).map(|()| false),
                    }
                })?;
            }
            DataType::Boolean => out.extend(data.bool().expect("dtype checked").iter().map(|v| v.unwrap_or(false))),
            // pandas writes an integer column with a missing value as floats.
            dt if dt.is_float() => {
                let cast = data.cast(&DataType::Float64).map_err(|_| self.type_error(col, "booleans"))?;
                for (row, cell) in cast.f64().expect("cast to Float64").iter().enumerate() {
                    match cell {
                        None => out.push(false),
                        Some(v) if v.is_nan() || v == 0.0 => out.push(false),
                        Some(1.0) => out.push(true),
                        Some(v) => {
                            self.reject(col, row, &v.to_string(), expected, Reason::InvalidConversionFlag)?;
                            out.push(false);
                        }
                    }
                }
            }
            dt if dt.is_integer() => {
                let cast = data.cast(&DataType::Int64).map_err(|_| self.type_error(col, "booleans"))?;
                for (row, cell) in cast.i64().expect("cast to Int64").iter().enumerate() {
                    match cell {
                        None | Some(0) => out.push(false),
                        Some(1) => out.push(true),
                        Some(v) => {
                            self.reject(col, row, &v.to_string(), expected, Reason::InvalidConversionFlag)?;
                            out.push(false);
                        }
                    }
                }
            }
            _ => return Err(self.type_error(col, "booleans, 0/1 integers or text flags")),
        }
        Ok(())
    }

    /// Non-negative amounts of column `col` (or counts); empty means 0.
    pub fn amounts(&self, col: usize, what: &str, reason: Reason, out: &mut Vec<f64>) -> Result<()> {
        let data = &self.column(col).data;
        out.reserve(self.height);
        let example = if self.decimal_comma { "`49,90` or `1.234,50`" } else { "`49.90`" };
        let expected = |t: &str| {
            format!(
                "{what}: a non-negative number such as {example} (empty means 0){}",
                self.number_hint(t)
            )
        };
        match data.dtype() {
            DataType::String => {
                par_cells_into(self.strs(col).expect("dtype checked"), out, |row, cell| {
                    let raw = cell.unwrap_or("");
                    let t = raw.trim();
                    if t.is_empty() {
                        return Ok(0.0);
                    }
                    // The currency around it goes (`check_currency` checks that it is one).
                    let (code, t) = strip_currency(t);
                    if code.is_some() {
                        self.saw_currency.store(true, Ordering::Relaxed);
                    }
                    match self.parse_number(t).filter(|v| *v >= 0.0) {
                        Some(v) => Ok(v),
                        None => self.reject(col, row, raw, expected(t), reason).map(|()| 0.0),
                    }
                })?;
            }
            dt if dt.is_primitive_numeric() => {
                let cast = data.cast(&DataType::Float64).map_err(|_| self.type_error(col, "numbers"))?;
                for (row, cell) in cast.f64().expect("cast to Float64").iter().enumerate() {
                    let mut v = cell.unwrap_or(0.0);
                    if !(v.is_finite() && v >= 0.0) {
                        self.reject(col, row, &v.to_string(), expected(""), reason)?;
                        v = 0.0;
                    }
                    out.push(v);
                }
            }
            _ => return Err(self.type_error(col, "numbers")),
        }
        Ok(())
    }

    /// Interns, row by row, the trimmed texts of `cols` joined by `SEP`
    /// (an absent column or a null is empty text): one code per distinct
    /// combination, in order of first appearance. Rows are read in parallel
    /// pieces, interned locally and merged in row order.
    pub fn intern_joined(&self, cols: &[Option<usize>], interner: &mut Interner, out: &mut Vec<u32>) -> Result<()> {
        let mut rechunked: Vec<Option<StringChunked>> = Vec::with_capacity(cols.len());
        for &c in cols {
            rechunked.push(match c.map(|c| (c, self.strs(c))) {
                None | Some((_, Some(Text::Spans(..)))) => None,
                Some((_, Some(Text::Polars(ca)))) => Some(ca.rechunk().into_owned()),
                Some((c, None)) => return Err(self.type_error(c, "text")),
            });
        }
        // One way to get a cell of either kind of column.
        enum Cell<'a> {
            Array(&'a <StringType as PolarsDataType>::Array),
            Spans(&'a str, &'a Cells),
        }
        let arrays: Vec<Option<Cell<'_>>> = cols
            .iter()
            .zip(&rechunked)
            .map(|(c, ca)| match (c.and_then(|c| self.strs(c)), ca) {
                (Some(Text::Spans(text, cells)), _) => Some(Cell::Spans(text, cells)),
                (_, Some(ca)) => Some(Cell::Array(ca.downcast_as_array())),
                _ => None,
            })
            .collect();
        fn get<'a>(cell: &Option<Cell<'a>>, row: usize) -> Option<&'a str> {
            match cell.as_ref()? {
                Cell::Array(a) => a.get(row),
                Cell::Spans(text, cells) => cell_of(text, cells.get(row)),
            }
        }
        let starts: Vec<usize> = (0..self.height).step_by(PIECE).collect();
        let locals: Vec<(Interner, Vec<u32>)> = starts
            .into_par_iter()
            .map(|start| {
                let (mut local, mut codes, mut key) = (Interner::new(), Vec::with_capacity(PIECE), String::new());
                for row in start..(start + PIECE).min(self.height) {
                    key.clear();
                    for (k, arr) in arrays.iter().enumerate() {
                        if k > 0 {
                            key.push(SEP);
                        }
                        if let Some(text) = get(arr, row) {
                            key.push_str(trim(text));
                        }
                    }
                    codes.push(local.intern(&key));
                }
                (local, codes)
            })
            .collect();
        out.reserve(self.height);
        for (local, codes) in locals {
            let map: Vec<u32> = local.iter().map(|n| interner.intern(n)).collect();
            out.extend(codes.iter().map(|&c| map[c as usize]));
        }
        Ok(())
    }

    /// Finite numbers of column `col`, negative ones included; an empty
    /// or unreadable cell is an error expecting `expected`.
    pub fn numbers(&self, col: usize, expected: &str, out: &mut Vec<f64>) -> Result<()> {
        let data = &self.column(col).data;
        out.reserve(self.height);
        match data.dtype() {
            DataType::String => each_str(self.strs(col).expect("dtype checked"), |row, cell| {
                let raw = cell.unwrap_or("");
                match self.parse_number(raw.trim()) {
                    Some(v) => out.push(v),
                    None => {
                        let expected = format!("{expected}{}", self.number_hint(raw.trim()));
                        self.reject(col, row, raw, expected, Reason::InvalidValue).map(|()| out.push(0.0))?
                    }
                }
                Ok(())
            }),
            dt if dt.is_primitive_numeric() => {
                let cast = data.cast(&DataType::Float64).map_err(|_| self.type_error(col, "numbers"))?;
                for (row, cell) in cast.f64().expect("cast to Float64").iter().enumerate() {
                    match cell.filter(|v| v.is_finite()) {
                        Some(v) => out.push(v),
                        None => {
                            let found = cell.map(|v| v.to_string()).unwrap_or_default();
                            self.reject(col, row, &found, expected, Reason::InvalidValue)?;
                            out.push(0.0);
                        }
                    }
                }
                Ok(())
            }
            _ => Err(self.type_error(col, "numbers")),
        }
    }

    /// [`Self::numbers`] where an empty cell (or a null) is no number.
    pub fn numbers_or_empty(&self, col: usize, expected: &str, out: &mut Vec<Option<f64>>) -> Result<()> {
        let data = &self.column(col).data;
        out.reserve(self.height);
        match data.dtype() {
            DataType::String => each_str(self.strs(col).expect("dtype checked"), |row, cell| {
                let raw = cell.unwrap_or("").trim();
                if raw.is_empty() {
                    out.push(None);
                    return Ok(());
                }
                match self.parse_number(raw) {
                    Some(v) => out.push(Some(v)),
                    None => {
                        let expected = format!("{expected}{}", self.number_hint(raw));
                        self.reject(col, row, raw, expected, Reason::InvalidValue)
                            .map(|()| out.push(None))?
                    }
                }
                Ok(())
            }),
            dt if dt.is_primitive_numeric() => {
                let cast = data.cast(&DataType::Float64).map_err(|_| self.type_error(col, "numbers"))?;
                out.extend(cast.f64().expect("cast to Float64").iter().map(|c| c.filter(|v| v.is_finite())));
                Ok(())
            }
            _ => Err(self.type_error(col, "numbers")),
        }
    }

    /// A revenue column of a file read chunk by chunk: its amounts, the
    /// file's currency carried from the chunks before (`currency`) and on
    /// to the next, and the German-thousands check (`thousands`).
    pub fn revenue(
        &self,
        col: usize,
        currency: &mut Option<(String, String)>,
        thousands: &mut ThousandsCheck,
        out: &mut Vec<f64>,
    ) -> Result<()> {
        self.money(col, "a revenue amount", currency, thousands, out)
    }

    /// [`Self::revenue`] for any column of money (`what` says which, e.g.
    /// a cost file's spend).
    pub fn money(
        &self,
        col: usize,
        what: &str,
        currency: &mut Option<(String, String)>,
        thousands: &mut ThousandsCheck,
        out: &mut Vec<f64>,
    ) -> Result<()> {
        *self.currency.lock().unwrap_or_else(|e| e.into_inner()) = currency.take();
        self.amounts(col, what, Reason::InvalidValue, out)?;
        self.check_currency(col, what, Reason::InvalidValue)?;
        *currency = self.currency.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.check_thousands(col, thousands);
        Ok(())
    }

    /// Rejects, in row order, the amounts of column `col` written in
    /// another currency than the file's first (kept in [`Self::currency`]
    /// from chunk to chunk by the reader): adding euros to dollars would
    /// give a wrong revenue without a word.
    fn check_currency(&self, col: usize, what: &str, reason: Reason) -> Result<()> {
        if !self.saw_currency.load(Ordering::Relaxed) {
            return Ok(());
        }
        let Some(ca) = self.strs(col) else { return Ok(()) };
        each_str(ca, |row, cell| {
            let raw = cell.unwrap_or("");
            let Some(code) = strip_currency(raw.trim()).0 else { return Ok(()) };
            let mut seen = self.currency.lock().unwrap_or_else(|e| e.into_inner());
            match &*seen {
                None => *seen = Some((code.to_string(), raw.trim().to_string())),
                Some((first, example)) if first != code => {
                    let exp = format!(
                        "{what} in {first}, like `{example}` before it: the file mixes currencies ({first} and {code}); convert its amounts to one currency first"
                    );
                    drop(seen);
                    return self.reject(col, row, raw, exp, reason);
                }
                Some(_) => {}
            }
            Ok(())
        })
    }

    /// Adds column `col`'s texts to `check` (see [`ThousandsCheck`]);
    /// nothing under `--decimal-comma` or for a typed (numeric) column.
    fn check_thousands(&self, col: usize, check: &mut ThousandsCheck) {
        // One value with other decimals settles the file: no more looking.
        if self.decimal_comma || check.dotted > 0 {
            return;
        }
        let Some(ca) = self.strs(col) else { return };
        let _ = each_str(ca, |_, cell| {
            if check.dotted > 0 {
                return Ok(());
            }
            let t = cell.unwrap_or("").trim();
            if t.contains('.') {
                if !looks_grouped(t) {
                    check.dotted += 1;
                    return Ok(());
                }
                check.grouped += 1;
                if check.example.is_none() {
                    check.example = Some(t.to_string());
                }
            }
            Ok(())
        });
    }

    /// A finite number in text, with a decimal point, or with a decimal
    /// comma under `--decimal-comma`.
    fn parse_number(&self, t: &str) -> Option<f64> {
        match self.decimal_comma {
            false => t.parse::<f64>().ok().or_else(|| parse_comma_grouped(t)),
            true => parse_decimal_comma(t),
        }
        .filter(|v| v.is_finite())
    }

    /// What to add to the message about the number `t` that did not parse:
    /// the flag that would read it, when the other convention would.
    fn number_hint(&self, t: &str) -> &'static str {
        match self.decimal_comma {
            false if parse_decimal_comma(t).is_some() && t.contains(',') => "; this looks like a decimal comma: pass `--decimal-comma`",
            false if parse_decimal_comma(t).is_some() && t.matches('.').count() > 1 => {
                "; this looks like `.` between thousands (German style): pass `--decimal-comma`"
            }
            true if t.parse::<f64>().is_ok() => "; this looks like a decimal point: drop `--decimal-comma`",
            _ => "",
        }
    }

    /// Calls `f(row, text)` with the trimmed text of every cell of column
    /// `col`; empty cells are errors (`what` names what a cell should be).
    /// When skipping, an empty cell is recorded and passed on as empty text.
    pub fn for_each_text(&self, col: usize, what: &str, reason: Reason, mut f: impl FnMut(usize, &str) -> Result<()>) -> Result<()> {
        let ca = self.strs(col).ok_or_else(|| self.type_error(col, "text"))?;
        each_str(ca, |row, cell| match cell.map(str::trim) {
            Some(s) if !s.is_empty() => f(row, s),
            _ => {
                self.reject(
                    col,
                    row,
                    cell.unwrap_or(""),
                    format!("{what} (empty values are not allowed)"),
                    reason,
                )?;
                f(row, "")
            }
        })
    }

    /// Like [`Self::for_each_text`], but folds pieces of rows into states in
    /// parallel (one state per piece, in row order).
    pub fn par_fold_text<S: Send>(
        &self,
        col: usize,
        what: &str,
        reason: Reason,
        init: impl Fn() -> S + Sync,
        step: impl Fn(&mut S, usize, &str) -> Result<()> + Sync,
    ) -> Result<Vec<S>> {
        let ca = self.strs(col).ok_or_else(|| self.type_error(col, "text"))?;
        let checked = |state: &mut S, row: usize, cell: &str| match cell.trim() {
            "" => {
                self.reject(col, row, cell, format!("{what} (empty values are not allowed)"), reason)?;
                step(state, row, "")
            }
            t => step(state, row, t),
        };
        if ca.null_count() == 0 {
            return par_fold_str(ca, init, checked);
        }
        let mut state = init();
        self.for_each_text(col, what, reason, |row, text| step(&mut state, row, text))?;
        Ok(vec![state])
    }
}

/// Line number at byte `to`, counting from `line` at byte `from` (`from <= to`).
fn line_at(bytes: &[u8], from: usize, line: u64, to: usize) -> u64 {
    line + bytes[from..to].iter().filter(|&&b| b == b'\n').count() as u64
}

/// Calls `f(row, cell)` for every cell of a text column, skipping the
/// per-cell null check when a chunk has no nulls (the common case, and
/// several times faster than the generic iterator).
fn each_str<'a>(text: Text<'a>, mut f: impl FnMut(usize, Option<&'a str>) -> Result<()>) -> Result<()> {
    match text {
        Text::Polars(ca) if ca.null_count() == 0 => {
            let mut row = 0;
            for arr in ca.downcast_iter() {
                for s in arr.values_iter() {
                    f(row, Some(s))?;
                    row += 1;
                }
            }
            Ok(())
        }
        Text::Spans(text, cells) => cells.iter().enumerate().try_for_each(|(row, &span)| f(row, cell_of(text, span))),
        _ => text.iter().enumerate().try_for_each(|(row, s)| f(row, s)),
    }
}

/// Separates the texts of [`Table::intern_joined`] (a control character no
/// export uses in a value).
pub const SEP: char = '\u{1f}';

/// Rows per parallel piece of a column.
const PIECE: usize = 64 * 1024;

/// Maps every cell of a null-free text column with `f(row, cell)`, in
/// parallel pieces of fixed size, results in row order. The error of the
/// first failing row wins, whatever the thread count.
fn par_str<'a, T: Send>(ca: Text<'a>, f: impl Fn(usize, &'a str) -> Result<T> + Sync) -> Result<Vec<Vec<T>>> {
    par_fold_str(ca, Vec::new, |acc, row, cell| {
        acc.push(f(row, cell)?);
        Ok(())
    })
}

/// Folds the cells of a null-free text column into one state per fixed-size
/// piece (pieces in parallel, states in row order).
fn par_fold_str<'a, S: Send>(
    text: Text<'a>,
    init: impl Fn() -> S + Sync,
    step: impl Fn(&mut S, usize, &'a str) -> Result<()> + Sync,
) -> Result<Vec<S>> {
    debug_assert_eq!(text.null_count(), 0);
    par_fold_cells(text, init, |state, row, cell| step(state, row, cell.unwrap_or("")))
}

/// Folds the cells of a text column (`None`: missing) into one state per
/// fixed-size piece, pieces in parallel, states in row order (a polars
/// column with missing values: one state, in order).
fn par_fold_cells<'a, S: Send>(
    text: Text<'a>,
    init: impl Fn() -> S + Sync,
    step: impl Fn(&mut S, usize, Option<&'a str>) -> Result<()> + Sync,
) -> Result<Vec<S>> {
    let run = |base: usize, len: usize, cell: &(dyn Fn(usize) -> Option<&'a str> + Sync)| -> Result<Vec<S>> {
        (0..len)
            .step_by(PIECE)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut state = init();
                for i in start..(start + PIECE).min(len) {
                    step(&mut state, base + i, cell(i))?;
                }
                Ok(state)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    };
    match text {
        // The chunk's pieces are the units.
        Text::Spans(text, cells) => cells
            .pieces
            .par_iter()
            .zip(&cells.firsts)
            .map(|(spans, &first)| {
                let mut state = init();
                for (i, &span) in spans.iter().enumerate() {
                    step(&mut state, first + i, cell_of(text, span))?;
                }
                Ok(state)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect(),
        Text::Polars(ca) if ca.null_count() == 0 => {
            let mut states = Vec::new();
            let mut base = 0;
            for arr in ca.downcast_iter() {
                states.extend(run(base, arr.len(), &|i| Some(arr.value(i)))?);
                base += arr.len();
            }
            Ok(states)
        }
        Text::Polars(_) => {
            let mut state = init();
            each_str(text, |row, cell| step(&mut state, row, cell))?;
            Ok(vec![state])
        }
    }
}

/// Maps every cell of a text column with `f(row, cell)` (`None`: missing)
/// in parallel pieces, results in row order; the error of the first
/// failing row wins, whatever the thread count.
fn par_cells<'a, T: Send>(text: Text<'a>, f: impl Fn(usize, Option<&'a str>) -> Result<T> + Sync) -> Result<Vec<Vec<T>>> {
    par_fold_cells(text, Vec::new, |acc, row, cell| {
        acc.push(f(row, cell)?);
        Ok(())
    })
}

/// [`par_cells`] appending to `out`: a plain chunk's pieces write straight
/// into `out`'s reserved room, in parallel (their own vectors, copied into
/// `out` on one thread, were a fifth of a core idle beside the parallel
/// work while reading, page faults included). The error of the first
/// failing row wins; `out` is unchanged on an error.
fn par_cells_into<'a, T: Copy + Send>(
    text: Text<'a>,
    out: &mut Vec<T>,
    f: impl Fn(usize, Option<&'a str>) -> Result<T> + Sync,
) -> Result<()> {
    let Text::Spans(chunk, cells) = text else {
        par_cells(text, f)?.into_iter().for_each(|p| out.extend(p));
        return Ok(());
    };
    let lens: Vec<usize> = cells.pieces.iter().map(Vec::len).collect();
    par_append(out, &lens, |p, slots| {
        let first = cells.firsts[p];
        let mut written = 0;
        for (i, (&span, slot)) in cells.pieces[p].iter().zip(slots).enumerate() {
            slot.write(f(first + i, cell_of(chunk, span))?);
            written += 1;
        }
        Ok(written)
    })
}

/// Appends pieces of `lens` values to `out`, each written in parallel by
/// `fill(piece, its slots)` straight into `out`'s spare room; `fill`
/// writes its slots from the first and returns how many. The first piece's
/// error (in piece order) wins; `out` is unchanged on an error.
fn par_append<T: Copy + Send>(
    out: &mut Vec<T>,
    lens: &[usize],
    fill: impl Fn(usize, &mut [std::mem::MaybeUninit<T>]) -> Result<usize> + Sync,
) -> Result<()> {
    let height: usize = lens.iter().sum();
    out.reserve(height);
    let slots = crate::scatter::split_by_mut(&mut out.spare_capacity_mut()[..height], lens);
    let done: Vec<Result<usize>> = slots.into_par_iter().enumerate().map(|(p, slots)| fill(p, slots)).collect();
    let written = done.into_iter().collect::<Result<Vec<usize>>>()?;
    assert_eq!(written, lens, "every piece writes all its slots");
    // SAFETY: the slots are the first `height` spare ones, cut in order by
    // `lens`, and each piece wrote its first `lens[p]` slots: all of them.
    unsafe { out.set_len(out.len() + height) };
    Ok(())
}

/// `1/0`, `true/false`, `yes/no` (any case, trimmed); empty is `false`.
pub fn parse_flag(raw: &str) -> Option<bool> {
    let t = raw.trim();
    const TRUE: [&str; 5] = ["1", "true", "yes", "y", "t"];
    const FALSE: [&str; 6] = ["", "0", "false", "no", "n", "f"];
    if TRUE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if FALSE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// Currency markers around amounts, and the code each stands for.
const CURRENCIES: [(&str, &str); 16] = [
    ("€", "EUR"),
    ("$", "USD"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("EUR", "EUR"),
    ("USD", "USD"),
    ("GBP", "GBP"),
    ("CHF", "CHF"),
    ("JPY", "JPY"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("PLN", "PLN"),
    ("CZK", "CZK"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
];

/// An amount without the currency written before or after it (`45.000,00 €`,
/// `€ 1.250,50`, `EUR 1,250.00`, `12.50 usd`), and that currency's code.
fn strip_currency(t: &str) -> (Option<&'static str>, &str) {
    for (mark, code) in CURRENCIES {
        let n = mark.len();
        if t.len() > n {
            if t.is_char_boundary(n) && t[..n].eq_ignore_ascii_case(mark) {
                return (Some(code), t[n..].trim());
            }
            let end = t.len() - n;
            if t.is_char_boundary(end) && t[end..].eq_ignore_ascii_case(mark) {
                return (Some(code), t[..end].trim());
            }
        }
    }
    (None, t)
}

/// A number with a decimal point and `,` between groups of three digits:
/// `1,250.00`, `1,250,000`. Read only when it cannot be a decimal comma
/// (`1,250` alone stays an error whose hint names `--decimal-comma`).
fn parse_comma_grouped(t: &str) -> Option<f64> {
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shaped = groups.len() > 1 && digits(groups[0]) && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3 && digits(g));
    if !shaped || (frac.is_none() && groups.len() < 3) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let mut text: String = groups.concat();
    if let Some(f) = frac {
        text.push('.');
        text.push_str(f);
    }
    text.parse().ok()
}

/// Values of a number column seen with a `.`, to tell German thousands
/// separators (`45.000`, `120.500`: one to three digits, then groups of
/// three) read as decimals without `--decimal-comma`: when every such value
/// has that shape, the column most likely means 45,000, not 45.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThousandsCheck {
    /// Values shaped like `45.000`.
    pub grouped: u64,
    /// Other values with a `.` (`49.90`): the column has decimals.
    pub dotted: u64,
    /// The first grouped value, for the message.
    pub example: Option<String>,
}

impl ThousandsCheck {
    /// The warning for column `column` of `file`, when its values look
    /// like thousands separators; `flag` is the flag that reads the file's
    /// amounts the German way, as the message names it.
    pub fn warning(&self, file: &str, column: &str, flag: &str) -> Option<String> {
        let example = self.example.as_deref()?;
        if self.dotted > 0 {
            return None;
        }
        let read = example.parse::<f64>().map_or_else(|_| example.to_string(), |v| v.to_string());
        let meant = parse_decimal_comma(example).map_or_else(|| example.to_string(), |v| format!("{v}"));
        let (count, verb) = match self.grouped {
            1 => ("1 value".to_string(), "was"),
            n => (format!("{n} values"), "were"),
        };
        Some(format!(
            "warning: `{file}` column `{column}`: {count} shaped like `{example}` (`.` before groups of three digits, as German thousands are written) {verb} read as decimals (`{example}` = {read}), not as {meant}: pass {flag} if the `.` separates thousands"
        ))
    }
}

/// `45.000`, `1.250.000`: one to three digits, then `.` and three digits, at least once.
fn looks_grouped(t: &str) -> bool {
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut n = 0;
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return false;
        }
        n += 1;
    }
    n > 0 && digits(first) && first.len() <= 3
}

/// A number written with a decimal comma and optional `.` between groups of
/// three digits: `12,50`, `1.234,50`, `1234`, `-3,5`. A `.` anywhere else
/// (`12.5`) is not one: under this convention it can only group thousands.
fn parse_decimal_comma(t: &str) -> Option<f64> {
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split('.');
    let first = groups.next()?;
    if !digits(first) || (int.contains('.') && first.len() > 3) {
        return None;
    }
    let mut text = String::with_capacity(body.len() + 1);
    text.push_str(sign);
    text.push_str(first);
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        text.push_str(g);
    }
    if let Some(f) = frac {
        if !digits(f) {
            return None;
        }
        text.push('.');
        text.push_str(f);
    }
    text.parse().ok()
}

/// `str::trim`, but without its char-decoding scan when the cell has no
/// surrounding whitespace, as nearly all cells do: interning millions of
/// channel cells spent a tenth of its time in the full trim.
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_accept_the_documented_spellings() {
        for t in ["1", "true", "TRUE", " yes ", "Y"] {
            assert_eq!(parse_flag(t), Some(true), "{t}");
        }
        for f in ["0", "false", "No", "", "  "] {
            assert_eq!(parse_flag(f), Some(false), "{f}");
        }
        assert_eq!(parse_flag("maybe"), None);
        assert_eq!(parse_flag("2"), None);
    }

    #[test]
    fn trim_matches_str_trim() {
        for t in ["", " ", "a", " a", "a ", "\ta b\n", "\u{a0}x", "x\u{3000}", "ä", "é "] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn currencies_around_amounts_are_stripped_and_named() {
        assert_eq!(strip_currency("45.000,00 €"), (Some("EUR"), "45.000,00"));
        assert_eq!(strip_currency("€ 1.250,50"), (Some("EUR"), "1.250,50"));
        assert_eq!(strip_currency("EUR 1,250.00"), (Some("EUR"), "1,250.00"));
        assert_eq!(strip_currency("12.50 usd"), (Some("USD"), "12.50"));
        assert_eq!(strip_currency("$12.50"), (Some("USD"), "12.50"));
        assert_eq!(strip_currency("12.50"), (None, "12.50"));
        assert_eq!(strip_currency("€"), (None, "€"));
        assert_eq!(parse_comma_grouped("1,250.00"), Some(1250.0));
        assert_eq!(parse_comma_grouped("1,250,000"), Some(1_250_000.0));
        // Could be a decimal comma: not read here.
        assert_eq!(parse_comma_grouped("1,250"), None);
        assert_eq!(parse_comma_grouped("12,50.0"), None);
    }

    #[test]
    fn values_shaped_like_german_thousands_are_told_apart() {
        for t in ["45.000", "120.500", "1.250.000", "7.000"] {
            assert!(looks_grouped(t), "{t}");
        }
        for t in ["45.00", "49.90", "1234.000", "45", "1.25.000", ".000", "45.000,00"] {
            assert!(!looks_grouped(t), "{t}");
        }
        let check = ThousandsCheck {
            grouped: 2,
            dotted: 0,
            example: Some("45.000".into()),
        };
        let w = check.warning("crm.csv", "amount", "`--decimal-comma`").unwrap();
        assert!(
            w.contains("2 values shaped like `45.000`") && w.contains("(`45.000` = 45), not as 45000") && w.contains("--decimal-comma"),
            "{w}"
        );
        // One value with real decimals: the column has decimals, no warning.
        assert_eq!(
            ThousandsCheck { dotted: 1, ..check }.warning("crm.csv", "amount", "`--decimal-comma`"),
            None
        );
        assert_eq!(ThousandsCheck::default().warning("crm.csv", "amount", "`--decimal-comma`"), None);
    }

    #[test]
    fn decimal_comma_numbers() {
        for (t, v) in [
            ("12,50", 12.5),
            ("1.234,50", 1234.5),
            ("1234", 1234.0),
            ("1.234.567", 1234567.0),
            ("-3,5", -3.5),
            ("+0,25", 0.25),
        ] {
            assert_eq!(parse_decimal_comma(t), Some(v), "{t}");
        }
        for t in [
            "12.5",
            "1.23,4",
            "1234.567,8",
            ",5",
            "5,",
            "1,2,3",
            "1.2345",
            "",
            "-",
            "1 234,5",
            "abc",
        ] {
            assert_eq!(parse_decimal_comma(t), None, "{t}");
        }
    }
}
