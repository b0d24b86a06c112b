//! CSV reading: polars parses the bulk in parallel; the `csv` crate re-reads
//! only when something is wrong, to name the exact line.
//!
//! Every column is read as text: mta parses timestamps, flags and amounts
//! itself so that a bad cell is reported with its line and column instead of
//! becoming a silent null.

use std::io::Cursor;
use std::sync::Arc;

use polars::prelude::*;

use super::schema::{ColumnRequest, resolve};
use super::table::{Locator, Table, TableColumn};
use crate::error::{Error, Location, Result};
use crate::input::rejects::{OnError, Reason, Rejection};

/// What to do about text that is not UTF-8.
const ENCODING_HINT: &str =
    "a file saved by Excel or another Windows program is often Windows-1252: pass `--encoding windows-1252` (or `latin1`, `utf-16`)";

/// Delimiters tried by auto-detection, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How to get the bytes back when an error needs its line number.
pub(crate) enum Origin {
    /// Read (and decode) the source again (files: no copy is kept while
    /// all goes well).
    Reread(crate::input::Source, crate::input::Encoding),
    /// Keep a copy (standard input).
    Kept,
    /// The caller owns the bytes and hands them to the table afterwards
    /// ([`Table::keep`]): a chunk of a stream, kept without a copy.
    Handed,
}

/// `--on-error skip`: parses the file as it is when every record is well
/// formed (the common case); otherwise, or if polars still counts rows
/// differently, parses the well-formed records alone.
fn parse_skipping(name: &str, bytes: &[u8], scan: &Scan, parse: impl Fn(&[u8]) -> Result<DataFrame>) -> Result<DataFrame> {
    let whole = match scan.malformed.is_empty() {
        true => parse(bytes).ok().filter(|df| df.height() == scan.starts.len()),
        false => None,
    };
    if let Some(df) = whole {
        return Ok(df);
    }
    let df = parse(&scan.clean(bytes))?;
    if df.height() != scan.starts.len() {
        return Err(Error::Malformed {
            path: name.into(),
            location: Location::Line(1),
            detail: format!(
                "the CSV reader found {} rows where a record scan found {}; rerun without `--on-error skip` to see the first problem",
                df.height(),
                scan.starts.len()
            ),
        });
    }
    Ok(df)
}

/// Reads the requested columns of CSV `bytes` (already decompressed).
///
/// `what` names one row (for the empty-file hint).
pub fn read(
    name: &str,
    bytes: &[u8],
    origin: Origin,
    delimiter: Option<u8>,
    requests: &[ColumnRequest<'_>],
    what: &'static str,
    on_error: OnError,
) -> Result<Table> {
    let bytes = strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty {
            path: name.to_string(),
            what,
        });
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(bytes));
    let header = read_header(name, bytes, delimiter)?;
    let indices = resolve(name, &header, requests, Some(delimiter))?;

    let wanted: Vec<usize> = indices.iter().flatten().copied().collect();
    // Names by position: the file's own header may repeat or omit names.
    let schema: Schema = (0..header.len())
        .map(|i| Field::new(format!("c{i}").into(), DataType::String))
        .collect();
    let mut projection = wanted.clone();
    projection.sort_unstable();
    projection.dedup();
    let options = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .with_projection(Some(Arc::new(projection)))
        .with_raise_if_empty(false)
        .map_parse_options(|p| p.with_separator(delimiter).with_missing_is_null(true));
    let parse = |bytes: &[u8]| {
        let read = super::guard::guarded(|| options.clone().into_reader_with_file_handle(Cursor::new(bytes)).finish());
        let source = match read {
            Ok(Ok(df)) => return Ok(df),
            Ok(Err(e)) => e,
            // A panic in the reader is a file it cannot read, not a crash.
            Err(panic) => PolarsError::ComputeError(panic.into()),
        };
        Err(diagnose(name, bytes, delimiter, &header).unwrap_or(Error::Format {
            path: name.to_string(),
            format: "CSV",
            source,
        }))
    };
    let (df, starts, malformed) = match on_error {
        OnError::Stop => (parse(bytes)?, None, Vec::new()),
        OnError::Skip => {
            let scan = Scan::new(name, bytes, delimiter, &header, &wanted);
            let df = parse_skipping(name, bytes, &scan, parse)?;
            (df, Some(scan.starts), scan.malformed)
        }
    };
    let height = df.height();
    let kept = match origin {
        Origin::Kept => Ok(bytes.to_vec()),
        Origin::Handed => Ok(Vec::new()),
        Origin::Reread(source, encoding) => Err((source, encoding)),
    };
    let columns = indices
        .iter()
        .map(|idx| {
            idx.map(|i| TableColumn {
                header: header[i].trim().to_string(),
                data: df.column(&format!("c{i}")).expect("projected column is present").clone(),
                utc: false,
                cells: None,
            })
        })
        .collect();
    Ok(Table {
        name: name.to_string(),
        header: header.iter().map(|h| h.trim().to_string()).collect(),
        columns,
        height,
        locator: Locator::Csv { kept, delimiter, starts },
        skipped: (on_error == OnError::Skip).then(Default::default),
        anonymous: Default::default(),
        left_out: Default::default(),
        malformed,
        text: None,
        decimal_comma: false,
        currency: Default::default(),
        saw_currency: Default::default(),
        offset: Default::default(),
    })
}

/// `--on-error skip`: one pass over the records that sets aside the
/// malformed ones (wrong field count, requested fields not UTF-8) and notes
/// where each good one starts.
struct Scan {
    /// Byte offset of each well-formed data record.
    starts: Vec<usize>,
    /// End of the header record.
    header_end: usize,
    /// Byte ranges of the well-formed records, merged where adjacent.
    ranges: Vec<std::ops::Range<usize>>,
    malformed: Vec<Rejection>,
}

impl Scan {
    fn new(name: &str, bytes: &[u8], delimiter: u8, header: &[String], wanted: &[usize]) -> Scan {
        let mut rdr = reader(bytes, delimiter);
        let mut record = ::csv::ByteRecord::new();
        let mut scan = Scan {
            starts: Vec::new(),
            header_end: 0,
            ranges: Vec::new(),
            malformed: Vec::new(),
        };
        // Reading byte records cannot fail (no UTF-8 check, and the bytes are in memory).
        if !matches!(rdr.read_byte_record(&mut record), Ok(true)) {
            return scan;
        }
        scan.header_end = rdr.position().byte() as usize;
        let mut ordinal = 0u64;
        while let Ok(true) = rdr.read_byte_record(&mut record) {
            ordinal += 1;
            let pos = record_start(bytes, &record);
            let (start, end) = (pos.byte() as usize, rdr.position().byte() as usize);
            match record_problem(&record, header, wanted.iter().copied()) {
                Some((reason, detail)) => scan.malformed.push(Rejection {
                    file: name.into(),
                    line: Some(pos.line()),
                    row: ordinal,
                    reason,
                    column: String::new(),
                    value: String::new(),
                    detail,
                    record: trim_line_end(&bytes[start..end]),
                }),
                None => {
                    scan.starts.push(start);
                    match scan.ranges.last_mut() {
                        Some(last) if last.end == start => last.end = end,
                        _ => scan.ranges.push(start..end),
                    }
                }
            }
        }
        scan
    }

    /// The header and the well-formed records, each ending in a newline.
    fn clean(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut push = |piece: &[u8]| {
            out.extend_from_slice(piece);
            if !piece.ends_with(b"\n") {
                out.push(b'\n');
            }
        };
        push(&bytes[..self.header_end]);
        for r in &self.ranges {
            push(&bytes[r.clone()]);
        }
        out
    }
}

/// A record's text without its line end (invalid UTF-8 shown as U+FFFD).
fn trim_line_end(raw: &[u8]) -> String {
    let mut end = raw.len();
    while end > 0 && matches!(raw[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// The text of the record starting at byte `start`: up to the first line
/// end outside a quoted field (a quote opens one only at the start of a
/// field, as CSV readers have it; a quote right after a closing one is an
/// escaped quote, and the field goes on).
/// Building a csv reader per rejected row instead took most of a run with
/// 60,000 of them.
pub(crate) fn record_text(bytes: &[u8], delimiter: u8, start: usize) -> String {
    let (mut quoted, mut field_start, mut closed) = (false, true, false);
    let end = bytes[start..]
        .iter()
        .position(|&b| {
            if quoted {
                (quoted, closed) = (b != b'"', b == b'"');
            } else {
                (quoted, closed) = (b == b'"' && (field_start || closed), false);
            }
            field_start = !quoted && b == delimiter;
            b == b'\n' && !quoted
        })
        .map_or(bytes.len(), |i| start + i + 1);
    trim_line_end(&bytes[start..end])
}

/// The bytes after a UTF-8 byte-order mark, if there is one.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// Picks the candidate that occurs most often outside quotes in the first line.
pub(crate) fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &b in bytes.iter().take(64 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..CANDIDATES.len())
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .expect("candidates are not empty");
    if counts[best] == 0 { b',' } else { CANDIDATES[best] }
}

fn reader(bytes: &[u8], delimiter: u8) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes)
}

pub(crate) fn read_header(name: &str, bytes: &[u8], delimiter: u8) -> Result<Vec<String>> {
    let mut rdr = reader(bytes, delimiter);
    let mut record = ::csv::ByteRecord::new();
    match rdr.read_byte_record(&mut record) {
        Ok(true) => {}
        _ => {
            return Err(Error::Malformed {
                path: name.into(),
                location: Location::Line(1),
                detail: "cannot read the header line".into(),
            });
        }
    }
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            String::from_utf8(f.to_vec()).map_err(|_| Error::Malformed {
                path: name.into(),
                location: Location::Line(1),
                detail: format!("header field {} is not valid UTF-8; expected UTF-8 text; {ENCODING_HINT}", i + 1),
            })
        })
        .collect()
}

/// Where `record` (read from `bytes`) starts. The csv crate places a record
/// after a CRLF line end at its LF, one line early: the line ends before
/// the record are skipped here.
fn record_start(bytes: &[u8], record: &::csv::ByteRecord) -> ::csv::Position {
    let mut pos = record.position().cloned().unwrap_or_else(::csv::Position::new);
    while let Some(&b @ (b'\r' | b'\n')) = bytes.get(pos.byte() as usize) {
        let line = pos.line() + u64::from(b == b'\n');
        let byte = pos.byte() + 1;
        pos.set_byte(byte).set_line(line);
    }
    pos
}

/// Physical line (1-based, header = 1) where data row `row` starts.
pub(crate) fn line_of_row(bytes: &[u8], delimiter: u8, row: usize) -> Location {
    let mut rdr = reader(bytes, delimiter);
    let mut record = ::csv::ByteRecord::new();
    let mut seen = 0usize;
    loop {
        let pos_line = rdr.position().line();
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            _ => return Location::Line(pos_line),
        }
        if seen == row + 1 {
            return Location::Line(record_start(bytes, &record).line());
        }
        seen += 1;
    }
}

/// Finds the first structural problem polars tripped over: a row with the
/// wrong number of fields (often an unterminated quote) or invalid UTF-8.
fn diagnose(name: &str, bytes: &[u8], delimiter: u8, header: &[String]) -> Option<Error> {
    let mut rdr = reader(bytes, delimiter);
    let mut record = ::csv::ByteRecord::new();
    let mut first = true;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Some(Error::Malformed {
                    path: name.into(),
                    location: Location::Line(line),
                    detail: format!("{e}"),
                });
            }
        }
        let line = record_start(bytes, &record).line();
        if first {
            first = false;
            continue;
        }
        if let Some((_, detail)) = record_problem(&record, header, 0..header.len()) {
            return Some(Error::Malformed {
                path: name.into(),
                location: Location::Line(line),
                detail,
            });
        }
    }
}

/// What is wrong with a record's shape, if anything: not the header's
/// number of fields, or one of `fields` not UTF-8. Stopping reports the
/// first such record; skipping sets every one aside.
fn record_problem(record: &::csv::ByteRecord, header: &[String], fields: impl IntoIterator<Item = usize>) -> Option<(Reason, String)> {
    if record.len() != header.len() {
        let mut detail = format!("found {} fields, expected {} like the header", record.len(), header.len());
        if record.iter().any(|f| f.contains(&b'\n')) {
            detail.push_str(" (a quoted field runs over several lines: is a closing quote missing?)");
        }
        return Some((Reason::MalformedRow, detail));
    }
    let bad = fields.into_iter().find(|&i| std::str::from_utf8(&record[i]).is_err())?;
    Some((
        Reason::InvalidUtf8,
        format!(
            "column `{}` is not valid UTF-8; expected UTF-8 text; {ENCODING_HINT}",
            header[bad].trim()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b\n"), b',');
        assert_eq!(sniff_delimiter(b"\"x;y\",b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn line_of_row_counts_embedded_newlines() {
        let data = b"a,b\n1,\"x\ny\"\n2,z\n";
        assert_eq!(line_of_row(data, b',', 0), Location::Line(2));
        assert_eq!(line_of_row(data, b',', 1), Location::Line(4));
    }

    #[test]
    fn crlf_records_are_on_their_own_lines() {
        let data = b"a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n3,w";
        assert_eq!(line_of_row(data, b',', 0), Location::Line(2));
        assert_eq!(line_of_row(data, b',', 1), Location::Line(3));
        assert_eq!(line_of_row(data, b',', 2), Location::Line(5));
        let header = ["a".to_string(), "b".to_string()];
        let scan = Scan::new("t.csv", data, b',', &header, &[0, 1]);
        let texts: Vec<String> = scan.starts.iter().map(|&s| record_text(data, b',', s)).collect();
        assert_eq!(texts, ["1,x", "2,\"y\r\nz\"", "3,w"]);
    }

    #[test]
    fn record_text_ends_at_the_first_line_end_outside_quotes() {
        let data = b"h\r\na,\"x \"\"q\"\"\ny\",1\r\nb,2\n";
        assert_eq!(record_text(data, b',', 3), "a,\"x \"\"q\"\"\ny\",1");
        assert_eq!(record_text(data, b',', data.len() - 4), "b,2");
        assert_eq!(record_text(b"h\nlast", b',', 2), "last");
        // A quote inside an unquoted field is a plain character.
        assert_eq!(record_text(b"a,5\"x,1\nb,2\n", b',', 0), "a,5\"x,1");
        assert_eq!(record_text(b"a;\"x\ny\";1\nb\n", b';', 0), "a;\"x\ny\";1");
    }

    #[test]
    fn diagnose_finds_ragged_rows() {
        let data = b"a,b\n1,2\n3,4,5\n";
        let e = diagnose("f.csv", data, b',', &["a".into(), "b".into()]).unwrap();
        assert_eq!(e.to_string(), "`f.csv` line 3: found 3 fields, expected 2 like the header");
    }
}
