//! W-shaped (B2B): 30% to the first touch, 30% to the touch that led to
//! each of two milestones (`--milestones lead,opportunity`: the lead and
//! the opportunity), 10% shared equally by the other touches. Adobe
//! Analytics and Salesforce's Bizible define it; the conventions for
//! missing and coinciding positions are in `super::milestones`.

use super::milestones::shape;
use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// First touch and the two milestone touches.
pub struct WShaped;

impl WeightRule for WShaped {
    fn kind(&self) -> ModelKind {
        ModelKind::WShaped
    }

    fn weights(&self, _channels: &[String], journey: &Journey<'_>, w: &mut [f64]) {
        shape(journey, 0.1, false, w);
    }
}
