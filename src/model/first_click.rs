//! First-click: the journey's first touch gets all the credit.
//!
//! Convention shared by Google Analytics 4 ("first click") and
//! ChannelAttribution's `heuristic_models` (`first_touch`).

use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// All credit to the first touch.
pub struct FirstClick;

impl WeightRule for FirstClick {
    fn kind(&self) -> ModelKind {
        ModelKind::FirstClick
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        w[0] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    #[test]
    fn credits_the_first_touch_only() {
        assert_rule(
            FirstClick,
            &[
                (&["a", "b", "c"], 2.0, 20.0, 0.0),
                (&["b", "a"], 1.0, 5.0, 0.0),
                (&["c"], 0.0, 0.0, 3.0), // never converts: no credit
            ],
            &[("a", 2.0, 20.0), ("b", 1.0, 5.0), ("c", 0.0, 0.0)],
        );
    }
}
