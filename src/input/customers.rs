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

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Distinct customer ids in code order, stored as the first row of each
/// customer in the per-row ids (copying two million names into a new arena
/// in hash order was the slowest step of reading).
#[derive(Debug, Default, Clone)]
pub struct CustomerIds {
    rows: RowIds,
    first_row: Vec<u32>,
}

impl CustomerIds {
    /// The id of customer `code`.
    pub fn name(&self, code: u32) -> &str {
        self.rows.get(self.first_row[code as usize] as usize)
    }

    /// Number of distinct customers.
    pub fn len(&self) -> usize {
        self.first_row.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.first_row.is_empty()
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
    let mut prev: Option<(u64, u64)> = None;
    for &(h1, h2, k) in &keys {
        if prev != Some((h1, h2)) {
            first_row.push(k);
            prev = Some((h1, h2));
        }
        run_code[k as usize] = (first_row.len() - 1) as u32;
    }
    for k in first_row.iter_mut() {
        *k = run_starts[*k as usize];
    }
    let mut codes = Vec::with_capacity(n);
    for (k, &start) in run_starts.iter().enumerate() {
        let end = run_starts.get(k + 1).map_or(n, |&e| e as usize);
        codes.extend(std::iter::repeat_n(run_code[k], end - start as usize));
    }
    (codes, CustomerIds { rows: ids, first_row })
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
    fn order_does_not_depend_on_row_order() {
        let (_, a) = group(ids(&["x", "y", "z", "x"]));
        let (_, b) = group(ids(&["z", "x", "y", "y"]));
        let names = |c: &CustomerIds| (0..c.len() as u32).map(|i| c.name(i).to_string()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
    }
}
