//! Full-path (B2B): 22.5% to each of the first touch, the touches that led
//! to two milestones (`--milestones lead,opportunity`) and the last touch
//! before the credited conversion (the deal), 10% shared equally by the
//! other touches. Salesforce's Bizible defines it (Adobe Analytics' custom
//! models can); the conventions for missing and coinciding positions are
//! in `super::milestones`.

use super::milestones::shape;
use super::{ModelKind, WeightRule};
use crate::journey::Journey;

/// First touch, the two milestone touches and the last touch.
pub struct FullPath;

impl WeightRule for FullPath {
    fn kind(&self) -> ModelKind {
        ModelKind::FullPath
    }

    fn weights(&self, _channels: &[String], journey: &Journey<'_>, w: &mut [f64]) {
        shape(journey, 0.1, true, w);
    }
}
