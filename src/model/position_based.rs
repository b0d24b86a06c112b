//! Position-based (U-shaped): first touch `w_first`, last touch `w_last`, the
//! middle touches share `w_middle` evenly (default 0.4 / 0.2 / 0.4, as GA4 and
//! Adobe Analytics define it).
//!
//! Conventions: one touch gets 100%; two touches split in proportion to the
//! first and last weights (50/50 by default; evenly if both are 0), so no
//! credit is lost to an absent middle.

use std::collections::BTreeMap;

use super::{ModelKind, Parameter, WeightRule};
use crate::journey::Journey;

/// Fixed shares for first and last touch, the rest to the middle.
pub struct PositionBased {
    weights: [f64; 3],
}

impl PositionBased {
    /// `weights` = first, middle, last; validated to sum to 1.
    pub fn new(weights: [f64; 3]) -> Self {
        PositionBased { weights }
    }
}

/// Fills `w` for the U shape; shared with the J-shaped variants.
pub(crate) fn shape(weights: [f64; 3], w: &mut [f64]) {
    let [first, middle, last] = weights;
    let n = w.len();
    match n {
        1 => w[0] = 1.0,
        2 => {
            let ends = first + last;
            if ends > 0.0 {
                w[0] = first / ends;
                w[1] = last / ends;
            } else {
                w.fill(0.5);
            }
        }
        _ => {
            let each = middle / (n - 2) as f64;
            w.fill(each);
            w[0] = first;
            w[n - 1] = last;
        }
    }
}

impl WeightRule for PositionBased {
    fn kind(&self) -> ModelKind {
        ModelKind::PositionBased
    }

    fn parameters(&self) -> BTreeMap<&'static str, Parameter> {
        BTreeMap::from([("position_weights", Parameter::Numbers(self.weights.to_vec()))])
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        shape(self.weights, w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    #[test]
    fn u_shape_with_one_two_and_four_touches() {
        assert_rule(
            PositionBased::new([0.4, 0.2, 0.4]),
            &[
                (&["a", "b", "c", "d"], 1.0, 100.0, 0.0), // a 40, b 10, c 10, d 40
                (&["a", "b"], 1.0, 10.0, 0.0),            // 50/50
                (&["c"], 1.0, 1.0, 0.0),                  // 100%
            ],
            &[("a", 0.9, 45.0), ("b", 0.6, 15.0), ("c", 1.1, 11.0), ("d", 0.4, 40.0)],
        );
    }

    #[test]
    fn two_touches_follow_the_end_weights() {
        let two: &[(&[&str], f64, f64, f64)] = &[(&["a", "b"], 4.0, 0.0, 0.0)];
        assert_rule(PositionBased::new([0.2, 0.2, 0.6]), two, &[("a", 1.0, 0.0), ("b", 3.0, 0.0)]);
        assert_rule(PositionBased::new([0.0, 1.0, 0.0]), two, &[("a", 2.0, 0.0), ("b", 2.0, 0.0)]);
    }
}
