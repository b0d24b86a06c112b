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
        let touches = journey.touches;
        if touches.len() <= 64 {
            // Short journeys (nearly all): a scan beats any set.
            for (k, &c) in touches.iter().enumerate() {
                if !touches[..k].contains(&c) {
                    w[k] = 1.0;
                }
            }
        } else {
            // A customer with a million touches must not take a million squared steps.
            let mut seen = std::collections::HashSet::with_capacity(64);
            for (k, &c) in touches.iter().enumerate() {
                if seen.insert(c) {
                    w[k] = 1.0;
                }
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
    use crate::model::testutil::assert_rule;
    use crate::model::{AttributionModel, Heuristic};

    #[test]
    fn long_journeys_take_the_set_path_with_the_same_result() {
        let names: Vec<String> = (0..100).map(|i| format!("c{:02}", i % 7)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let j = Journeys::from_paths(&[(&refs, 1.0, 7.0, 0.0)]);
        let c = Heuristic(Participation).attribute(&j).unwrap();
        assert!(c.conversions.iter().all(|&x| x == 1.0) && c.conversions.len() == 7);
    }

    #[test]
    fn every_distinct_channel_gets_full_credit() {
        assert_rule(
            Participation,
            &[(&["a", "b", "a"], 2.0, 10.0, 0.0), (&["b"], 1.0, 5.0, 0.0), (&["c"], 0.0, 0.0, 4.0)],
            &[("a", 2.0, 10.0), ("b", 3.0, 15.0), ("c", 0.0, 0.0)],
        );
    }
}
