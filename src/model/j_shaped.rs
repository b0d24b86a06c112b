//! J-shaped: 20% to the first touch, 60% to the last, 20% spread over the
//! middle; two touches split 25/75 to the last; one touch gets 100%.
//! Adobe Analytics' definition (its documented example is a test below).

use super::position_based::shape;
use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// Most credit to the touch closest to the conversion.
pub struct JShaped;

impl WeightRule for JShaped {
    fn kind(&self) -> ModelKind {
        ModelKind::JShaped
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        shape([0.2, 0.2, 0.6], w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    /// Adobe's example: paid search, social, email, display (display last),
    /// $50 -> display $30, paid search $10, social $5, email $5.
    #[test]
    fn adobe_published_example() {
        assert_rule(
            JShaped,
            &[(&["paid search", "social", "email", "display"], 1.0, 50.0, 0.0)],
            &[
                ("display", 0.6, 30.0),
                ("email", 0.1, 5.0),
                ("paid search", 0.2, 10.0),
                ("social", 0.1, 5.0),
            ],
        );
    }

    #[test]
    fn two_touches_go_75_to_the_last() {
        assert_rule(JShaped, &[(&["a", "b"], 4.0, 0.0, 0.0)], &[("a", 1.0, 0.0), ("b", 3.0, 0.0)]);
    }
}
