//! A CSV stream cut into chunks of whole records, so that the text of a
//! large file is never held at once: each chunk is parsed as a file of its
//! own (the header, then its records) into typed columns, then dropped.

use std::io::Read;

/// Bytes per chunk, unless `MTA_CSV_CHUNK_BYTES` says otherwise (tests use
/// a few hundred bytes to cut small files into many chunks). 8 MiB: a
/// chunk's text stays in cache across the converters' passes over it (at
/// 2M customers 5% faster and 15% less memory than 32 MiB, the same at 10M).
pub(crate) fn chunk_bytes() -> usize {
    std::env::var("MTA_CSV_CHUNK_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(8 << 20)
}

/// Bytes of the first chunk (when chunks are larger): a whole first chunk
/// of 32 MiB kept all cores but the reader's idle for 0.2 s of a 2 s run.
const FIRST_CHUNK: usize = 2 << 20;

/// One chunk: the header and whole records (the first chunk: the file's
/// start, header included), and where its records start in the file.
pub(crate) struct Chunk {
    /// The bytes to parse as a CSV file.
    pub bytes: Vec<u8>,
    /// Physical lines of the file between the header and the chunk's first
    /// record (its data rows before it are the caller's to count).
    pub lines_before: u64,
}

/// Cuts a stream into [`Chunk`]s at record ends (a line end outside a
/// quoted field).
pub(crate) struct Chunker<R> {
    reader: R,
    delimiter: u8,
    size: usize,
    /// The size of the next chunk: the first chunks are smaller (from
    /// [`FIRST_CHUNK`], doubling up to `size`), so that parsing starts
    /// early instead of waiting for a whole chunk's read on one thread.
    next_size: usize,
    /// Bytes read and not yet handed out (they start at a record).
    pending: Vec<u8>,
    eof: bool,
    /// The header record, once the first chunk is out.
    header: Option<Vec<u8>>,
    /// Line ends handed out so far.
    lines: u64,
    /// A chunk's buffer given back, to read the next one into: its pages
    /// are already the process's (a fresh buffer per chunk cost the kernel
    /// more time zeroing pages than parsing took).
    spare: Option<Vec<u8>>,
}

/// A [`Chunker`] running on a thread of its own, one chunk ahead of the
/// caller: reading and cutting a chunk (a tenth of reading a file) overlap
/// with parsing the one before.
pub(crate) struct ReadAhead {
    chunks: std::sync::mpsc::Receiver<std::io::Result<Chunk>>,
    spare: std::sync::mpsc::Sender<Vec<u8>>,
}

impl ReadAhead {
    /// Starts reading `chunker`'s stream. The thread stops at the end, at
    /// an error (handed on), or when the caller is gone.
    pub fn start<R: Read + Send + 'static>(mut chunker: Chunker<R>) -> Self {
        let (tx, chunks) = std::sync::mpsc::sync_channel(1);
        let (spare, spares) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            loop {
                if let Some(buffer) = spares.try_iter().last() {
                    chunker.recycle(buffer);
                }
                let next = chunker.next_chunk().transpose();
                let last = !matches!(next, Some(Ok(_)));
                if next.is_none_or(|c| tx.send(c).is_err()) || last {
                    return;
                }
            }
        });
        ReadAhead { chunks, spare }
    }

    /// The next chunk, `None` at the end.
    pub fn next(&self) -> std::io::Result<Option<Chunk>> {
        self.chunks.recv().ok().transpose()
    }

    /// Hands a chunk's buffer back for a later chunk.
    pub fn recycle(&self, buffer: Vec<u8>) {
        // The reader may be done: the buffer is then simply dropped.
        let _ = self.spare.send(buffer);
    }
}

impl<R: Read> Chunker<R> {
    /// A chunker of `reader`, whose records are separated by `delimiter`.
    pub fn new(reader: R, delimiter: u8, size: usize) -> Self {
        Chunker {
            reader,
            delimiter,
            size,
            next_size: size.min(FIRST_CHUNK),
            pending: Vec::new(),
            eof: false,
            header: None,
            lines: 0,
            spare: None,
        }
    }

    /// The next chunk, `None` at the end (the first is returned even when
    /// the stream is empty, so that an empty file is reported as such).
    ///
    /// After the first chunk, `pending` starts with the header: a chunk is
    /// handed out as the buffer itself, and only the partial record after
    /// the cut is copied, behind the header, into the next buffer (the text
    /// is copied once, not once per step).
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        let first = self.header.is_none();
        // Bytes of `pending` before the records: the header after the first.
        let skip = self.header.as_ref().map_or(0, Vec::len);
        if !first && self.eof && self.pending.len() == skip {
            return Ok(None);
        }
        let mut want = skip + self.next_size;
        self.next_size = (self.next_size * 2).min(self.size);
        let cut = loop {
            self.fill(want)?;
            if self.eof {
                break self.pending.len();
            }
            match record_ends(&self.pending[skip..], self.delimiter).last {
                Some(c) => break skip + c,
                // A record longer than the chunk: read on.
                None => want = self.pending.len() * 2,
            }
        };
        let records = &self.pending[skip..cut];
        let newlines = memchr::memchr_iter(b'\n', records).count() as u64;
        if first {
            let end = record_ends(records, self.delimiter).first.unwrap_or(records.len());
            let mut header = records[..end].to_vec();
            if !header.ends_with(b"\n") {
                header.push(b'\n');
            }
            self.header = Some(header);
            self.lines = newlines;
            let bytes = self.take(cut);
            return Ok(Some(Chunk { bytes, lines_before: 0 }));
        }
        if records.iter().all(u8::is_ascii_whitespace) {
            // Blank lines at the end: no records (as in a file read whole).
            self.lines += newlines;
            self.pending.drain(skip..cut);
            return self.next_chunk();
        }
        let header = self.header.as_deref().expect("set by the first chunk");
        let header_lines = memchr::memchr_iter(b'\n', header).count() as u64;
        let lines_before = self.lines.saturating_sub(header_lines);
        self.lines += newlines;
        let bytes = self.take(cut);
        Ok(Some(Chunk { bytes, lines_before }))
    }

    /// Hands out `pending[..cut]`; `pending` becomes the header followed by
    /// the bytes after `cut`.
    fn take(&mut self, cut: usize) -> Vec<u8> {
        let header = self.header.as_deref().unwrap_or_default();
        let rest = &self.pending[cut..];
        let mut next = self.spare.take().unwrap_or_default();
        next.clear();
        next.reserve(if self.eof {
            header.len() + rest.len()
        } else {
            header.len() + self.next_size + (1 << 16)
        });
        next.extend_from_slice(header);
        next.extend_from_slice(rest);
        let mut chunk = std::mem::replace(&mut self.pending, next);
        chunk.truncate(cut);
        chunk
    }

    /// Takes back the buffer of a chunk handed out, for a later chunk.
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        self.spare = Some(buffer);
    }

    /// Reads until `pending` holds `want` bytes or the stream ends (the
    /// buffer grows with what is read: a small file never gets a chunk's
    /// worth of zeroed memory).
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while !self.eof && self.pending.len() < want {
            let missing = (want - self.pending.len()) as u64;
            let n = (&mut self.reader).take(missing).read_to_end(&mut self.pending)?;
            self.eof = n == 0;
        }
        Ok(())
    }
}

/// Where records end in `bytes` (offsets just past a line end outside
/// quotes): the first (the header's, in a first chunk) and the last.
struct RecordEnds {
    first: Option<usize>,
    last: Option<usize>,
}

/// The record ends of `bytes`, which start at a record. A quote opens a
/// quoted field only at the start of a field (elsewhere it is a plain
/// character), as the CSV readers have it; without any quote, every line
/// end ends a record.
fn record_ends(bytes: &[u8], delimiter: u8) -> RecordEnds {
    scan_record_ends(bytes, delimiter, false)
}

/// Where the first record of `bytes` ends (just past its line end outside
/// quotes), if it does.
pub(crate) fn first_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    // Without a quote before the first line end, that is the end: no scan
    // of the whole chunk for quotes (the plain reader asks on one thread).
    let line_end = memchr::memchr(b'\n', bytes)?;
    if memchr::memchr(b'"', &bytes[..line_end]).is_none() {
        return Some(line_end + 1);
    }
    scan_record_ends(bytes, delimiter, true).first
}

/// [`record_ends`], stopping at the first when `first_only`.
fn scan_record_ends(bytes: &[u8], delimiter: u8, first_only: bool) -> RecordEnds {
    if memchr::memchr(b'"', bytes).is_none() {
        return RecordEnds {
            first: memchr::memchr(b'\n', bytes).map(|i| i + 1),
            last: memchr::memrchr(b'\n', bytes).map(|i| i + 1),
        };
    }
    let mut ends = RecordEnds { first: None, last: None };
    let (mut quoted, mut field_start, mut closed) = (false, true, false);
    for (i, &b) in bytes.iter().enumerate() {
        if quoted {
            (quoted, closed) = (b != b'"', b == b'"');
        } else {
            (quoted, closed) = (b == b'"' && (field_start || closed), false);
        }
        field_start = !quoted && (b == delimiter || b == b'\n');
        if b == b'\n' && !quoted {
            ends.first.get_or_insert(i + 1);
            ends.last = Some(i + 1);
            if first_only {
                break;
            }
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::format::table::Offset;

    fn chunks(text: &str, size: usize) -> Vec<(String, Offset)> {
        let c = Chunker::new(std::io::Cursor::new(text.as_bytes().to_vec()), b',', size);
        let ahead = ReadAhead::start(c);
        let mut out = Vec::new();
        let mut rows = 0;
        while let Some(chunk) = ahead.next().unwrap() {
            let offset = Offset {
                lines: chunk.lines_before,
                rows,
            };
            // The caller counts the records of each chunk.
            rows += (String::from_utf8_lossy(&chunk.bytes).lines().count() as u64).saturating_sub(1);
            out.push((String::from_utf8(chunk.bytes).unwrap(), offset));
        }
        out
    }

    #[test]
    fn chunks_are_whole_records_after_the_header() {
        let got = chunks("a,b\n1,2\n3,4\n5,6\n", 4);
        let texts: Vec<&str> = got.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(texts, ["a,b\n", "a,b\n1,2\n", "a,b\n3,4\n", "a,b\n5,6\n"]);
        assert_eq!(got[3].1, Offset { lines: 2, rows: 2 });
        let got = chunks("a,b\n1,2\n3,4\n5,6\n", 8);
        let texts: Vec<&str> = got.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(texts, ["a,b\n1,2\n", "a,b\n3,4\n5,6\n"]);
        assert_eq!(got[1].1, Offset { lines: 1, rows: 1 });
    }

    #[test]
    fn first_chunks_are_smaller_and_grow_to_the_size() {
        let mut text = String::from("id,n\n");
        for i in 0..700_000 {
            text.push_str(&format!("c{i:07},{}\n", i % 10));
        }
        let size = 8 << 20;
        let got = chunks(&text, size);
        let records: Vec<usize> = got.iter().map(|c| c.0.len() - "id,n\n".len()).collect();
        // 2 MiB (the header and the whole records that fit), then 4 MiB, then the rest.
        assert_eq!(records.len(), 3, "{records:?}");
        assert!(records[0] > FIRST_CHUNK - 20 && records[0] <= FIRST_CHUNK, "{records:?}");
        assert!(records[1] > 2 * FIRST_CHUNK - 20 && records[1] <= 2 * FIRST_CHUNK, "{records:?}");
        let joined: String = got.iter().map(|c| &c.0["id,n\n".len()..]).collect();
        assert_eq!(joined, text["id,n\n".len()..]);
    }

    #[test]
    fn the_first_record_ends_at_its_line_end_outside_quotes() {
        assert_eq!(first_record_end(b"a,b\n1,\"2\n3\"\n", b','), Some(4));
        assert_eq!(first_record_end(b"\"a\nb\",c\n1,2\n", b','), Some(8));
        assert_eq!(first_record_end(b"a,\"b\"\r\n1,2\n", b','), Some(7));
        assert_eq!(first_record_end(b"a,b", b','), None);
        assert_eq!(first_record_end(b"\"a\nb", b','), None);
    }

    #[test]
    fn a_quoted_line_end_does_not_cut() {
        let got = chunks("a,b\n1,\"x\ny\"\n2,z\n", 9);
        let texts: Vec<&str> = got.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(texts, ["a,b\n", "a,b\n1,\"x\ny\"\n", "a,b\n2,z\n"]);
        // Line 2 of the last chunk is line 4 of the file.
        use crate::error::Location;
        assert_eq!(got[2].1.shift(Location::Line(2)), Location::Line(4));
        // A quote inside an unquoted field is a plain character.
        let got = chunks("a,b\n5\"x,1\n2,z\n", 6);
        let texts: Vec<&str> = got.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(texts, ["a,b\n", "a,b\n5\"x,1\n", "a,b\n2,z\n"]);
    }

    #[test]
    fn an_empty_stream_is_one_empty_chunk_and_trailing_blanks_none() {
        assert_eq!(chunks("", 4).len(), 1);
        let got = chunks("a,b\n1,2\n\n\n", 8);
        assert_eq!(got.len(), 1, "{got:?}");
        let no_newline = chunks("a,b\n1,2\n3,4", 8);
        assert_eq!(no_newline.last().unwrap().0, "a,b\n3,4");
    }
}
