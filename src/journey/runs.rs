//! Journeys on disk in output order, merged back (out of core).
//!
//! Row exports (`mta journeys`, `--per-conversion`) are sorted by customer
//! id, but out of core the journeys come a group of customers at a time, in
//! hash order. Each group's journeys are written as one sorted run, and the
//! runs are merged as the rows are written: the rows come out in the order
//! of one sort over all journeys, with one journey per run in memory. A
//! customer lives in one group, so the runs never tie on a customer and the
//! order within a customer is the run's.
//!
//! A record: the customer id (u32 length, bytes), a flag byte (bit 0: a
//! conversion time follows; bit 1: touch times follow), the conversion time
//! (i64), the conversions, value and nulls (f64), the touch count (u32), the
//! touches (u32 each) and their times (i64 each). Native byte order: the
//! files never leave the process.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::{ChannelId, Journey, Journeys};

/// Buffer per run file, for writing and for reading back.
const BUFFER: usize = 256 * 1024;

/// One journey read back from a run, with its customer's id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedJourney {
    /// Customer id as written in the input.
    pub customer_id: String,
    /// Channels touched, first touch first.
    pub touches: Vec<ChannelId>,
    /// Touch times in epoch ms, when the journeys carry them.
    pub times: Option<Vec<i64>>,
    /// Conversions closing the journey.
    pub conversions: f64,
    /// Their revenue.
    pub value: f64,
    /// Non-converting journeys (1 for a trailing one).
    pub nulls: f64,
    /// Conversion time in epoch ms.
    pub converted_at: Option<i64>,
}

impl OwnedJourney {
    /// The journey as the models see it (no customer code: runs have none).
    pub fn view(&self) -> Journey<'_> {
        Journey {
            touches: &self.touches,
            times: self.times.as_deref(),
            conversions: self.conversions,
            value: self.value,
            nulls: self.nulls,
            converted_at: self.converted_at,
            customer: None,
            // Out of core runs no conversion types, so no milestones.
            milestones: [None; crate::journey::MAX_MILESTONES],
        }
    }
}

/// Sorted runs of journeys written so far, in files under one directory
/// (whose owner removes them).
#[derive(Debug)]
pub struct Runs {
    dir: PathBuf,
    files: Vec<PathBuf>,
    journeys: u64,
}

impl Runs {
    /// No runs yet; their files will go to `dir`.
    pub fn new(dir: &Path) -> Self {
        Runs {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            journeys: 0,
        }
    }

    /// Journeys written in all runs.
    pub fn journeys(&self) -> u64 {
        self.journeys
    }

    /// Writes the journeys `order` of `journeys` (which carry customers) as
    /// the next run. Errors name the file.
    pub fn write(&mut self, journeys: &Journeys, order: &[usize]) -> crate::error::Result<()> {
        let path = self.dir.join(format!("run-{:05}", self.files.len()));
        let failed = |source| crate::Error::Write {
            path: path.display().to_string(),
            source,
        };
        let file = File::create(&path).map_err(failed)?;
        self.files.push(path.clone());
        let mut w = BufWriter::with_capacity(BUFFER, file);
        for &i in order {
            let j = journeys.get(i);
            let id = j.customer.and_then(|c| journeys.customer_name(c)).unwrap_or("");
            write_record(&mut w, id, &j).map_err(failed)?;
        }
        w.flush().map_err(failed)?;
        self.journeys += order.len() as u64;
        Ok(())
    }

    /// The runs merged by `cmp` (which must order each run as it was
    /// written); ties go to the earlier run.
    pub fn merge(self, cmp: fn(&OwnedJourney, &OwnedJourney) -> Ordering) -> io::Result<Merge> {
        let mut heads = Vec::with_capacity(self.files.len());
        for path in &self.files {
            let file = File::open(path).map_err(|e| in_file(path, e))?;
            let mut run = Run {
                reader: BufReader::with_capacity(BUFFER, file),
                path: path.clone(),
            };
            let mut head = OwnedJourney::default();
            if run.read(&mut head)? {
                heads.push((head, run));
            }
        }
        Ok(Merge { heads, cmp })
    }
}

/// An I/O error of a run file, naming it (the rows' writer reports it).
fn in_file(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("temporary file {}: {e}", path.display()))
}

fn write_record(w: &mut impl Write, id: &str, j: &Journey<'_>) -> io::Result<()> {
    w.write_all(&(id.len() as u32).to_ne_bytes())?;
    w.write_all(id.as_bytes())?;
    let flags = u8::from(j.converted_at.is_some()) | u8::from(j.times.is_some()) << 1;
    w.write_all(&[flags])?;
    if let Some(t) = j.converted_at {
        w.write_all(&t.to_ne_bytes())?;
    }
    for x in [j.conversions, j.value, j.nulls] {
        w.write_all(&x.to_ne_bytes())?;
    }
    w.write_all(&(j.touches.len() as u32).to_ne_bytes())?;
    for &c in j.touches {
        w.write_all(&c.to_ne_bytes())?;
    }
    for &t in j.times.unwrap_or(&[]) {
        w.write_all(&t.to_ne_bytes())?;
    }
    Ok(())
}

/// One run being read back.
struct Run {
    reader: BufReader<File>,
    path: PathBuf,
}

impl Run {
    /// Reads the next record into `out`; `false` at the end of the run.
    fn read(&mut self, out: &mut OwnedJourney) -> io::Result<bool> {
        self.read_record(out).map_err(|e| in_file(&self.path, e))
    }

    fn read_record(&mut self, out: &mut OwnedJourney) -> io::Result<bool> {
        let r = &mut self.reader;
        let mut len = [0u8; 4];
        match r.read_exact(&mut len) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            other => other?,
        }
        let mut id = std::mem::take(&mut out.customer_id).into_bytes();
        id.resize(u32::from_ne_bytes(len) as usize, 0);
        r.read_exact(&mut id)?;
        out.customer_id = String::from_utf8(id).map_err(io::Error::other)?;
        let mut flags = [0u8];
        r.read_exact(&mut flags)?;
        out.converted_at = if flags[0] & 1 == 1 {
            Some(i64::from_ne_bytes(read8(r)?))
        } else {
            None
        };
        out.conversions = f64::from_ne_bytes(read8(r)?);
        out.value = f64::from_ne_bytes(read8(r)?);
        out.nulls = f64::from_ne_bytes(read8(r)?);
        r.read_exact(&mut len)?;
        let n = u32::from_ne_bytes(len) as usize;
        out.touches.clear();
        for _ in 0..n {
            r.read_exact(&mut len)?;
            out.touches.push(u32::from_ne_bytes(len));
        }
        if flags[0] & 2 == 2 {
            let times = out.times.get_or_insert_with(Vec::new);
            times.clear();
            for _ in 0..n {
                times.push(i64::from_ne_bytes(read8(r)?));
            }
        } else {
            out.times = None;
        }
        Ok(true)
    }
}

fn read8(r: &mut impl Read) -> io::Result<[u8; 8]> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// Runs being merged: the next journey of each run still open.
pub struct Merge {
    heads: Vec<(OwnedJourney, Run)>,
    cmp: fn(&OwnedJourney, &OwnedJourney) -> Ordering,
}

impl Merge {
    /// Calls `f` with every journey of every run, in merged order.
    pub fn for_each(mut self, mut f: impl FnMut(&OwnedJourney) -> io::Result<()>) -> io::Result<()> {
        let mut spare = OwnedJourney::default();
        while !self.heads.is_empty() {
            // A handful of runs (one per group of partitions): a scan is enough.
            let mut best = 0;
            for k in 1..self.heads.len() {
                if (self.cmp)(&self.heads[k].0, &self.heads[best].0) == Ordering::Less {
                    best = k;
                }
            }
            let (head, run) = &mut self.heads[best];
            f(head)?;
            if run.read(&mut spare)? {
                std::mem::swap(head, &mut spare);
            } else {
                // `remove`, not `swap_remove`: ties go to the earlier run.
                self.heads.remove(best);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One converting journey per customer of `ids`, in canonical order.
    fn journeys_of(ids: &[&str]) -> Journeys {
        let rows: Vec<(&str, i64, &str, bool, f64)> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| (*id, k as i64, ["a", "b", "c"][k % 3], true, 5.0 + k as f64))
            .collect();
        crate::journey::build(
            &crate::journey::build::tests::inline(&rows),
            &crate::journey::JourneyConfig::default(),
        )
        .0
    }

    fn by_id(a: &OwnedJourney, b: &OwnedJourney) -> Ordering {
        a.customer_id.cmp(&b.customer_id)
    }

    #[test]
    fn runs_merge_into_one_sorted_stream_and_keep_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = Runs::new(dir.path());
        let first = journeys_of(&["d", "a", "f"]);
        let second = journeys_of(&["b", "e", "c", "g"]);
        // Each run sorted by customer id, as its writer must.
        let sorted = |j: &Journeys| {
            let mut order: Vec<usize> = (0..j.len()).collect();
            order.sort_by_key(|&i| j.customer_name(j.get(i).customer.unwrap()).unwrap().to_string());
            order
        };
        runs.write(&first, &sorted(&first)).unwrap();
        runs.write(&second, &sorted(&second)).unwrap();
        runs.write(&journeys_of(&[]), &[]).unwrap();
        assert_eq!(runs.journeys(), 7);
        let mut got = Vec::new();
        runs.merge(by_id)
            .unwrap()
            .for_each(|j| {
                got.push(j.clone());
                Ok(())
            })
            .unwrap();
        let ids: Vec<&str> = got.iter().map(|j| j.customer_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d", "e", "f", "g"]);
        // Every field comes back.
        let c = second
            .iter()
            .find(|j| second.customer_name(j.customer.unwrap()) == Some("c"))
            .unwrap();
        assert_eq!(got[2].view().touches, c.touches);
        assert_eq!(got[2].view().times, c.times);
        assert_eq!(
            (got[2].conversions, got[2].value, got[2].nulls, got[2].converted_at),
            (c.conversions, c.value, c.nulls, c.converted_at)
        );
    }
}
