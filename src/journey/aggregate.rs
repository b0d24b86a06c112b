//! Journeys merged by path: the one place where journeys with the same
//! sequence of channels are summed. Reading path aggregates (`--paths`),
//! writing them (`mta paths`) and the report's top paths all go through it.
//!
//! Weights are summed in an order fixed by content (path, then the weights
//! themselves), so a merged row is the same bit for bit whatever the order
//! of the journeys or input rows.

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

/// One group per distinct path, in order of channel ids (not of the joined
/// names: callers that show text sort by it).
pub fn by_path(journeys: &Journeys) -> Vec<PathGroup<'_>> {
    let mut order: Vec<usize> = (0..journeys.len()).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (a, b) = (journeys.get(a), journeys.get(b));
        a.touches
            .cmp(b.touches)
            .then(a.conversions.total_cmp(&b.conversions))
            .then(a.value.total_cmp(&b.value))
            .then(a.nulls.total_cmp(&b.nulls))
    });
    let mut groups: Vec<PathGroup<'_>> = Vec::new();
    for i in order {
        let j = journeys.get(i);
        match groups.last_mut() {
            Some(g) if g.touches == j.touches => {
                g.conversions += j.conversions;
                g.value += j.value;
                g.nulls += j.nulls;
            }
            _ => groups.push(PathGroup {
                touches: j.touches,
                conversions: j.conversions,
                value: j.value,
                nulls: j.nulls,
            }),
        }
    }
    groups
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
}
