//! Participation: every distinct channel of a converting journey gets the
//! full conversion and its full revenue (Adobe Analytics' "participation").
//!
//! Totals exceed the conversions by design (a journey through three
//! channels counts three times), so the share of a channel is relative to
//! the converting journeys' conversions, not to the model's total; the
//! output says so.

use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// Full credit to every channel that took part.
pub struct Participation;

impl WeightRule for Participation {
    fn kind(&self) -> ModelKind {
        ModelKind::Participation
    }

    /// 1 for the first touch of each distinct channel, 0 for repeats: the
    /// weights sum to the number of distinct channels, not to 1.
    fn weights(&self, _channels: &[String], journey: &Journey<'_>, w: &mut [f64]) {
        for (k, &c) in journey.touches.iter().enumerate() {
            if !journey.touches[..k].contains(&c) {
                w[k] = 1.0;
            }
        }
    }

    fn sums_to_one(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::Journeys;
    use crate::model::testutil::assert_credits;
    use crate::model::{AttributionModel, Heuristic};

    #[test]
    fn every_distinct_channel_gets_full_credit() {
        let j = Journeys::from_paths(&[(&["a", "b", "a"], 2.0, 10.0, 0.0), (&["b"], 1.0, 5.0, 0.0), (&["c"], 0.0, 0.0, 4.0)]);
        let c = Heuristic(Participation).attribute(&j).unwrap();
        assert_credits(&j, &c, &[("a", 2.0, 10.0), ("b", 3.0, 15.0), ("c", 0.0, 0.0)]);
    }
}
