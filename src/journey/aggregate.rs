//! Journeys merged by path: the one place where journeys with the same
//! sequence of channels are summed. Reading path aggregates (`--paths`),
//! writing them (`mta paths`) and the report's top paths all go through it.
//!
//! Weights are summed in an order fixed by content, so a merged row is the
//! same bit for bit whatever the order of the input rows.

use hashbrown::{DefaultHashBuilder, HashMap};
use rayon::prelude::*;

use super::{ChannelId, Journeys};

/// All journeys with one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathGroup<'a> {
    /// The channels, first touch first.
    pub touches: &'a [ChannelId],
    /// Conversions of the journeys with this path.
    pub conversions: f64,
    /// Their revenue.
    pub value: f64,
    /// Non-converting journeys with this path (weights, for path rows).
    pub nulls: f64,
}

impl<'a> PathGroup<'a> {
    /// The group of `touches` with its summed (conversions, value, nulls).
    fn new(touches: &'a [ChannelId], (conversions, value, nulls): (f64, f64, f64)) -> Self {
        PathGroup {
            touches,
            conversions,
            value,
            nulls,
        }
    }
}

/// One group per distinct path, in order of channel ids (not of the joined
/// names: callers that show text sort by it).
///
/// Journeys are grouped by hashing their paths (a comparison sort of
/// millions of journeys was twice as slow). Within a group, event journeys
/// are summed in their canonical order and path rows in order of their
/// weights, so the sums never depend on the order of the input rows.
pub fn by_path(journeys: &Journeys) -> Vec<PathGroup<'_>> {
    let n = journeys.len();
    // Group of each journey, numbered in order of first appearance.
    let mut ids: HashMap<&[ChannelId], u32, DefaultHashBuilder> = HashMap::default();
    let group: Vec<u32> = journeys
        .iter()
        .map(|j| {
            let next = ids.len() as u32;
            *ids.entry(j.touches).or_insert(next)
        })
        .collect();
    let k = ids.len();
    drop(ids);
    // The members of each group, contiguous (a counting sort by group).
    let mut start = vec![0usize; k + 1];
    for &g in &group {
        start[g as usize + 1] += 1;
    }
    for g in 0..k {
        start[g + 1] += start[g];
    }
    let mut members = vec![0u32; n];
    let mut fill = start.clone();
    for (i, &g) in group.iter().enumerate() {
        members[fill[g as usize]] = i as u32;
        fill[g as usize] += 1;
    }
    let mut slices: Vec<&mut [u32]> = Vec::with_capacity(k);
    let mut rest = members.as_mut_slice();
    for g in 0..k {
        let (head, tail) = rest.split_at_mut(start[g + 1] - start[g]);
        slices.push(head);
        rest = tail;
    }
    let weights = |i: u32| {
        let i = i as usize;
        (journeys.conversions[i], journeys.values[i], journeys.nulls[i])
    };
    // Event journeys come in canonical order (customer id, then time), which
    // the counting sort kept within each group: summing them in that order
    // is already the same whatever the input's row order, and sorting the
    // largest groups by weight cost more than the rest together. Path rows
    // come in file order: they are sorted.
    let sort = !journeys.is_timed();
    let groups: Vec<PathGroup<'_>> = slices
        .into_par_iter()
        .map(|m| {
            if sort && m.len() > 1 {
                m.sort_unstable_by(|&a, &b| {
                    let (a, b) = (weights(a), weights(b));
                    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2))
                });
            }
            let (mut conversions, mut value, mut nulls) = weights(m[0]);
            for &i in &m[1..] {
                let (c, v, x) = weights(i);
                conversions += c;
                value += v;
                nulls += x;
            }
            PathGroup::new(journeys.get(m[0] as usize).touches, (conversions, value, nulls))
        })
        .collect();
    sorted(groups)
}

/// Groups in order of their channel ids, as [`by_path`] returns them.
fn sorted(mut groups: Vec<PathGroup<'_>>) -> Vec<PathGroup<'_>> {
    groups.par_sort_unstable_by(|a, b| a.touches.cmp(b.touches));
    groups
}

/// [`by_path`] over event journeys that come a group of customers at a
/// time, in canonical order (out of core): each path's weights are summed
/// journey by journey in the same order, so the sums are the same bits.
#[derive(Debug, Default)]
pub struct PathSums {
    sums: HashMap<Box<[ChannelId]>, (f64, f64, f64), DefaultHashBuilder>,
}

impl PathSums {
    /// Adds the next group's journeys.
    pub fn add(&mut self, journeys: &Journeys) {
        for j in journeys.iter() {
            match self.sums.get_mut(j.touches) {
                Some(s) => {
                    s.0 += j.conversions;
                    s.1 += j.value;
                    s.2 += j.nulls;
                }
                None => {
                    self.sums.insert(j.touches.into(), (j.conversions, j.value, j.nulls));
                }
            }
        }
    }

    /// One group per distinct path, in order of channel ids, as [`by_path`].
    pub fn groups(&self) -> Vec<PathGroup<'_>> {
        sorted(self.sums.iter().map(|(touches, &sums)| PathGroup::new(touches, sums)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_paths_merge_whatever_the_order() {
        let rows: [(&[&str], f64, f64, f64); 4] = [
            (&["b", "a"], 1.0, 0.1, 0.0),
            (&["a"], 0.0, 0.0, 2.0),
            (&["b", "a"], 2.0, 0.2, 1.0),
            (&["b", "a"], 0.0, 0.7, 3.0),
        ];
        let j = Journeys::from_paths(&rows);
        let g = by_path(&j);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].touches, g[0].conversions, g[0].nulls), (&[0][..], 0.0, 2.0));
        assert_eq!((g[1].touches, g[1].conversions, g[1].nulls), (&[1, 0][..], 3.0, 4.0));
        // Bit-identical sums in any row order (0.1 + 0.2 + 0.7 is not 0.7 + 0.2 + 0.1 in binary).
        let mut reversed = rows;
        reversed.reverse();
        let r = Journeys::from_paths(&reversed);
        assert_eq!(by_path(&r)[1].value.to_bits(), g[1].value.to_bits());
    }

    #[test]
    fn path_sums_of_groups_are_the_bits_of_all_journeys_at_once() {
        let rows: [(&[u32], f64, f64); 5] = [
            (&[1, 0], 1.0, 0.1),
            (&[0], 0.0, 0.0),
            (&[1, 0], 1.0, 0.2),
            (&[1, 0], 0.0, 0.7),
            (&[0], 1.0, 0.3),
        ];
        let journeys = |rows: &[(&[u32], f64, f64)]| {
            let mut j = Journeys::new(vec!["a".into(), "b".into()], true);
            for &(touches, c, v) in rows {
                let times: Vec<i64> = (0..touches.len() as i64).collect();
                j.push(touches, Some(&times), c, v, f64::from(c == 0.0), (c > 0.0).then_some(9));
            }
            j
        };
        let all = journeys(&rows);
        let mut sums = PathSums::default();
        sums.add(&journeys(&rows[..2]));
        sums.add(&journeys(&rows[2..]));
        let bits = |g: &[PathGroup<'_>]| -> Vec<_> {
            g.iter()
                .map(|g| (g.touches.to_vec(), g.conversions.to_bits(), g.value.to_bits(), g.nulls.to_bits()))
                .collect()
        };
        assert_eq!(bits(&sums.groups()), bits(&by_path(&all)));
        assert_eq!(sums.groups().len(), 2);
    }
}
