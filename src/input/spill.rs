//! Out of core: rows partitioned by customer hash into files on disk.
//!
//! When the typed columns of an input would not fit in `--memory-limit`,
//! every row goes to one of [`PARTITIONS`] files by the top bits of its
//! customer's hash (the hash that orders customers, see
//! [`super::customers`]). A partition then holds whole customers, and the
//! partitions in order hold them in the canonical order: journeys built
//! partition by partition come out exactly as from all rows at once.
//!
//! Files live in a fresh directory under `--temp-dir` (default: the system
//! temp dir), removed when the [`Partitions`] are dropped, on error too;
//! [`remove_temp_dirs_and_exit`] removes them from a Ctrl-C handler.
//!
//! A record: a header byte (bit 0: a conversion of the conversions file;
//! bit 1: an inline conversion; bit 2: a nonzero value follows; bit 3: a
//! conversion type follows), the id (length as LEB128, bytes), the time (8
//! bytes), the channel (LEB128; touches only), the value (8 bytes) and the
//! type (LEB128). Native byte order: the files never leave the process.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::intern::customers::{self, RowIds};

/// Partition files: the top 8 bits of the customer hash.
pub const PARTITIONS: usize = 256;

/// Buffer per open partition file.
const BUFFER: usize = 64 * 1024;

/// Temporary directories in use, for [`remove_temp_dirs_and_exit`].
static TEMP_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary directory still in use and ends the process
/// with `code` (for a Ctrl-C handler: exiting runs no destructors).
///
/// The registry stays locked until the exit, so no new directory can appear
/// meanwhile; a directory is removed until it is gone, because writer threads
/// may still create a file in it between the removal of its entries and its
/// own (after that, creating a file in it fails).
pub fn remove_temp_dirs_and_exit(code: i32) -> ! {
    let dirs = TEMP_DIRS.lock().unwrap_or_else(|e| e.into_inner());
    for d in dirs.iter() {
        for _ in 0..1000 {
            match std::fs::remove_dir_all(d) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
                _ => break,
            }
        }
    }
    std::process::exit(code)
}

/// `4294967296` as `4G`: for messages.
pub fn format_bytes(n: u64) -> String {
    let units = [(1u64 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")];
    match units.iter().find(|(size, _)| n >= *size) {
        Some((size, unit)) if n.is_multiple_of(*size) => format!("{}{unit}", n / size),
        Some((size, unit)) => format!("{:.1}{unit}", n as f64 / *size as f64),
        None => n.to_string(),
    }
}

/// The partition of a customer id.
fn partition_of(id: &str) -> usize {
    (customers::hash_of(id) >> (64 - PARTITIONS.trailing_zeros())) as usize
}

/// A temporary directory, removed on drop and listed for
/// [`remove_temp_dirs_and_exit`].
#[derive(Debug)]
struct TempDir(tempfile::TempDir);

impl TempDir {
    fn new(parent: Option<&Path>) -> Result<TempDir> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        // Created under the registry's lock, so that a Ctrl-C never sees a
        // directory that is not listed yet.
        let mut dirs = TEMP_DIRS.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::Builder::new()
            .prefix("mta-")
            .tempdir_in(&parent)
            .map_err(|source| Error::Write {
                path: parent.display().to_string(),
                source,
            })?;
        dirs.push(dir.path().to_path_buf());
        Ok(TempDir(dir))
    }

    fn file(&self, p: usize) -> PathBuf {
        self.0.path().join(format!("part-{p:03}"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Removed before it leaves the registry, under its lock: a Ctrl-C in
        // between would otherwise leave it behind.
        let mut dirs = TEMP_DIRS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = std::fs::remove_dir_all(self.0.path());
        dirs.retain(|d| d != self.0.path());
    }
}

/// One row read back from a partition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Record {
    /// A touch (with its inline conversion flag and value).
    Touch {
        /// Time, epoch ms.
        time: i64,
        /// Channel code in the reading's interner.
        channel: u32,
        /// Inline conversion.
        flag: bool,
        /// Revenue.
        value: f64,
        /// Conversion type code.
        kind: Option<u32>,
    },
    /// A conversion of the conversions file.
    Conversion {
        /// Time, epoch ms.
        time: i64,
        /// Revenue.
        value: f64,
        /// Conversion type code.
        kind: Option<u32>,
    },
}

/// Rows being written to partition files.
pub(crate) struct Spill {
    dir: TempDir,
    writers: Vec<BufWriter<std::fs::File>>,
    bytes: Vec<u64>,
    buf: Vec<u8>,
}

impl Spill {
    /// Creates the directory and its partition files under `parent`.
    pub(crate) fn new(parent: Option<&Path>) -> Result<Spill> {
        let dir = TempDir::new(parent)?;
        let writers = (0..PARTITIONS)
            .map(|p| {
                let path = dir.file(p);
                std::fs::File::create(&path)
                    .map(|f| BufWriter::with_capacity(BUFFER, f))
                    .map_err(|source| Error::Write {
                        path: path.display().to_string(),
                        source,
                    })
            })
            .collect::<Result<_>>()?;
        Ok(Spill {
            dir,
            writers,
            bytes: vec![0; PARTITIONS],
            buf: Vec::with_capacity(64),
        })
    }

    /// Writes one row of customer `id`.
    pub(crate) fn write(&mut self, id: &str, record: Record) -> Result<()> {
        let b = &mut self.buf;
        b.clear();
        let (head, time, channel, value, kind) = match record {
            Record::Touch {
                time,
                channel,
                flag,
                value,
                kind,
            } => (u8::from(flag) << 1, time, Some(channel), value, kind),
            Record::Conversion { time, value, kind } => (1, time, None, value, kind),
        };
        b.push(head | u8::from(value != 0.0) << 2 | u8::from(kind.is_some()) << 3);
        leb128(b, id.len() as u64);
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(&time.to_ne_bytes());
        if let Some(c) = channel {
            leb128(b, c.into());
        }
        if value != 0.0 {
            b.extend_from_slice(&value.to_ne_bytes());
        }
        if let Some(k) = kind {
            leb128(b, k.into());
        }
        let p = partition_of(id);
        self.bytes[p] += b.len() as u64;
        self.writers[p].write_all(b).map_err(|source| Error::Write {
            path: self.dir.file(p).display().to_string(),
            source,
        })
    }

    /// Flushes and closes the files.
    pub(crate) fn finish(self) -> Result<Partitions> {
        for (p, w) in self.writers.into_iter().enumerate() {
            w.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_data().map(|_| f))
                .map_err(|source| Error::Write {
                    path: self.dir.file(p).display().to_string(),
                    source,
                })?;
        }
        Ok(Partitions {
            dir: self.dir,
            bytes: self.bytes,
        })
    }
}

/// Partition files written, read back a few at a time.
#[derive(Debug)]
pub struct Partitions {
    dir: TempDir,
    bytes: Vec<u64>,
}

/// Rows of some partitions as typed columns, in file order: the touches,
/// and the conversions of the conversions file.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    /// Customer id per touch.
    pub ids: RowIds,
    /// Touch time, epoch ms.
    pub time: Vec<i64>,
    /// Touch channel code.
    pub channel: Vec<u32>,
    /// Inline conversion flag.
    pub flag: Vec<bool>,
    /// Touch revenue.
    pub value: Vec<f64>,
    /// Customer id per conversion.
    pub conversion_ids: RowIds,
    /// Conversion time, epoch ms.
    pub conversion_time: Vec<i64>,
    /// Conversion revenue.
    pub conversion_value: Vec<f64>,
}

impl Rows {
    fn push(&mut self, id: &str, record: Record) {
        match record {
            Record::Touch {
                time,
                channel,
                flag,
                value,
                ..
            } => {
                self.ids.push(id);
                self.time.push(time);
                self.channel.push(channel);
                self.flag.push(flag);
                self.value.push(value);
            }
            Record::Conversion { time, value, .. } => {
                self.conversion_ids.push(id);
                self.conversion_time.push(time);
                self.conversion_value.push(value);
            }
        }
    }

    fn len(&self) -> usize {
        self.ids.len() + self.conversion_ids.len()
    }
}

impl Partitions {
    /// The temporary directory of the partition files, for other files of
    /// the run (removed with it, on Ctrl-C too).
    pub fn dir(&self) -> &Path {
        self.dir.0.path()
    }

    /// Bytes written in all.
    pub fn bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }

    /// Runs of consecutive partitions of at most `budget` bytes of files
    /// each (a larger partition alone), in order.
    pub fn groups(&self, budget: u64) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut size) = (0, 0);
        for p in 0..PARTITIONS {
            if p > start && size + self.bytes[p] > budget {
                out.push(start..p);
                (start, size) = (p, 0);
            }
            size += self.bytes[p];
        }
        out.push(start..PARTITIONS);
        out
    }

    /// Reads the rows of partitions `range`; each file is removed once read.
    pub(crate) fn read(&self, range: std::ops::Range<usize>) -> Result<Rows> {
        let mut rows = Rows::default();
        let mut bytes = Vec::new();
        for p in range {
            let path = self.dir.file(p);
            let err = |source| Error::Read {
                path: path.display().to_string(),
                source,
            };
            bytes.clear();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(err)?;
            let _ = std::fs::remove_file(&path);
            decode(&bytes, &mut rows).map_err(|detail| Error::Malformed {
                path: path.display().to_string(),
                location: crate::error::Location::Row(rows.len() as u64 + 1),
                detail: format!("temporary file damaged ({detail}): was the temp dir cleaned up while mta ran?"),
            })?;
        }
        Ok(rows)
    }
}

fn leb128(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Decodes every record of one file into `rows`.
fn decode(mut b: &[u8], rows: &mut Rows) -> std::result::Result<(), &'static str> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> std::result::Result<&'a [u8], &'static str> {
        if b.len() < n {
            return Err("a record is cut short");
        }
        let (head, tail) = b.split_at(n);
        *b = tail;
        Ok(head)
    }
    fn uleb(b: &mut &[u8]) -> std::result::Result<u64, &'static str> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = take(b, 1)?[0];
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number is too long")
    }
    fn eight(b: &mut &[u8]) -> std::result::Result<[u8; 8], &'static str> {
        Ok(take(b, 8)?.try_into().expect("eight bytes"))
    }
    while !b.is_empty() {
        let head = take(&mut b, 1)?[0];
        let len = uleb(&mut b)? as usize;
        let id = std::str::from_utf8(take(&mut b, len)?).map_err(|_| "an id is not UTF-8")?;
        let time = i64::from_ne_bytes(eight(&mut b)?);
        let channel = match head & 1 {
            0 => Some(u32::try_from(uleb(&mut b)?).map_err(|_| "a channel code is too large")?),
            _ => None,
        };
        let value = match head & 4 {
            0 => 0.0,
            _ => f64::from_ne_bytes(eight(&mut b)?),
        };
        let kind = match head & 8 {
            0 => None,
            _ => Some(u32::try_from(uleb(&mut b)?).map_err(|_| "a type code is too large")?),
        };
        rows.push(
            id,
            match channel {
                Some(channel) => Record::Touch {
                    time,
                    channel,
                    flag: head & 2 != 0,
                    value,
                    kind,
                },
                None => Record::Conversion { time, value, kind },
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_by_partition_with_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::new(Some(dir.path())).unwrap();
        let mut want: Vec<Vec<(String, Record)>> = vec![Vec::new(); PARTITIONS];
        for i in 0..2000u32 {
            let id = format!("customer-{}", i % 700);
            let record = match i % 3 {
                0 => Record::Conversion {
                    time: -(i as i64) * 1_000_003,
                    value: f64::from(i) / 3.0,
                    kind: (i % 2 == 0).then_some(i),
                },
                _ => Record::Touch {
                    time: i as i64 * 86_400_000,
                    channel: i * 7919,
                    flag: i % 5 == 0,
                    value: if i % 4 == 0 { 0.0 } else { -1.5 * f64::from(i) },
                    kind: (i % 6 == 1).then_some(300),
                },
            };
            spill.write(&id, record).unwrap();
            want[partition_of(&id)].push((id, record));
        }
        let parts = spill.finish().unwrap();
        let groups = parts.groups(parts.bytes() / 10);
        assert!(groups.len() >= 10, "{} groups", groups.len());
        for range in groups {
            let rows = parts.read(range.clone()).unwrap();
            let mut expected = Rows::default();
            for (id, record) in want[range].iter().flatten() {
                expected.push(id, *record);
            }
            assert_eq!(format!("{rows:?}"), format!("{expected:?}"));
            assert_eq!(rows.len(), expected.len());
        }
        let path = parts.dir.0.path().to_path_buf();
        assert!(path.starts_with(dir.path()));
        drop(parts);
        assert!(!path.exists(), "the directory goes with the partitions");
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::new(Some(dir.path())).unwrap();
        spill
            .write(
                "a",
                Record::Conversion {
                    time: 1,
                    value: 2.0,
                    kind: None,
                },
            )
            .unwrap();
        let parts = spill.finish().unwrap();
        let p = partition_of("a");
        let file = parts.dir.file(p);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 3]).unwrap();
        let err = parts.read(p..p + 1).unwrap_err().to_string();
        assert!(err.contains("cut short"), "{err}");
    }
}
