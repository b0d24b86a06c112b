//! String interning: maps each distinct name to a dense `u32` code.
//!
//! Customer ids and channel names arrive as millions of strings; every later
//! stage works on integer codes. Names live in one arena (no `String` per key),
//! which keeps memory proportional to the distinct names, not the rows.
//! Channels get codes in order of first appearance ([`Interner`]); customer
//! ids, millions of them, get codes in a canonical order that does not
//! depend on the rows' ([`customers`]).

pub mod customers;

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// foldhash (hashbrown's default): fast on short keys and well spread in the
/// high bits hashbrown uses as tags. Its per-process seed never shows in
/// results: codes follow first appearance, not table order.
type Hasher = DefaultHashBuilder;

/// A list of names in one arena: code `i` is the `i`-th name pushed.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Names {
    arena: String,
    /// `ends[i]` is the arena offset where name `i` ends; it starts where `i - 1` ends.
    ends: Vec<usize>,
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Names {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for `n` names of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Names {
            arena: String::with_capacity(bytes),
            ends: Vec::with_capacity(n),
        }
    }

    /// Appends `name`, returning its code.
    pub fn push(&mut self, name: &str) -> u32 {
        let code = u32::try_from(self.ends.len()).expect("fewer than 2^32 names");
        self.arena.push_str(name);
        self.ends.push(self.arena.len());
        code
    }

    /// Room for `n` more names of `bytes` bytes in all.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.arena.reserve(bytes);
        self.ends.reserve(n);
    }

    /// Drops every name, keeping the memory for the next ones.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.ends.clear();
    }

    /// Bytes of all the names' text (room that any subset of them fits in).
    pub fn text_bytes(&self) -> usize {
        self.arena.len()
    }

    /// Bytes held: the arena and the name ends.
    pub fn heap_bytes(&self) -> usize {
        self.arena.len() + self.ends.len() * std::mem::size_of::<usize>()
    }

    /// The name behind `code`.
    ///
    /// # Panics
    /// If `code` is out of range (a programming error).
    pub fn name(&self, code: u32) -> &str {
        let i = code as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.arena[start..self.ends[i]]
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Names in code order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|c| self.name(c))
    }

    /// Removes the names at positions `drop` (sorted, relative to `start`)
    /// from those at `start..`: rows skipped after they were read. Only the
    /// names from `start` on are copied (a chunk's, not the whole input's).
    pub fn retain_tail(&mut self, start: usize, drop: &[usize]) {
        if drop.is_empty() {
            return;
        }
        let tail: Vec<String> = (start..self.len()).map(|i| self.name(i as u32).to_string()).collect();
        self.truncate(start);
        let mut next = drop.iter().peekable();
        for (i, name) in tail.iter().enumerate() {
            if next.next_if_eq(&&i).is_none() {
                self.push(name);
            }
        }
    }

    /// Keeps the first `n` names.
    pub fn truncate(&mut self, n: usize) {
        if n < self.len() {
            self.arena.truncate(if n == 0 { 0 } else { self.ends[n - 1] });
            self.ends.truncate(n);
        }
    }
}

/// Assigns codes to names in order of first appearance.
#[derive(Default, Clone)]
pub struct Interner {
    names: Names,
    /// (hash, code): keeping the hash makes growth and most mismatches free
    /// of arena reads, which are random accesses into a large buffer.
    table: HashTable<(u64, u32)>,
    hasher: Hasher,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.names.fmt(f)
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The code of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        let hash = self.hasher.hash_one(name);
        let names = &self.names;
        let found = self.table.find(hash, |&(h, code)| h == hash && names.name(code) == name);
        if let Some(&(_, code)) = found {
            return code;
        }
        let code = self.names.push(name);
        self.table.insert_unique(hash, (hash, code), |&(h, _)| h);
        code
    }

    /// The name behind `code`.
    ///
    /// # Panics
    /// If `code` was not returned by this interner (a programming error).
    pub fn name(&self, code: u32) -> &str {
        self.names.name(code)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name was interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Names in code order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter()
    }

    /// The names, in code order.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// `rank[code]` = position of the name in byte-wise sorted order.
    ///
    /// Later stages order channels and customers by name, never by first
    /// appearance, so that results do not depend on row order.
    pub fn sorted_ranks(&self) -> Vec<u32> {
        let mut codes: Vec<u32> = (0..self.len() as u32).collect();
        if codes.len() > 100_000 {
            use rayon::slice::ParallelSliceMut;
            codes.par_sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        } else {
            codes.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        }
        let mut rank = vec![0u32; codes.len()];
        for (r, &c) in codes.iter().enumerate() {
            rank[c as usize] = r as u32;
        }
        rank
    }

    /// A new interner with only the names `codes` use, in order of first
    /// appearance in `codes`, which are rewritten to match: the codes a
    /// read of the used rows alone would have given.
    pub fn compact(&self, codes: &mut [u32]) -> Interner {
        let mut out = Interner::new();
        let mut map = vec![u32::MAX; self.len()];
        for c in codes.iter_mut() {
            let m = &mut map[*c as usize];
            if *m == u32::MAX {
                *m = out.intern(self.name(*c));
            }
            *c = *m;
        }
        out
    }

    /// A new interner holding the same names with codes in sorted order.
    pub fn sorted(&self) -> (Interner, Vec<u32>) {
        let rank = self.sorted_ranks();
        let mut order = vec![0u32; rank.len()];
        for (code, &r) in rank.iter().enumerate() {
            order[r as usize] = code as u32;
        }
        let mut out = Interner::new();
        for &code in &order {
            out.intern(self.name(code));
        }
        (out, rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_used_names_in_first_use_order() {
        let mut i = Interner::new();
        for n in ["a", "b", "c", "d"] {
            i.intern(n);
        }
        let mut codes = vec![2, 0, 2];
        let c = i.compact(&mut codes);
        assert_eq!(c.iter().collect::<Vec<_>>(), ["c", "a"]);
        assert_eq!(codes, [0, 1, 0]);
    }

    #[test]
    fn retain_tail_drops_names_after_start() {
        let mut n = Names::new();
        for x in ["a", "bb", "c", "dd", "e"] {
            n.push(x);
        }
        n.retain_tail(1, &[0, 2]);
        assert_eq!(n.iter().collect::<Vec<_>>(), ["a", "c", "e"]);
    }

    #[test]
    fn codes_are_dense_and_stable() {
        let mut i = Interner::new();
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern("a"), 1);
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.len(), 3);
        assert_eq!(i.name(1), "a");
        assert_eq!(i.name(2), "");
    }

    #[test]
    fn sorted_ranks_order_by_name() {
        let mut i = Interner::new();
        for n in ["email", "Direct", "search", "direct"] {
            i.intern(n);
        }
        assert_eq!(i.sorted_ranks(), vec![2, 0, 3, 1]);
        let (s, _) = i.sorted();
        assert_eq!(s.iter().collect::<Vec<_>>(), ["Direct", "direct", "email", "search"]);
    }

    #[test]
    fn survives_many_names() {
        let mut i = Interner::new();
        for n in 0..50_000 {
            assert_eq!(i.intern(&format!("c{n}")), n);
        }
        for n in (0..50_000).rev() {
            assert_eq!(i.intern(&format!("c{n}")), n);
        }
    }
}
