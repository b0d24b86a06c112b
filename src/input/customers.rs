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

use rayon::prelude::*;

use crate::intern::Names;

/// Fixed seeds: the order of customers (and so of float sums over
/// journeys) must not change between runs.
const SEEDS: [u64; 2] = [0x6d74_615f_6375_7374, 0x9e37_79b9_7f4a_7c15];

/// One customer id per row, in row order, in one arena.
#[derive(Debug, Default, Clone)]
pub struct RowIds {
    rows: Names,
}

impl RowIds {
    /// Appends the id of the next row.
    pub fn push(&mut self, id: &str) {
        self.rows.push(id);
    }

    /// Room for `n` more rows whose ids take `bytes` bytes in all.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.rows.reserve(n, bytes);
    }

    /// Drops rows `drop` (sorted, relative to `start`) of those from `start`.
    pub fn retain_tail(&mut self, start: usize, drop: &[usize]) {
        self.rows.retain_tail(start, drop);
    }

    /// The id of row `i`.
    pub fn get(&self, i: usize) -> &str {
        self.rows.name(i as u32)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.rows.heap_bytes()
    }

    /// Drops every row (the arena's memory is kept for the next ones).
    pub fn clear(&mut self) {
        self.rows.clear();
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Distinct customer ids in code order: one id per customer, kept in the
/// order of their first rows (a sequential copy; copying two million names
/// into a new arena in hash order was the slowest step of reading), and
/// each code's place among them. The per-row ids are dropped: they were a
/// tenth of the memory of a run.
#[derive(Debug, Default, Clone)]
pub struct CustomerIds {
    ids: RowIds,
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
        self.ids.get(self.slot[code as usize] as usize)
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
    // Runs of equal consecutive ids: `run_starts[k]` is the first row of run k.
    let mut run_starts: Vec<u32> = Vec::new();
    for i in 0..n {
        if i == 0 || ids.get(i) != ids.get(i - 1) {
            run_starts.push(i as u32);
        }
    }
    let [a, b] = SEEDS.map(foldhash::fast::FixedState::with_seed);
    let mut keys: Vec<(u64, u64, u32)> = run_starts
        .par_iter()
        .enumerate()
        .map(|(k, &row)| {
            let id = ids.get(row as usize);
            (a.hash_one(id), b.hash_one(id), k as u32)
        })
        .collect();
    keys.par_sort_unstable();

    // Tight loops only: their independent random accesses overlap.
    let mut run_code = vec![0u32; run_starts.len()];
    let mut first_row = Vec::new();
    let mut bucket_start = vec![0u32; (1 << BUCKET_BITS) + 1];
    let mut prev: Option<(u64, u64)> = None;
    for &(h1, h2, k) in &keys {
        if prev != Some((h1, h2)) {
            // Codes before this one are in lower buckets.
            bucket_start[(h1 >> (64 - BUCKET_BITS)) as usize + 1] = first_row.len() as u32 + 1;
            first_row.push(k);
            prev = Some((h1, h2));
        }
        run_code[k as usize] = (first_row.len() - 1) as u32;
    }
    // Bucket b ends where the last nonempty bucket before b+1 ended.
    for b in 1..bucket_start.len() {
        bucket_start[b] = bucket_start[b].max(bucket_start[b - 1]);
    }
    for k in first_row.iter_mut() {
        *k = run_starts[*k as usize];
    }
    let mut codes = Vec::with_capacity(n);
    for (k, &start) in run_starts.iter().enumerate() {
        let end = run_starts.get(k + 1).map_or(n, |&e| e as usize);
        codes.extend(std::iter::repeat_n(run_code[k], end - start as usize));
    }
    let ids = first_ids(&ids, &mut first_row);
    (
        codes,
        CustomerIds {
            ids,
            slot: first_row,
            bucket_start,
        },
    )
}

/// The ids of the rows `first` (distinct), in row order, one sequential
/// pass; each of `first` becomes its place in the result.
fn first_ids(rows: &RowIds, first: &mut [u32]) -> RowIds {
    let marks = crate::marks::Marks::new(rows.len(), first.iter().map(|&r| r as usize));
    let mut kept = RowIds::default();
    for r in marks.iter() {
        kept.push(rows.get(r));
    }
    for r in first.iter_mut() {
        *r = marks.rank(*r as usize) as u32;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

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
