//! Inverse J: 60% to the first touch, 20% to the last, 20% spread over the
//! middle; two touches split 75/25 to the first; one touch gets 100%.
//! Adobe Analytics' definition.

use super::position_based::shape;
use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// Most credit to the touch that started the journey.
pub struct InverseJ;

impl WeightRule for InverseJ {
    fn kind(&self) -> ModelKind {
        ModelKind::InverseJ
    }

    fn weights(&self, _channels: &[String], _journey: &Journey<'_>, w: &mut [f64]) {
        shape([0.6, 0.2, 0.2], w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    /// Adobe's example mirrored: paid search first gets $30 of $50.
    #[test]
    fn first_touch_gets_sixty_percent() {
        assert_rule(
            InverseJ,
            &[
                (&["paid search", "social", "email", "display"], 1.0, 50.0, 0.0),
                (&["x", "y"], 4.0, 0.0, 0.0),
            ],
            &[
                ("display", 0.2, 10.0),
                ("email", 0.1, 5.0),
                ("paid search", 0.6, 30.0),
                ("social", 0.1, 5.0),
                ("x", 3.0, 0.0),
                ("y", 1.0, 0.0),
            ],
        );
    }
}
