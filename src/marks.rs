//! A set of marked rows as a bitmap with a count per 64 rows: a row's rank
//! among the marked ones in constant time, at one bit a row.
//!
//! Both uses keep something for a few rows out of millions and must find it
//! by row: the one id per customer (its first row) and the value of each
//! converting row.

/// Marked rows among `0..len`, with the number of marked rows before each
/// word of 64.
#[derive(Debug, Default)]
pub struct Marks {
    words: Vec<u64>,
    before: Vec<u32>,
}

impl Marks {
    /// Rows `marked` (any order, duplicates allowed) among `len` rows.
    pub fn new(len: usize, marked: impl IntoIterator<Item = usize>) -> Marks {
        let mut words = vec![0u64; len.div_ceil(64)];
        for r in marked {
            words[r / 64] |= 1 << (r % 64);
        }
        let before = words
            .iter()
            .scan(0u32, |n, w| {
                let at = *n;
                *n += w.count_ones();
                Some(at)
            })
            .collect();
        Marks { words, before }
    }

    /// The rows whose flag is set.
    pub fn of_flags(flags: &[bool]) -> Marks {
        Marks::new(flags.len(), flags.iter().enumerate().filter(|(_, f)| **f).map(|(i, _)| i))
    }

    /// Marked rows before `row`: the place of a marked row among them.
    pub fn rank(&self, row: usize) -> usize {
        let (w, b) = (row / 64, row % 64);
        self.before[w] as usize + (self.words[w] & ((1u64 << b) - 1)).count_ones() as usize
    }

    /// The marked rows, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut m = word;
            std::iter::from_fn(move || {
                (m != 0).then(|| {
                    let b = m.trailing_zeros() as usize;
                    m &= m - 1;
                    w * 64 + b
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_rows_agree_with_counting_over_several_words() {
        let flags: Vec<bool> = (0..300u32).map(|i| (i * 7919) % 5 == 0 || i == 63 || i == 64 || i == 299).collect();
        let m = Marks::of_flags(&flags);
        let marked: Vec<usize> = (0..300).filter(|&r| flags[r]).collect();
        assert_eq!(m.iter().collect::<Vec<_>>(), marked);
        for (k, &r) in marked.iter().enumerate() {
            assert_eq!(m.rank(r), k, "row {r}");
        }
        assert_eq!(m.rank(0), 0);
    }
}
