//! Last non-direct click: like last-click, but a direct visit does not take
//! the credit from the marketing touch before it.
//!
//! Touches whose channel equals `--direct-channel` (case-insensitive) are
//! skipped; a journey made only of direct touches credits its last touch, so
//! no conversion goes unattributed. This is Google Analytics' historic
//! default ("last non-direct click").

use std::collections::BTreeMap;

use super::{ModelKind, Parameter, WeightRule};
use crate::journey::Journey;

/// All credit to the last touch that is not the direct channel.
pub struct LastNonDirect {
    direct: String,
}

impl LastNonDirect {
    /// `direct` names the channel to skip.
    pub fn new(direct: &str) -> Self {
        LastNonDirect {
            direct: direct.to_string(),
        }
    }
}

impl WeightRule for LastNonDirect {
    fn kind(&self) -> ModelKind {
        ModelKind::LastNonDirect
    }

    fn parameters(&self) -> BTreeMap<&'static str, Parameter> {
        BTreeMap::from([("direct_channel", Parameter::Text(self.direct.clone()))])
    }

    fn weights(&self, channels: &[String], j: &Journey<'_>, w: &mut [f64]) {
        let last = j
            .touches
            .iter()
            .rposition(|&c| !channels[c as usize].eq_ignore_ascii_case(&self.direct))
            .unwrap_or(j.touches.len() - 1);
        w[last] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_rule;

    #[test]
    fn skips_direct_unless_only_direct() {
        assert_rule(
            LastNonDirect::new("Direct"),
            &[
                (&["email", "search", "Direct"], 1.0, 10.0, 0.0), // search
                (&["direct", "DIRECT"], 1.0, 4.0, 0.0),           // all direct (any case): last one
                (&["Direct", "email"], 1.0, 2.0, 0.0),            // email is already last
            ],
            &[
                ("DIRECT", 1.0, 4.0),
                ("Direct", 0.0, 0.0),
                ("direct", 0.0, 0.0),
                ("email", 1.0, 2.0),
                ("search", 1.0, 10.0),
            ],
        );
    }
}
