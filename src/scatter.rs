//! Stable parallel scatter into ranges, and slices cut by lengths: the
//! counting-sort step that journey building (rows by customer) and customer
//! grouping (hash keys by their top bits) share.

use rayon::prelude::*;

/// `all` cut into consecutive slices of `lens`.
pub fn split_by<'a, T>(mut all: &'a [T], lens: &[usize]) -> Vec<&'a [T]> {
    lens.iter()
        .map(|&n| {
            let (head, tail) = all.split_at(n);
            all = tail;
            head
        })
        .collect()
}

/// [`split_by`], mutable.
pub fn split_by_mut<'a, T>(mut all: &'a mut [T], lens: &[usize]) -> Vec<&'a mut [T]> {
    lens.iter()
        .map(|&n| {
            let (head, tail) = std::mem::take(&mut all).split_at_mut(n);
            all = tail;
            head
        })
        .collect()
}

/// Items `0..n` as `make(i)`, grouped by `range_of(i)` (below `ranges`),
/// in item order within a range; returns them and each range's length.
///
/// In parallel over pieces of `piece` items: each piece counts its items per
/// range, then writes them to its own place in every range (after the
/// earlier pieces'), so a piece writes `ranges` sequential streams.
pub fn scatter<T: Copy + Default + Send>(
    n: usize,
    ranges: usize,
    piece: usize,
    range_of: impl Fn(usize) -> usize + Sync,
    make: impl Fn(usize) -> T + Sync,
) -> (Vec<T>, Vec<usize>) {
    let pieces: Vec<std::ops::Range<usize>> = (0..n).step_by(piece.max(1)).map(|s| s..(s + piece).min(n)).collect();
    let counts: Vec<Vec<usize>> = pieces
        .par_iter()
        .map(|items| {
            let mut count = vec![0usize; ranges];
            items.clone().for_each(|i| count[range_of(i)] += 1);
            count
        })
        .collect();
    let lens: Vec<usize> = (0..ranges).map(|r| counts.iter().map(|c| c[r]).sum()).collect();
    let mut out = vec![T::default(); n];
    let mut per_piece: Vec<Vec<&mut [T]>> = pieces.iter().map(|_| Vec::with_capacity(ranges)).collect();
    for (r, range) in split_by_mut(&mut out, &lens).into_iter().enumerate() {
        let of_pieces: Vec<usize> = counts.iter().map(|c| c[r]).collect();
        for (k, slots) in split_by_mut(range, &of_pieces).into_iter().enumerate() {
            per_piece[k].push(slots);
        }
    }
    per_piece.into_par_iter().zip(pieces).for_each(|(mut slots, items)| {
        let mut next = vec![0usize; ranges];
        for i in items {
            let r = range_of(i);
            slots[r][next[r]] = make(i);
            next[r] += 1;
        }
    });
    (out, lens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_groups_by_range_in_item_order() {
        // Over several pieces; range 3 stays empty.
        let n = 10_000;
        let range_of = |i: usize| if (i * 7) % 5 == 3 { 4 } else { (i * 7) % 5 };
        let (out, lens) = scatter(n, 5, 999, range_of, |i| i as u32);
        let mut want: Vec<u32> = (0..n as u32).collect();
        want.sort_by_key(|&i| range_of(i as usize));
        assert_eq!(out, want);
        assert_eq!(lens.iter().sum::<usize>(), n);
        assert_eq!(lens[3], 0);
        assert_eq!(split_by(&out, &lens)[4].len(), lens[4]);
    }
}
