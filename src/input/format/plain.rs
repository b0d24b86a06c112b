//! The fast path for CSV chunks with nothing unusual in them: UTF-8 text
//! whose records have no quotes, blank lines or stray carriage returns,
//! each with the header's number of fields (the header may be quoted).
//! Such a chunk is split here, in parallel, into the byte ranges of the
//! requested fields, which the converters read in place: no copy of the
//! text into string columns. Anything else goes to polars and the csv crate
//! ([`super::csv::read`]), which read every CSV and name the line of any
//! problem; both give the same cells.

use rayon::prelude::*;

use super::schema::{ColumnRequest, resolve};
use super::table::{Cells, Locator, Table, TableColumn};
use crate::error::Result;
use crate::input::rejects::OnError;

/// Bytes per parallel piece of a chunk.
const PIECE_BYTES: usize = 1 << 20;

/// Splits `bytes`, one chunk of a CSV file (the header, then its records),
/// into a table of the requested columns; hands the bytes back (`Err`) when
/// the chunk needs the general reader. Errors are the general reader's
/// (a missing column).
pub(crate) fn read(
    name: &str,
    mut bytes: Vec<u8>,
    delimiter: u8,
    requests: &[ColumnRequest<'_>],
    on_error: OnError,
) -> Result<std::result::Result<Table, Vec<u8>>> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    // An empty file is the general reader's to report.
    if bytes.len() > u32::MAX as usize || delimiter >= 0x80 || bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Err(bytes));
    }
    // UTF-8 is checked here for the header, and for the records piece by
    // piece as they are split (in parallel: one pass over a chunk on one
    // thread was a tenth of reading it).
    let Some(header_end) = super::chunks::first_record_end(&bytes, delimiter) else {
        return Ok(Err(bytes));
    };
    if std::str::from_utf8(&bytes[..header_end]).is_err() {
        return Ok(Err(bytes));
    }
    // The header may be quoted (the records may not).
    let header = super::csv::read_header(name, &bytes[..header_end], delimiter)?;
    let indices = resolve(name, &header, requests, Some(delimiter))?;
    let body = &bytes[header_end..];
    if body.is_empty() {
        return Ok(Err(bytes));
    }
    // Which requested slot each field of a record fills, if any.
    let mut wanted: Vec<usize> = indices.iter().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut slot_of = vec![None; header.len()];
    for (slot, &i) in wanted.iter().enumerate() {
        slot_of[i] = Some(slot);
    }
    let layout = Layout {
        delimiter,
        fields: header.len(),
        slot_of: &slot_of,
        slots: wanted.len(),
        starts: on_error == OnError::Skip,
    };
    let pieces: Vec<Option<Piece>> = piece_ranges(body)
        .into_par_iter()
        .map(|range| layout.split(body, range, header_end))
        .collect();
    let Some(pieces) = pieces.into_iter().collect::<Option<Vec<Piece>>>() else {
        return Ok(Err(bytes));
    };
    // SAFETY: the header and every piece of the body (all of it, cut at
    // line ends, which never fall inside a character) are valid UTF-8.
    let text = unsafe { String::from_utf8_unchecked(bytes) };
    let height: usize = pieces.iter().map(|p| p.rows).sum();
    let mut cells: Vec<Cells> = (0..wanted.len()).map(|_| Cells::default()).collect();
    let mut starts = layout.starts.then(|| Vec::with_capacity(height));
    for piece in pieces {
        for (all, (spans, nulls)) in cells.iter_mut().zip(piece.cells) {
            all.push(spans, nulls);
        }
        if let Some(s) = &mut starts {
            s.extend(piece.starts.iter().map(|&b| b as usize));
        }
    }
    // A column requested twice (two flags naming one column) gets a copy.
    let mut uses = vec![0usize; wanted.len()];
    for i in indices.iter().flatten() {
        uses[slot_of[*i].expect("every requested field has a slot")] += 1;
    }
    let columns = indices
        .iter()
        .map(|idx| {
            idx.map(|i| {
                let slot = slot_of[i].expect("every requested field has a slot");
                uses[slot] -= 1;
                let cells = match uses[slot] {
                    0 => std::mem::take(&mut cells[slot]),
                    _ => cells[slot].clone(),
                };
                TableColumn::text(header[i].trim(), cells)
            })
        })
        .collect();
    Ok(Ok(Table {
        name: name.to_string(),
        header: header.iter().map(|h| h.trim().to_string()).collect(),
        columns,
        height,
        locator: Locator::Csv {
            kept: Ok(Vec::new()),
            delimiter,
            starts,
        },
        text: Some(text),
        skipped: (on_error == OnError::Skip).then(Default::default),
        anonymous: Default::default(),
        left_out: Default::default(),
        malformed: Vec::new(),
        decimal_comma: false,
        currency: Default::default(),
        saw_currency: Default::default(),
        offset: Default::default(),
    }))
}

/// Ranges of `body` of about [`PIECE_BYTES`], each ending at a line end.
fn piece_ranges(body: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let probe = (start + PIECE_BYTES).min(body.len());
        let end = match memchr::memchr(b'\n', &body[probe..]) {
            Some(i) => probe + i + 1,
            None => body.len(),
        };
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// How a chunk's records are laid out.
struct Layout<'a> {
    delimiter: u8,
    /// Fields per record (the header's).
    fields: usize,
    /// Per field of a record, the slot it fills.
    slot_of: &'a [Option<usize>],
    slots: usize,
    /// Note where each record starts (`--on-error skip` locates rows by it).
    starts: bool,
}

/// The fields of one piece of a chunk.
struct Piece {
    rows: usize,
    /// Per slot: the spans of its cells and how many are empty.
    cells: Vec<(Vec<(u32, u32)>, usize)>,
    starts: Vec<u32>,
}

impl Layout<'_> {
    /// Splits `body[range]` (whole lines); `None` when a line is not plain
    /// or the piece is not UTF-8.
    /// Offsets are into the chunk, which has `base` bytes before `body`.
    fn split(&self, body: &[u8], range: std::ops::Range<usize>, base: usize) -> Option<Piece> {
        let bytes = &body[range.clone()];
        if memchr::memchr(b'"', bytes).is_some() || std::str::from_utf8(bytes).is_err() {
            return None;
        }
        let carriage = memchr::memchr(b'\r', bytes).is_some();
        let estimate = (bytes.len() / 32).max(16);
        let mut piece = Piece {
            rows: 0,
            cells: (0..self.slots).map(|_| (Vec::with_capacity(estimate), 0)).collect(),
            starts: Vec::new(),
        };
        // Offsets into the chunk of the line and field being read.
        let at = (base + range.start) as u32;
        let (mut line_start, mut from, mut field) = (at, at, 0usize);
        let push = |piece: &mut Piece, field: usize, from: u32, to: u32| {
            if let Some(Some(slot)) = self.slot_of.get(field) {
                let (spans, nulls) = &mut piece.cells[*slot];
                *nulls += usize::from(from == to);
                spans.push((from, to));
            }
        };
        let hits = memchr::memchr2_iter(self.delimiter, b'\n', bytes);
        // A last line without a line end ends the piece.
        let end = (bytes.last() != Some(&b'\n')).then_some(bytes.len());
        for i in hits.chain(end) {
            let pos = at + i as u32;
            if i < bytes.len() && bytes[i] == self.delimiter {
                push(&mut piece, field, from, pos);
                field += 1;
                from = pos + 1;
                continue;
            }
            let mut to = pos;
            if carriage && to > from && body[to as usize - base - 1] == b'\r' {
                to -= 1;
            }
            if to == line_start || field + 1 != self.fields {
                // A blank line, or not the header's number of fields.
                return None;
            }
            push(&mut piece, field, from, to);
            if self.starts {
                piece.starts.push(line_start);
            }
            piece.rows += 1;
            (line_start, from, field) = (pos + 1, pos + 1, 0);
        }
        // A carriage return anywhere but before a line end is not plain.
        if carriage && memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n') && i + 1 != bytes.len()) {
            return None;
        }
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::format::csv;

    fn requests() -> Vec<ColumnRequest<'static>> {
        vec![
            ColumnRequest::required("id", "--customer-col"),
            ColumnRequest::optional("channel", "--channel-col"),
            ColumnRequest::optional("value", "--value-col"),
            ColumnRequest::optional("absent", "--type-col"),
            // The same column twice gets the same cells.
            ColumnRequest::optional("id", "--event-col"),
        ]
    }

    /// Every requested cell of `table`, as the converters see it.
    fn cells(table: &Table) -> Vec<Option<Vec<Option<String>>>> {
        (0..table.columns.len())
            .map(|c| {
                table.columns[c].as_ref()?;
                let mut out = Vec::new();
                table
                    .for_each_cell(c, |cell| out.push(cell.map(str::to_string)))
                    .expect("text column");
                Some(out)
            })
            .collect()
    }

    /// `text` read by the general reader.
    fn general(text: &str, on_error: OnError) -> Result<Table> {
        csv::read(
            "t.csv",
            text.as_bytes(),
            csv::Origin::Kept,
            Some(b','),
            &requests(),
            "touchpoint",
            on_error,
        )
    }

    fn both(text: &str, on_error: OnError) -> (Table, Table) {
        let general = general(text, on_error).unwrap();
        let plain = read("t.csv", text.as_bytes().to_vec(), b',', &requests(), on_error)
            .unwrap()
            .unwrap_or_else(|_| panic!("{text:?} should be plain"));
        (general, plain)
    }

    #[test]
    fn plain_chunks_read_like_the_general_reader() {
        let texts = [
            "id,channel,value\nc1,Search,1.5\nc2,,\n",
            "\u{feff}id,channel,value\r\nc1,Search,1.5\r\nc2, Email ,\r\nc3,Social,0",
            " id ,x,channel,value\nc1,y,Search,\nc2,,Displäy,3\n",
            "\"id\",\"channel\",\"value\"\r\nc1,Search,2\r\nc2,Email,\r\n",
            "id,channel,value\nc1,Search,2\r",
        ];
        for text in texts {
            for on_error in [OnError::Stop, OnError::Skip] {
                let (general, plain) = both(text, on_error);
                assert_eq!(plain.height, general.height, "{text:?}");
                assert_eq!(plain.header, general.header, "{text:?}");
                assert_eq!(cells(&plain), cells(&general), "{text:?}");
                for row in 0..plain.height {
                    assert_eq!(plain.location(row), general.location(row), "{text:?} row {row}");
                }
            }
        }
    }

    #[test]
    fn anything_unusual_goes_to_the_general_reader() {
        let unusual = [
            "id,channel,value\nc1,\"Search, paid\",1\n",
            "id,channel,value\nc1,Search,1\n\nc2,Email,2\n",
            "id,channel,value\nc1,Search\n",
            "id,channel,value\nc1,Search,1,extra\n",
            "id,channel,value\nc1,Sea\rrch,1\n",
            "id,channel,value\nc1,Search,1\r\r\n",
            "id,channel,value\nc1,Search,1\n\r\n",
            "id,channel,value\n",
            "id,channel,value",
            " \n\n",
        ];
        for text in unusual {
            let back = read("t.csv", text.as_bytes().to_vec(), b',', &requests(), OnError::Stop).unwrap();
            assert_eq!(back.err().as_deref(), Some(text.as_bytes()), "{text:?}");
        }
        // Bytes that are not UTF-8, in a record or in the header.
        for latin1 in [&b"id,channel,value\nc1,Caf\xe9,1\n"[..], b"id,channel,value,caf\xe9\nc1,Cafe,1,x\n"] {
            let back = read("t.csv", latin1.to_vec(), b',', &requests(), OnError::Stop).unwrap();
            assert_eq!(back.err().as_deref(), Some(latin1));
        }
    }

    #[test]
    fn a_missing_column_is_the_general_readers_error() {
        let text = "customer,channel\nc1,Search\n";
        let general = general(text, OnError::Stop);
        let plain = read("t.csv", text.as_bytes().to_vec(), b',', &requests(), OnError::Stop);
        assert_eq!(plain.err().unwrap().to_string(), general.err().unwrap().to_string());
    }

    #[test]
    fn the_first_bad_row_is_reported_whatever_the_piece() {
        // Converters run over pieces of 65,536 rows in parallel.
        let text_again = || {
            let mut text = String::from("id,channel,value\n");
            for i in 0..200_000 {
                let bad = matches!(i, 70_000 | 150_000);
                text.push_str(&format!("c{},x,{}\n", i % 977, if bad { "oops" } else { "1" }));
            }
            text.into_bytes()
        };
        let table = read("t.csv", text_again(), b',', &requests(), OnError::Stop).unwrap().unwrap();
        let mut out = Vec::new();
        let err = table
            .amounts(2, "a revenue amount", crate::input::Reason::InvalidValue, &mut out)
            .unwrap_err();
        assert!(err.to_string().contains("line 70002, column `value`: found `oops`"), "{err}");
        assert!(out.is_empty(), "nothing appended on an error");
        // Skipping: every row gets its value, in row order across the pieces.
        let table = read("t.csv", text_again(), b',', &requests(), OnError::Skip).unwrap().unwrap();
        let mut out = vec![7.0];
        table
            .amounts(2, "a revenue amount", crate::input::Reason::InvalidValue, &mut out)
            .unwrap();
        assert_eq!(out.len(), 200_001);
        assert!(
            out[1..]
                .iter()
                .enumerate()
                .all(|(i, &v)| v == if matches!(i, 70_000 | 150_000) { 0.0 } else { 1.0 })
        );
        assert_eq!(out[0], 7.0);
        let mut ids = crate::intern::customers::RowIds::default();
        table.ids(0, &mut ids).unwrap();
        assert_eq!(ids.len(), 200_000);
        assert!((0..200_000).step_by(9_999).all(|i| ids.get(i) == format!("c{}", i % 977)));
    }

    #[test]
    fn pieces_join_in_row_order() {
        let mut text = String::from("id,channel,value\n");
        for i in 0..100_000 {
            text.push_str(&format!("customer-{i:06},channel-{},{}\n", i % 7, i % 3));
        }
        let (general, plain) = both(&text, OnError::Stop);
        assert!(text.len() > 2 * PIECE_BYTES, "several pieces");
        assert_eq!(cells(&plain), cells(&general));
        // Converted columns too, appended after what the column held.
        let interned = |t: &Table| {
            let (mut names, mut codes) = (crate::intern::Interner::new(), vec![9]);
            names.intern("before");
            t.intern(1, &mut names, None, &mut codes).unwrap();
            let mut values = vec![-1.0];
            t.amounts(2, "a value", crate::input::Reason::InvalidValue, &mut values).unwrap();
            (codes, names.iter().map(str::to_string).collect::<Vec<_>>(), values)
        };
        let got = interned(&plain);
        assert_eq!(got, interned(&general));
        let (codes, names, values) = got;
        assert_eq!(names.len(), 8);
        assert_eq!(
            codes[1..].iter().map(|&c| names[c as usize].as_str()).nth(99_999),
            Some("channel-4")
        );
        assert_eq!(values[99_999 + 1], 0.0);
    }
}
