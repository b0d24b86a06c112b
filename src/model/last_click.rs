//! Last-click: the journey's last touch gets all the credit.
//!
//! With inline conversions the last touch is the converting touch itself.
//! Convention of Google Analytics 4 ("last click") and ChannelAttribution
//! (`last_touch`).

use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// All credit to the last touch.
pub struct LastClick;

impl WeightRule for LastClick {
    fn kind(&self) -> ModelKind {
        ModelKind::LastClick
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        *w.last_mut().expect("journeys are not empty") = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    #[test]
    fn credits_the_last_touch_only() {
        assert_rule(
            LastClick,
            &[
                (&["a", "b", "c"], 2.0, 20.0, 0.0),
                (&["b", "a"], 1.0, 5.0, 1.0),
                (&["c", "c"], 1.0, 1.0, 0.0),
            ],
            &[("a", 1.0, 5.0), ("b", 0.0, 0.0), ("c", 3.0, 21.0)],
        );
    }
}
