//! The milestone shapes shared by `w-shaped` and `full-path` (B2B funnels,
//! as Adobe Analytics and Salesforce's Bizible define them): fixed shares
//! for the first touch, the touch that led to each milestone (lead,
//! opportunity) and, for full-path, the last touch before the credited
//! conversion; the other touches share the rest equally.
//!
//! Conventions (stated in the guide): a milestone's touch is the last touch
//! at or before that milestone's latest conversion at or before the
//! credited one (`Journey::milestones`); a milestone without a conversion,
//! or without a touch at or before it in this journey, is a missing
//! position. Positions that fall on one touch add up. The weight of a
//! missing position, and the rest's when no other touch is left, goes to
//! the present positions in proportion to their weights.

use crate::journey::{Journey, MAX_MILESTONES};

/// The positions of a journey, each with its weight: the first touch,
/// then each milestone's touch (`None` when missing), then (full-path)
/// the last touch.
fn positions(journey: &Journey<'_>, last: bool) -> Vec<Option<usize>> {
    let n = journey.touches.len();
    let mut out = Vec::with_capacity(2 + MAX_MILESTONES);
    out.push(Some(0));
    for m in journey.milestones {
        let at = match (m, journey.times) {
            (Some(t), Some(times)) => times.partition_point(|&x| x <= t).checked_sub(1),
            _ => None,
        };
        out.push(at);
    }
    if last {
        out.push(Some(n - 1));
    }
    out
}

/// Fills `w` (zeroed, one per touch): `1 - rest` shared equally by the
/// positions of the journey (first, milestones, and the last touch when
/// `last`; the models' positions weigh alike, so a missing one's weight
/// spread in proportion is an equal share), `rest` shared equally by the
/// touches at no position; see the module doc.
pub(crate) fn shape(journey: &Journey<'_>, rest: f64, last: bool, w: &mut [f64]) {
    let positions = positions(journey, last);
    let present: Vec<usize> = positions.iter().flatten().copied().collect();
    let mut at_position = vec![false; w.len()];
    for &p in &present {
        at_position[p] = true;
    }
    let others = at_position.iter().filter(|a| !**a).count();
    // The positions' share: all of it without other touches.
    let positions_share = if others == 0 { 1.0 } else { 1.0 - rest };
    let per_position = positions_share / present.len() as f64;
    for &p in &present {
        w[p] += per_position;
    }
    if others > 0 {
        let share = rest / others as f64;
        for (x, a) in w.iter_mut().zip(&at_position) {
            if !a {
                *x = share;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Touch weights of W-shaped (`last` false) and full-path (`last` true)
    /// on touches at days `days` with milestones at `milestones` (days).
    fn weights(days: &[i64], milestones: [Option<i64>; 2], last: bool) -> Vec<f64> {
        let day = 86_400_000;
        let times: Vec<i64> = days.iter().map(|d| d * day).collect();
        let touches = vec![0; days.len()];
        let journey = Journey {
            touches: &touches,
            times: Some(&times),
            conversions: 1.0,
            value: 0.0,
            nulls: 0.0,
            converted_at: Some(100 * day),
            customer: None,
            milestones: milestones.map(|m| m.map(|d| d * day)),
        };
        let mut w = vec![0.0; days.len()];
        shape(&journey, 0.1, last, &mut w);
        let sum: f64 = w.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "weights sum to 1: {w:?}");
        w
    }

    fn close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} != {want:?}");
        }
    }

    #[test]
    fn five_touches_with_both_milestones() {
        // Lead on day 6 (touch of day 5), opportunity on day 25 (day 20).
        let days = [1, 5, 10, 20, 28];
        close(&weights(&days, [Some(6), Some(25)], false), &[0.3, 0.3, 0.05, 0.3, 0.05]);
        close(&weights(&days, [Some(6), Some(25)], true), &[0.225, 0.225, 0.1, 0.225, 0.225]);
    }

    #[test]
    fn a_milestone_at_a_touch_s_time_is_that_touch_s() {
        // "At or before": the lead at day 5 exactly is the day-5 touch's.
        close(&weights(&[1, 5, 10], [Some(5), None], false), &[0.45, 0.45, 0.1]);
    }

    #[test]
    fn coinciding_positions_add_up_and_missing_ones_are_spread() {
        // Both milestones on the first touch: it holds all three positions.
        close(&weights(&[1, 2, 3], [Some(1), Some(1)], false), &[0.9, 0.05, 0.05]);
        // A milestone before the journey's first touch has no touch: missing.
        // The opportunity (day 15) is the first touch's too.
        close(&weights(&[10, 20], [Some(5), Some(15)], false), &[0.9, 0.1]);
        // With the opportunity on day 25, the two positions are all the
        // touches: no rest, half each.
        close(&weights(&[10, 20], [Some(5), Some(25)], false), &[0.5, 0.5]);
        // No milestone at all: the first touch's position alone.
        close(&weights(&[1, 2, 3], [None, None], false), &[0.9, 0.05, 0.05]);
        // Full-path on two touches, lead on the first: no rest, so the
        // positions (first twice, last once) take everything, a third each.
        close(&weights(&[1, 2], [Some(1), None], true), &[2.0 / 3.0, 1.0 / 3.0]);
        // One touch takes everything.
        close(&weights(&[1], [Some(1), Some(1)], true), &[1.0]);
    }
}
