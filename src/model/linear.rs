//! Linear: every touch gets an equal share; a channel touched twice gets two
//! shares. Convention of GA4 ("linear") and ChannelAttribution (`linear_touch`).

use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// Equal credit to every touch.
pub struct Linear;

impl WeightRule for Linear {
    fn kind(&self) -> ModelKind {
        ModelKind::Linear
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        let share = 1.0 / w.len() as f64;
        w.fill(share);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    #[test]
    fn equal_shares_and_repeats_count_twice() {
        // a: 2/3 of 3 conversions and of 30; b: 1/3 of them plus the single-touch journey.
        assert_rule(
            Linear,
            &[(&["a", "b", "a"], 3.0, 30.0, 0.0), (&["b"], 1.0, 2.0, 0.0)],
            &[("a", 2.0, 20.0), ("b", 2.0, 12.0)],
        );
    }
}
