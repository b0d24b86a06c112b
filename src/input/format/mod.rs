//! How bytes become tables: CSV (in chunks of whole records, a fast path
//! for plain chunks, polars and the csv crate for the rest), Parquet (whole
//! row groups), text encodings, the columns requested of a header, and the
//! typed conversion of their cells. The readers of `super::read` ask for
//! tables here; nothing here knows what a touch or a conversion is.

pub(crate) mod chunks;
pub(crate) mod csv;
pub mod encoding;
pub(crate) mod guard;
pub(crate) mod parquet;
pub(crate) mod plain;
pub mod schema;
pub(crate) mod table;
pub mod time;

use std::io::Read;

use schema::ColumnRequest;
use table::Table;

use super::source::{Bytes, Reading};
use super::{Dialect, Encoding, FileStats, OnError, Rejection, Source, progress};
use crate::error::{Error, Result};

/// What a reader asks of a file: how its text is written, the columns it
/// wants, what one row is (for the empty-file hint) and what a bad row does.
#[derive(Clone, Copy)]
pub(crate) struct Ask<'a> {
    /// Delimiter, encoding, decimal comma.
    pub dialect: &'a Dialect,
    /// The columns, in the order the reader wants them.
    pub columns: &'a [ColumnRequest<'a>],
    /// One row, for messages (`touchpoint`, `path`...).
    pub what: &'static str,
    /// Stop at the first bad row, or skip bad rows.
    pub on_error: OnError,
}

/// The sources to read: `sources`, or standard input when none is named.
pub(crate) fn or_stdin(sources: &[Source]) -> &[Source] {
    const STDIN: &[Source] = &[Source::Stdin];
    if sources.is_empty() { STDIN } else { sources }
}

/// Reads `source` table by table and hands each to `f`, which returns the
/// rows it read and skipped: a CSV file or stdin (gzipped or not) in chunks
/// of whole records, so that its text is never held at once; Parquet,
/// UTF-16 and the single-byte encodings whole. Returns the file's totals.
pub(crate) fn read_tables(
    source: &Source,
    ask: Ask<'_>,
    chunk_bytes: usize,
    mut f: impl FnMut(&Table) -> Result<FileStats>,
) -> Result<FileStats> {
    let Ask {
        dialect,
        columns: requests,
        what,
        on_error,
    } = ask;
    let name = source.name();
    let mut total = FileStats {
        name: name.clone(),
        rows: 0,
        skipped: 0,
        anonymous: 0,
    };
    let mut add = |s: FileStats| {
        total.rows += s.rows;
        total.skipped += s.skipped;
        total.anonymous += s.anonymous;
    };
    let stream: Box<dyn Read + Send> = match source {
        Source::File(p) if dialect.encoding == Encoding::Utf8 && !source.looks_like_parquet_name() => {
            Box::new(progress::Counting(std::fs::File::open(p).map_err(|e| Error::Read {
                path: name.clone(),
                source: e,
            })?))
        }
        Source::Stdin if dialect.encoding == Encoding::Utf8 => Box::new(std::io::stdin()),
        // In chunks like a file, so that fuzzing reaches the chunked reader.
        Source::Memory { bytes, .. } if dialect.encoding == Encoding::Utf8 && !source.looks_like_parquet_name() => {
            Box::new(std::io::Cursor::new(bytes.clone()))
        }
        _ => {
            let _reading = Reading::start(&name);
            let bytes = source.read()?;
            if let Source::File(p) = source {
                progress::read(std::fs::metadata(p).map_or(0, |m| m.len()));
            }
            tables_of(source, bytes, ask, |t| {
                add(f(&t)?);
                Ok(())
            })?;
            return Ok(total);
        }
    };
    let _reading = Reading::start(&name);
    let err = |e| Error::Read {
        path: name.clone(),
        source: e,
    };
    let mut stream = std::io::BufReader::with_capacity(1 << 20, stream);
    let gzip = std::io::BufRead::fill_buf(&mut stream).map_err(err)?.starts_with(&[0x1f, 0x8b]);
    let mut stream: Box<dyn Read + Send> = match gzip {
        true => Box::new(flate2::read::MultiGzDecoder::new(stream)),
        false => Box::new(stream),
    };
    // The first bytes: Parquet or UTF-16 are read whole; else the delimiter
    // (given, or sniffed from the first line) tells where quoted fields begin.
    let mut head = Vec::new();
    (&mut stream).take(64 * 1024).read_to_end(&mut head).map_err(err)?;
    refuse_json(&name, &head)?;
    if head.starts_with(b"PAR1") || head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        stream.read_to_end(&mut head).map_err(err)?;
        tables_of(source, Bytes::Owned(head), ask, |t| {
            add(f(&t)?);
            Ok(())
        })?;
        return Ok(total);
    }
    let delimiter = dialect.delimiter.unwrap_or_else(|| csv::sniff_delimiter(csv::strip_bom(&head)));
    let rest: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(stream));
    let chunker = chunks::Chunker::new(rest, delimiter, chunk_bytes);
    // The next chunk is read while this one is parsed.
    let ahead = chunks::ReadAhead::start(chunker);
    let mut rows_before = 0;
    while let Some(chunk) = ahead.next().map_err(err)? {
        let offset = table::Offset {
            lines: chunk.lines_before,
            rows: rows_before,
        };
        let mut table = match plain::read(&name, chunk.bytes, delimiter, requests, on_error).map_err(|e| table::shift_error(e, offset))? {
            Ok(table) => table,
            Err(bytes) => {
                let mut table = csv::read(&name, &bytes, csv::Origin::Handed, Some(delimiter), requests, what, on_error)
                    .map_err(|e| table::shift_error(e, offset))?;
                table.keep(bytes);
                table
            }
        };
        table.offset = offset;
        table.decimal_comma = dialect.decimal_comma;
        rows_before += (table.height + table.malformed.len()) as u64;
        add(f(&table)?);
        if let Some(text) = table.text.take() {
            ahead.recycle(text.into_bytes());
        }
    }
    Ok(total)
}

/// The tables of bytes read whole from `source`: Parquet in pieces of whole
/// row groups (see [`parquet::read_chunks`]), text as one table.
pub(crate) fn tables_of(source: &Source, bytes: Bytes, ask: Ask<'_>, mut f: impl FnMut(Table) -> Result<()>) -> Result<()> {
    if bytes.starts_with(b"PAR1") {
        return parquet::read_chunks(&source.name(), &bytes, ask.columns, ask.on_error, |mut table| {
            table.decimal_comma = ask.dialect.decimal_comma;
            f(table)
        });
    }
    f(table_of(source, bytes, ask)?)
}

/// The one table of `source`, read whole.
pub(crate) fn read_table(source: &Source, ask: Ask<'_>) -> Result<Table> {
    let name = source.name();
    let _reading = Reading::start(&name);
    let bytes = source.read()?;
    table_of(source, bytes, ask)
}

/// [`read_table`] on bytes already read from `source` (decompressed).
pub(crate) fn table_of(source: &Source, bytes: Bytes, ask: Ask<'_>) -> Result<Table> {
    let name = source.name();
    let mut table = match bytes.starts_with(b"PAR1") {
        true => parquet::read(&name, &bytes, ask.columns, ask.on_error)?,
        false => csv_table(source, bytes, ask)?,
    };
    table.decimal_comma = ask.dialect.decimal_comma;
    Ok(table)
}

/// [`table_of`] for text: decoded to UTF-8, then parsed as CSV.
fn csv_table(source: &Source, bytes: Bytes, ask: Ask<'_>) -> Result<Table> {
    let name = source.name();
    if source.looks_like_parquet_name() {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]).to_string();
        return Err(Error::NotParquet {
            path: name,
            start: crate::error::display_value(&start),
        });
    }
    let keep = match source {
        // Standard input cannot be read twice: keep its bytes for error locating.
        Source::Stdin => csv::Origin::Kept,
        Source::File(_) | Source::Memory { .. } => csv::Origin::Reread(source.clone(), ask.dialect.encoding),
    };
    let bytes = encoding::decode(&name, bytes, ask.dialect.encoding)?;
    refuse_json(&name, &bytes[..bytes.len().min(64 * 1024)])?;
    csv::read(&name, &bytes, keep, ask.dialect.delimiter, ask.columns, ask.what, ask.on_error)
}

/// JSON where CSV was expected: a GA4 BigQuery export given without
/// `--ga4` (its fields would be listed as columns, fragments of JSON), or
/// other JSON, each refused with the way to read it.
fn refuse_json(name: &str, head: &[u8]) -> Result<()> {
    let text = csv::strip_bom(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|i| text[i] != b'{' && text[i] != b'[') {
        return Ok(());
    }
    let mentions = |field: &str| memchr::memmem::find(text, format!("\"{field}\"").as_bytes()).is_some();
    if mentions("event_name") && (mentions("user_pseudo_id") || mentions("event_params")) {
        return Err(Error::usage(
            format!("`{name}` is a GA4 BigQuery export (JSON with `event_name`, `user_pseudo_id`, `event_params`), not CSV"),
            format!(
                "read it with `--ga4 {name}`: sessions become the touches and `--conversion-events` (default `purchase`) the conversions"
            ),
        ));
    }
    Err(Error::usage(
        format!("`{name}` holds JSON, not CSV or Parquet"),
        "touchpoints are read from CSV or Parquet; a GA4 BigQuery export in JSON with `--ga4`; results of `mta attribute --format json` with `mta compare`",
    ))
}

/// A table's row counts; its rejections move to `rejections`.
pub(crate) fn table_stats(table: &Table, rejections: &mut Vec<Rejection>) -> FileStats {
    let skipped = table.rejections();
    let stats = FileStats {
        name: table.name.clone(),
        rows: (table.height + table.malformed.len()) as u64,
        skipped: skipped.len() as u64,
        anonymous: table.anonymous_rows().len() as u64,
    };
    rejections.extend(skipped);
    stats
}
