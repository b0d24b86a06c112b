//! Cross-run deltas for `mta compare`: two result files of `mta attribute`
//! (read by [`crate::input::results`]) compared model by model and channel
//! by channel.
//!
//! This module computes; it never reads files, prints or knows about clap.
//! Which figure is compared is a plain selector function, so that this stage
//! does not depend on the output stage's `Metric`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

pub use crate::input::results::{CREDIT_COLUMNS, Figures, Labels, Results};

/// When two figures count as equal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerance {
    /// Largest difference allowed: absolute, or a fraction of |base|.
    #[serde(rename = "tolerance")]
    pub limit: f64,
    /// `|new - base| <= limit * |base|` instead of `<= limit`.
    pub relative: bool,
}

impl Tolerance {
    /// Whether `new` is within tolerance of `base`. Relative to a base of 0
    /// only an exact 0 passes.
    pub fn within(&self, base: f64, new: f64) -> bool {
        let allowed = if self.relative { self.limit * base.abs() } else { self.limit };
        // Figures often come from 6-decimal text: `0.301 - 0.300` is a few
        // ulps above `0.001` in binary, and must still pass at 0.001. The
        // slack is ulps of the operands, so it is 0 when both are 0 and never
        // lets through a difference as large as the operands themselves.
        let slack = 8.0 * f64::EPSILON * base.abs().max(new.abs());
        (new - base).abs() <= allowed + slack
    }
}

/// Outcome of one (model, channel) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Both sides have it, within tolerance.
    Ok,
    /// Both sides have it, beyond tolerance.
    Beyond,
    /// Only the base file has it.
    OnlyInBase,
    /// Only the new file has it.
    OnlyInNew,
}

impl Status {
    /// The name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Beyond => "beyond",
            Status::OnlyInBase => "only-in-base",
            Status::OnlyInNew => "only-in-new",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One (model, channel) pair of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowDiff {
    /// Its segment, for results of `mta attribute --by` (`conversion_type`
    /// first in JSON); empty otherwise.
    #[serde(flatten)]
    pub segment: Labels,
    /// Model name.
    pub model: String,
    /// Channel name.
    pub channel: String,
    /// The compared figure in the base file (`null` when absent there).
    pub base: Option<f64>,
    /// The compared figure in the new file (`null` when absent there).
    pub new: Option<f64>,
    /// `new - base` (`null` when one side is absent).
    pub difference: Option<f64>,
    /// `ok`, `beyond`, `only-in-base` or `only-in-new`.
    pub status: Status,
}

/// Two result files compared on one figure; as JSON, the document of
/// `mta compare --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Figure compared: `conversions`, `value` or `share`.
    pub metric: String,
    /// The tolerance applied.
    #[serde(flatten)]
    pub tolerance: Tolerance,
    /// Pairs compared (present on either side).
    pub compared: usize,
    /// Pairs beyond tolerance, one-sided pairs included.
    pub beyond: usize,
    /// Pairs only in the base file.
    #[serde(skip)]
    pub only_in_base: usize,
    /// Pairs only in the new file.
    #[serde(skip)]
    pub only_in_new: usize,
    /// Segment columns either file has (`mta attribute --by`), in
    /// [`crate::input::results::SEGMENT_COLUMNS`] order.
    #[serde(skip)]
    pub dimensions: Vec<&'static str>,
    /// Rows by model (base order, then models only in new in their order),
    /// then channel name; every pair unless [`Comparison::retain_beyond`] ran.
    pub rows: Vec<RowDiff>,
}

impl Comparison {
    /// Compares `figure` (named `metric`) of every (model, channel) pair of `base` and `new`.
    pub fn compute(base: &Results, new: &Results, metric: &str, figure: fn(&Figures) -> f64, tolerance: Tolerance) -> Comparison {
        let key = |m: &crate::input::results::ModelResults| (m.segment.clone(), m.model.clone());
        let mut order: Vec<(Labels, String)> = base.models.iter().map(key).collect();
        let extra: Vec<(Labels, String)> = new.models.iter().map(key).filter(|k| !order.contains(k)).collect();
        order.extend(extra);
        let empty = BTreeMap::new();
        let mut rows = Vec::new();
        for (segment, model) in order {
            let b = base.channels(&segment, &model).unwrap_or(&empty);
            let n = new.channels(&segment, &model).unwrap_or(&empty);
            let channels: BTreeSet<&String> = b.keys().chain(n.keys()).collect();
            for channel in channels {
                let bv = b.get(channel).map(figure);
                let nv = n.get(channel).map(figure);
                let (difference, status) = match (bv, nv) {
                    (Some(x), Some(y)) if tolerance.within(x, y) => (Some(y - x), Status::Ok),
                    (Some(x), Some(y)) => (Some(y - x), Status::Beyond),
                    (Some(_), None) => (None, Status::OnlyInBase),
                    (None, _) => (None, Status::OnlyInNew),
                };
                rows.push(RowDiff {
                    segment: segment.clone(),
                    model: model.to_string(),
                    channel: channel.clone(),
                    base: bv,
                    new: nv,
                    difference,
                    status,
                });
            }
        }
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        let dimensions = crate::input::results::SEGMENT_COLUMNS
            .into_iter()
            .filter(|d| {
                base.models
                    .iter()
                    .chain(&new.models)
                    .any(|m| m.segment.0.iter().any(|(k, _)| k == d))
            })
            .collect();
        Comparison {
            dimensions,
            metric: metric.to_string(),
            tolerance,
            compared: rows.len(),
            beyond: rows.len() - count(Status::Ok),
            only_in_base: count(Status::OnlyInBase),
            only_in_new: count(Status::OnlyInNew),
            rows,
        }
    }

    /// Keeps only the rows beyond tolerance (counts are unchanged).
    pub fn retain_beyond(&mut self) {
        self.rows.retain(|r| r.status != Status::Ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(f: &Figures) -> f64 {
        f.share
    }

    fn abs(limit: f64) -> Tolerance {
        Tolerance { limit, relative: false }
    }

    fn rel(limit: f64) -> Tolerance {
        Tolerance { limit, relative: true }
    }

    const BASE: &str = "model,channel,conversions,value,share\n\
                        linear,Email,1.000000,10.000000,0.250000\n\
                        linear,Search,3.000000,30.000000,0.750000\n\
                        first-click,Email,2.000000,20.000000,0.500000\n\
                        first-click,Search,2.000000,20.000000,0.500000\n";

    fn csv(text: &str) -> crate::Result<Results> {
        crate::input::results::tests::parse("r.csv", text.as_bytes())
    }

    #[test]
    fn absolute_tolerance_by_hand() {
        let t = abs(0.001);
        assert!(t.within(0.25, 0.2505)); // 0.0005 <= 0.001
        assert!(!t.within(0.25, 0.252)); // 0.002 > 0.001
        assert!(t.within(0.300, 0.301)); // exactly the tolerance, despite binary rounding
        assert!(t.within(0.301, 0.300));
        assert!(!t.within(0.300, 0.301001));
        assert!(abs(0.0).within(0.5, 0.5));
        assert!(!abs(0.0).within(0.5, 0.500001));
    }

    #[test]
    fn relative_tolerance_by_hand() {
        let t = rel(0.05);
        assert!(t.within(0.5, 0.52)); // 0.02 <= 0.05 * 0.5 = 0.025
        assert!(!t.within(0.1, 0.11)); // 0.01 > 0.05 * 0.1 = 0.005
        assert!(t.within(-2.0, -2.1)); // 0.1 <= 0.05 * |-2|
        assert!(t.within(0.0, 0.0)); // base 0: only an exact 0 passes
        assert!(!t.within(0.0, 1e-12));
        assert!(!rel(1e6).within(0.0, 1e-300));
    }

    #[test]
    fn compare_orders_rows_and_counts_one_sided_pairs() {
        let base = csv(BASE).unwrap();
        let new = csv("model,channel,conversions,value,share\n\
                       first-click,Email,2,20,0.5005\n\
                       first-click,Search,2,20,0.498\n\
                       markov,Email,1,1,1\n\
                       linear,Email,1,10,0.25\n\
                       linear,Display,0,0,0\n")
        .unwrap();
        let mut c = Comparison::compute(&base, &new, "share", share, abs(0.001));
        let got: Vec<(&str, &str, Status)> = c.rows.iter().map(|r| (r.model.as_str(), r.channel.as_str(), r.status)).collect();
        assert_eq!(
            got,
            [
                ("linear", "Display", Status::OnlyInNew),
                ("linear", "Email", Status::Ok),
                ("linear", "Search", Status::OnlyInBase),
                ("first-click", "Email", Status::Ok),      // 0.0005 <= 0.001
                ("first-click", "Search", Status::Beyond), // 0.002 > 0.001
                ("markov", "Email", Status::OnlyInNew),
            ]
        );
        assert_eq!((c.compared, c.beyond, c.only_in_base, c.only_in_new), (6, 4, 1, 2));
        let search = &c.rows[4];
        assert_eq!((search.base, search.new), (Some(0.5), Some(0.498)));
        assert!((search.difference.unwrap() + 0.002).abs() < 1e-12);
        assert_eq!((c.rows[2].new, c.rows[2].difference), (None, None));
        c.retain_beyond();
        assert_eq!(c.rows.len(), 4);
        assert_eq!(c.beyond, 4);
    }

    #[test]
    fn identical_files_are_all_within() {
        let base = csv(BASE).unwrap();
        let c = Comparison::compute(&base, &base, "value", |f| f.value, abs(0.0));
        assert_eq!((c.compared, c.beyond), (4, 0));
        assert!(c.rows.iter().all(|r| r.difference == Some(0.0)));
    }

    #[test]
    fn status_names_match_serde() {
        for s in [Status::Ok, Status::Beyond, Status::OnlyInBase, Status::OnlyInNew] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}
