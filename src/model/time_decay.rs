//! Time-decay: a touch's weight halves with every half-life between the
//! touch and the conversion, w = 2^(-(t_conversion - t_touch) / half_life),
//! normalised per journey (Adobe Analytics' definition; default half-life
//! 7 days, as Adobe and GA's former model).
//!
//! Age is measured from the conversion time (for inline conversions, the
//! converting touch's own time). Weights are computed relative to the
//! youngest touch, which is identical after normalising but cannot underflow
//! to 0/0 for journeys hundreds of half-lives long.

use std::collections::BTreeMap;

use super::{ModelKind, Parameter, WeightRule};
use crate::journey::Journey;

/// Exponentially more credit to touches close to the conversion.
pub struct TimeDecay {
    half_life_ms: f64,
}

impl TimeDecay {
    /// `half_life_ms` must be positive (validated by the caller).
    pub fn new(half_life_ms: f64) -> Self {
        TimeDecay { half_life_ms }
    }
}

impl WeightRule for TimeDecay {
    fn kind(&self) -> ModelKind {
        ModelKind::TimeDecay
    }

    fn parameters(&self) -> BTreeMap<&'static str, Parameter> {
        BTreeMap::from([("half_life_seconds", Parameter::Number(self.half_life_ms / 1000.0))])
    }

    fn weights(&self, _channels: &[String], j: &Journey<'_>, w: &mut [f64]) {
        let times = j.times.expect("time-decay runs only on timed journeys");
        let at = j.converted_at.unwrap_or_else(|| *times.last().expect("journeys are not empty"));
        let youngest = times.iter().map(|&t| at - t).min().expect("journeys are not empty");
        let mut sum = 0.0;
        for (wi, &t) in w.iter_mut().zip(times) {
            *wi = (-((at - t - youngest) as f64) / self.half_life_ms).exp2();
            sum += *wi;
        }
        for wi in w.iter_mut() {
            *wi /= sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{assert_credits, timed};
    use crate::model::{AttributionModel, Heuristic};

    const WEEK: f64 = 7.0 * 86_400_000.0;

    /// Adobe Analytics' documented example: paid search 9 days before, social
    /// 6 days before, email and display on the conversion day, $50, half-life
    /// 7 days -> display $16.88, email $16.88, social $9.32, paid search $6.92.
    #[test]
    fn adobe_published_example() {
        let j = timed(&[(&[("paid search", 9.0), ("social", 6.0), ("email", 0.0), ("display", 0.0)], 50.0)]);
        let c = Heuristic(TimeDecay::new(WEEK)).attribute(&j).unwrap();
        let cents = |ch: &str| (c.value[j.channel_id(ch).unwrap() as usize] * 100.0).round() / 100.0;
        assert_eq!(cents("display"), 16.88);
        assert_eq!(cents("email"), 16.88);
        assert_eq!(cents("social"), 9.32);
        assert_eq!(cents("paid search"), 6.92);
    }

    #[test]
    fn one_half_life_halves_the_weight() {
        // Ages 7 and 0 days: weights 1/2 and 1, so shares 1/3 and 2/3.
        let j = timed(&[(&[("a", 7.0), ("b", 0.0)], 3.0)]);
        let c = Heuristic(TimeDecay::new(WEEK)).attribute(&j).unwrap();
        assert_credits(&j, &c, &[("a", 1.0 / 3.0, 1.0), ("b", 2.0 / 3.0, 2.0)]);
    }

    #[test]
    fn very_old_journeys_do_not_underflow() {
        let j = timed(&[(&[("a", 70_000.0), ("b", 70_000.0)], 2.0)]);
        let c = Heuristic(TimeDecay::new(WEEK)).attribute(&j).unwrap();
        assert_credits(&j, &c, &[("a", 0.5, 1.0), ("b", 0.5, 1.0)]);
    }
}
