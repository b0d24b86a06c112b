//! Customer ids: grouped into dense codes in a canonical order.
//!
//! A hash table lookup per row is a chain of dependent cache misses, and with
//! millions of customers it dominated reading. Instead, consecutive rows with
//! the same id are folded into runs (exports are often grouped by customer),
//! every run's id gets a 128-bit hash (two independent 64-bit hashes, in
//! parallel over sequential memory), and the runs are sorted by hash: equal
//! hashes are one customer. Two different ids would have to agree on all 128
//! bits to be merged; for ten million customers the chance is below 10^-24,
//! far below that of a hardware fault.
//!
//! Codes follow hash order: a canonical order that depends only on the ids,
//! never on the order of the rows.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::Names;
use crate::scatter;

/// Fixed seeds: the order of customers (and so of float sums over
/// journeys) must not change between runs.
const SEEDS: [u64; 2] = [0x6d74_615f_6375_7374, 0x9e37_79b9_7f4a_7c15];

/// One customer id per row, in row order: one id per run of rows with the
/// same id (exports grouped by customer hold each id once, not once per
/// touch: at 10M customers, a third of a gigabyte less while reading).
#[derive(Debug, Default, Clone)]
pub struct RowIds {
    /// The id of each run.
    runs: Names,
    /// `run_ends[k]`: rows up to the end of run `k` (row numbers fit in
    /// 32 bits, as everywhere journeys are built).
    run_ends: Vec<u32>,
}

impl RowIds {
    /// Appends the id of the next row.
    pub fn push(&mut self, id: &str) {
        self.push_rows(id, 1);
    }

    /// Appends `n` rows of `id`: the last run grows when it has that id.
    fn push_rows(&mut self, id: &str, n: u32) {
        let rows = self.len() as u32 + n;
        match self.runs.len().checked_sub(1) {
            Some(last) if self.runs.name(last as u32) == id => self.run_ends[last] = rows,
            _ => {
                self.runs.push(id);
                self.run_ends.push(rows);
            }
        }
    }

    /// Appends the rows of `other`, after these.
    pub fn append(&mut self, other: RowIds) {
        let mut start = 0;
        for (k, &end) in other.run_ends.iter().enumerate() {
            self.push_rows(other.runs.name(k as u32), end - start);
            start = end;
        }
    }

    /// Room for `n` more rows whose ids take `bytes` bytes in all (when
    /// every row starts a run: the most there can be).
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.runs.reserve(n, bytes);
        self.run_ends.reserve(n);
    }

    /// Drops rows `drop` (sorted, relative to `start`) of those from
    /// `start`. Only the rows from `start` on are copied (a chunk's, not
    /// the whole input's: skipped and anonymous rows are in every chunk).
    pub fn retain_tail(&mut self, start: usize, drop: &[usize]) {
        if drop.is_empty() {
            return;
        }
        let tail: Vec<String> = (start..self.len()).map(|i| self.get(i).to_string()).collect();
        self.truncate(start);
        let mut next = drop.iter().peekable();
        for (i, id) in tail.iter().enumerate() {
            if next.next_if_eq(&&i).is_none() {
                self.push(id);
            }
        }
    }

    /// Keeps the first `rows` rows.
    fn truncate(&mut self, rows: usize) {
        if rows >= self.len() {
            return;
        }
        if rows == 0 {
            self.clear();
            return;
        }
        // The first run that ends at or after `rows` holds its last row.
        let k = self.run_ends.partition_point(|&end| (end as usize) < rows);
        self.run_ends.truncate(k + 1);
        self.run_ends[k] = rows as u32;
        self.runs.truncate(k + 1);
    }

    /// The id of row `i`.
    pub fn get(&self, i: usize) -> &str {
        let run = self.run_ends.partition_point(|&end| (end as usize) <= i);
        self.runs.name(run as u32)
    }

    /// Every row's id, in row order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0;
        self.run_ends.iter().enumerate().flat_map(move |(k, &end)| {
            let n = end - std::mem::replace(&mut start, end);
            std::iter::repeat_n(self.runs.name(k as u32), n as usize)
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.run_ends.last().map_or(0, |&n| n as usize)
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.runs.heap_bytes() + self.run_ends.len() * std::mem::size_of::<u32>()
    }

    /// Drops every row (the memory is kept for the next ones).
    pub fn clear(&mut self) {
        self.runs.clear();
        self.run_ends.clear();
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.run_ends.is_empty()
    }
}

/// Distinct customer ids in code order: one id per customer, kept in the
/// order of their first rows (a sequential copy; copying two million names
/// into a new arena in hash order was the slowest step of reading), and
/// each code's place among them. The per-row ids are dropped: they were a
/// tenth of the memory of a run.
#[derive(Debug, Default, Clone)]
pub struct CustomerIds {
    ids: Names,
    slot: Vec<u32>,
    /// `bucket_start[b]..bucket_start[b + 1]`: the codes whose hash falls in
    /// bucket `b` (its top [`BUCKET_BITS`] bits).
    bucket_start: Vec<u32>,
}

/// Customers are summed in buckets of their hash's top bits: the buckets
/// and so every float sum over them are the same whether all customers are
/// in memory or they come in partitions of whole buckets (out of core).
pub const BUCKET_BITS: u32 = 12;

/// The hash that orders customers (its top bits are the bucket): the
/// out-of-core route partitions rows by it.
pub fn hash_of(id: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(SEEDS[0]).hash_one(id)
}

impl CustomerIds {
    /// The id of customer `code`.
    pub fn name(&self, code: u32) -> &str {
        self.ids.name(self.slot[code as usize])
    }

    /// Number of distinct customers.
    pub fn len(&self) -> usize {
        self.slot.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.slot.is_empty()
    }

    /// The code ranges of the hash buckets that hold customers, in order:
    /// units of work whose boundaries do not depend on which other
    /// customers are read alongside.
    pub fn buckets(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.bucket_start
            .windows(2)
            .filter(|w| w[1] > w[0])
            .map(|w| w[0] as usize..w[1] as usize)
    }
}

/// Groups rows by id: returns each row's customer code and the distinct ids
/// in code order.
pub fn group(ids: RowIds) -> (Vec<u32>, CustomerIds) {
    let n = ids.len();
    // Runs of equal consecutive ids are the unit: hashed once each.
    let runs = ids.runs.len();
    let [a, b] = SEEDS.map(foldhash::fast::FixedState::with_seed);
    let keys: Vec<Key> = (0..runs as u32)
        .into_par_iter()
        .map(|k| {
            let id = ids.runs.name(k);
            (a.hash_one(id), b.hash_one(id), k)
        })
        .collect();
    let (keys, lens) = sort_keys(keys);

    // A code per distinct (h1, h2), in key order. The ranges of keys are
    // numbered in parallel: one never shares a hash with another, and each
    // holds whole buckets (their top bits are the first of a bucket's).
    let ranges: Vec<&[Key]> = scatter::split_by(&keys, &lens);
    let distinct: Vec<usize> = ranges
        .par_iter()
        .map(|r| {
            (0..r.len())
                .filter(|&i| i == 0 || (r[i - 1].0, r[i - 1].1) != (r[i].0, r[i].1))
                .count()
        })
        .collect();
    let bases: Vec<usize> = distinct.iter().scan(0, |at, &d| Some(std::mem::replace(at, *at + d))).collect();
    let run_code: Vec<AtomicU32> = (0..runs).into_par_iter().map(|_| AtomicU32::new(0)).collect();
    let mut first_run = vec![0u32; distinct.iter().sum()];
    let mut bucket_start = vec![0u32; (1 << BUCKET_BITS) + 1];
    let firsts = scatter::split_by_mut(&mut first_run, &distinct);
    let buckets = bucket_start[1..].chunks_mut(1 << (BUCKET_BITS - RANGE_BITS));
    ranges
        .into_par_iter()
        .zip(firsts)
        .zip(buckets.collect::<Vec<_>>())
        .zip(bases)
        .enumerate()
        .for_each(|(r, (((keys, firsts), buckets), base))| {
            let (mut prev, mut local) = (None, 0);
            for &(h1, h2, k) in keys {
                if prev != Some((h1, h2)) {
                    // Codes before this one are in lower buckets.
                    let bucket = (h1 >> (64 - BUCKET_BITS)) as usize - (r << (BUCKET_BITS - RANGE_BITS));
                    buckets[bucket] = (base + local) as u32 + 1;
                    firsts[local] = k;
                    local += 1;
                    prev = Some((h1, h2));
                }
                run_code[k as usize].store((base + local - 1) as u32, Ordering::Relaxed);
            }
        });
    let run_code: Vec<u32> = run_code.into_par_iter().map(AtomicU32::into_inner).collect();
    drop(keys);
    // Bucket b ends where the last nonempty bucket before b+1 ended.
    for b in 1..bucket_start.len() {
        bucket_start[b] = bucket_start[b].max(bucket_start[b - 1]);
    }
    let codes = run_codes_per_row(&ids.run_ends, &run_code, n);
    let ids = first_ids(ids.runs, &mut first_run);
    (
        codes,
        CustomerIds {
            ids,
            slot: first_run,
            bucket_start,
        },
    )
}

/// `keys` sorted, in parallel from the start: scattered into 256 ranges by
/// the top bits of the first hash (each piece of keys writing to its own
/// place in every range), then each range sorted alone. A parallel
/// quicksort partitions the whole slice on one thread first, which left
/// the other core idle after reading. Keys are distinct (`k`), so the
/// order is the one of any sort.
fn sort_keys(keys: Vec<Key>) -> (Vec<Key>, Vec<usize>) {
    let range_of = |i: usize| (keys[i].0 >> (64 - RANGE_BITS)) as usize;
    let (mut sorted, lens) = scatter::scatter(keys.len(), 1 << RANGE_BITS, 1 << 16, range_of, |i| keys[i]);
    drop(keys);
    scatter::split_by_mut(&mut sorted, &lens)
        .into_par_iter()
        .for_each(|r| r.sort_unstable());
    (sorted, lens)
}

/// A run's two hashes of its id, and the run.
type Key = (u64, u64, u32);

/// Keys are scattered into `2^RANGE_BITS` ranges by their top bits.
const RANGE_BITS: u32 = 8;
const _: () = assert!(RANGE_BITS <= BUCKET_BITS, "a range holds whole buckets");

/// Each row's code, from its run's (`run_ends[k]`: rows up to the end of
/// run `k`), filled in parallel pieces of runs.
fn run_codes_per_row(run_ends: &[u32], run_code: &[u32], rows: usize) -> Vec<u32> {
    const PIECE_RUNS: usize = 1 << 16;
    let mut codes = vec![0u32; rows];
    let mut pieces = Vec::new();
    let (mut rest, mut row): (&mut [u32], usize) = (&mut codes, 0);
    for start in (0..run_ends.len()).step_by(PIECE_RUNS) {
        let end = (start + PIECE_RUNS).min(run_ends.len());
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(run_ends[end - 1] as usize - row);
        pieces.push((start..end, row, head));
        (rest, row) = (tail, run_ends[end - 1] as usize);
    }
    pieces.into_par_iter().for_each(|(runs, first_row, out)| {
        let mut from = 0;
        for k in runs {
            let to = run_ends[k] as usize - first_row;
            out[from..to].fill(run_code[k]);
            from = to;
        }
    });
    codes
}

/// The ids of the runs `first` (distinct), in run order; each of `first`
/// becomes its place in the result.
fn first_ids(runs: Names, first: &mut [u32]) -> Names {
    // Every run a distinct id (each customer's rows together, as exports
    // grouped by customer have them): the runs are the ids, in order, and
    // each run's place is itself.
    if first.len() == runs.len() {
        return runs;
    }
    let marks = crate::marks::Marks::new(runs.len(), first.iter().map(|&r| r as usize));
    let mut kept = Names::with_capacity(first.len(), runs.text_bytes());
    for r in marks.iter() {
        kept.push(runs.name(r as u32));
    }
    first.par_iter_mut().for_each(|r| *r = marks.rank(*r as usize) as u32);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_as_one_sort_would() {
        let mut state = 3u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state
        };
        for n in [0usize, 1, 1000, 300_000] {
            // Some first hashes repeat, and some ranges stay empty.
            // (Top bits cleared: only the first 4 of 256 ranges are used.)
            let keys: Vec<(u64, u64, u32)> = (0..n as u32)
                .map(|k| (if k % 5 == 0 { 42 << 40 } else { next() >> 6 }, next(), k))
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            let (sorted, lens) = sort_keys(keys);
            assert_eq!(sorted, want, "{n} keys");
            assert_eq!(lens.iter().sum::<usize>(), n);
        }
    }

    fn ids(list: &[&str]) -> RowIds {
        let mut r = RowIds::default();
        for s in list {
            r.push(s);
        }
        r
    }

    #[test]
    fn equal_ids_share_a_code_and_codes_are_dense() {
        let r = ids(&["b", "a", "a", "b", "c", "a"]);
        let (codes, names) = group(r.clone());
        assert_eq!(names.len(), 3);
        assert_eq!(codes[0], codes[3]);
        assert_eq!(codes[1], codes[2]);
        assert_eq!(codes[1], codes[5]);
        for (row, &c) in codes.iter().enumerate() {
            assert_eq!(names.name(c), r.get(row));
        }
    }

    #[test]
    fn only_one_id_per_customer_is_kept_and_each_code_names_its_rows() {
        // Over several 64-row words of the first-row marks.
        let list: Vec<String> = (0..300u32).map(|i| format!("c{}", (i * 7919) % 41)).collect();
        let r = ids(&list.iter().map(String::as_str).collect::<Vec<_>>());
        let (codes, names) = group(r.clone());
        assert_eq!(names.len(), 41);
        assert_eq!(names.ids.len(), 41, "one id per customer");
        for (row, &c) in codes.iter().enumerate() {
            assert_eq!(names.name(c), r.get(row), "row {row}");
        }
    }

    #[test]
    fn rows_grouped_by_customer_over_several_pieces_of_runs() {
        // Each customer's rows together (every run a distinct id), more runs
        // than one piece of the per-row fill.
        let list: Vec<String> = (0..70_000u32).flat_map(|c| (0..=c % 3).map(move |_| format!("id{c}"))).collect();
        let r = ids(&list.iter().map(String::as_str).collect::<Vec<_>>());
        let (codes, names) = group(r.clone());
        assert_eq!(names.len(), 70_000);
        assert_eq!(codes.len(), list.len());
        for (row, &c) in codes.iter().enumerate() {
            assert_eq!(names.name(c), r.get(row), "row {row}");
        }
    }

    #[test]
    fn runs_hold_each_rows_id_and_skipped_rows_leave_them() {
        let list = ["a", "a", "b", "b", "b", "a", "c", "c"];
        let mut r = ids(&list);
        assert_eq!(r.runs.len(), 4, "a, b, a, c");
        assert_eq!(r.len(), 8);
        assert_eq!(r.iter().collect::<Vec<_>>(), list);
        assert_eq!((0..8).map(|i| r.get(i)).collect::<Vec<_>>(), list);
        // Rows 4 and 5 of the rows from 3 ("b", "b", "a", "c", "c"): row 7 and 8.
        r.retain_tail(3, &[1, 2]);
        assert_eq!(r.iter().collect::<Vec<_>>(), ["a", "a", "b", "b", "c", "c"]);
        assert_eq!(r.runs.len(), 3, "the cut run and the pushed rows merge again");
        // Dropping the whole tail, from inside a run.
        r.retain_tail(1, &[0, 1, 2, 3, 4]);
        assert_eq!(r.iter().collect::<Vec<_>>(), ["a"]);
        r.retain_tail(0, &[0]);
        assert!(r.is_empty());
        r.push("z");
        assert_eq!(r.iter().collect::<Vec<_>>(), ["z"]);
        // Appending merges the runs that meet.
        let mut a = ids(&["x", "y", "y"]);
        a.append(ids(&["y", "z", "z"]));
        assert_eq!(a.iter().collect::<Vec<_>>(), ["x", "y", "y", "y", "z", "z"]);
        assert_eq!(a.runs.len(), 3);
        a.append(RowIds::default());
        assert_eq!(a.len(), 6);
    }

    #[test]
    fn order_does_not_depend_on_row_order() {
        let (_, a) = group(ids(&["x", "y", "z", "x"]));
        let (_, b) = group(ids(&["z", "x", "y", "y"]));
        let names = |c: &CustomerIds| (0..c.len() as u32).map(|i| c.name(i).to_string()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
    }

    #[test]
    fn buckets_cover_every_code_once_and_hold_the_ids_of_their_hash() {
        let list: Vec<String> = (0..3000).map(|i| format!("c{i}")).collect();
        let (_, names) = group(ids(&list.iter().map(String::as_str).collect::<Vec<_>>()));
        let ranges: Vec<_> = names.buckets().collect();
        assert!(ranges.len() > 100, "3000 ids fill many of the 4096 buckets");
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(names.len()));
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        for r in ranges {
            let bucket = |c: usize| hash_of(names.name(c as u32)) >> (64 - BUCKET_BITS);
            assert!(r.clone().all(|c| bucket(c) == bucket(r.start)));
        }
    }
}
