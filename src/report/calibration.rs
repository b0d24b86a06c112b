//! Credit calibrated with lift tests (`--lift`): attribution measures
//! association, an experiment measures what a channel caused over its
//! period; each model's credit to a tested channel is scaled so that, in
//! the test's window, it equals what the test measured.
//!
//! For a model and a channel c with tests: W = the model's credit to c for
//! the conversions inside the tests' windows (what `--from start --to end`
//! gives, summed over c's tests), factor = the tests' incremental
//! conversions / W, and the calibrated credit = factor x the credit over
//! the whole run (value by the same factor, unless every test of c gives
//! `incremental_value`: then their sum / the windows' credited value).
//! Channels without a test keep factor 1 and are marked uncalibrated.
//! With `--bootstrap`, a calibrated credit's interval combines the tests'
//! `lo`/`hi` with the resampling (see [`CalibratedInterval`]).

use std::collections::HashMap;

use serde::Serialize;

use super::Report;
use crate::input::lift::Lift;
use crate::model::ModelKind;

/// A credit's calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Factor of the conversions (1 for a channel without a test).
    pub calibration_factor: f64,
    /// Factor of the value.
    pub value_factor: f64,
    /// Whether a lift test calibrated it.
    pub calibrated: bool,
    /// factor x credited conversions.
    pub calibrated_conversions: f64,
    /// value factor x credited value.
    pub calibrated_value: f64,
    /// With `--costs`: calibrated value / spend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrated_roas: Option<f64>,
    /// With `--bootstrap`: the calibrated credit's interval.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub interval: Option<CalibratedInterval>,
}

/// The interval of a calibrated credit: the products of the factor's
/// ends (from the tests' `lo` and `hi`, else the factor itself) with the
/// resampled credit's ends, lowest to highest; the two sources of
/// uncertainty are taken as independent and both at their ends, which
/// makes the interval wide rather than narrow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibratedInterval {
    /// Lowest product of the conversions.
    pub calibrated_conversions_lo: f64,
    /// Highest.
    pub calibrated_conversions_hi: f64,
    /// Lowest product of the value.
    pub calibrated_value_lo: f64,
    /// Highest.
    pub calibrated_value_hi: f64,
}

/// The lowest and highest of `a` x `b` over both ends of each.
fn product_range(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let p = [a.0 * b.0, a.0 * b.1, a.1 * b.0, a.1 * b.1];
    (
        p.iter().copied().fold(f64::INFINITY, f64::min),
        p.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

/// What calibrated credit leaves unexplained in a model's totals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Baseline {
    /// Conversions attributed - calibrated conversions.
    pub conversions: f64,
    /// Value attributed - calibrated value.
    pub value: f64,
}

/// One model's credit per channel (lower-case name) inside a test's
/// window: (conversions, value).
pub type WindowCredits = HashMap<String, (f64, f64)>;

/// Calibrates every credit of `report`; `windows[t][m]` is model `m`'s
/// credit inside test `t`'s window. Returns the warnings.
pub fn apply(report: &mut Report, lift: &Lift, windows: &[Vec<WindowCredits>]) -> Vec<String> {
    let key = |s: &str| s.trim().to_lowercase();
    let mut warnings = Vec::new();
    let channels: Vec<String> = report
        .models
        .first()
        .map_or_else(Vec::new, |m| m.credits.iter().map(|c| key(&c.channel)).collect());
    let unknown: Vec<&str> = lift
        .tests
        .iter()
        .filter(|t| !channels.contains(&key(&t.channel)))
        .map(|t| t.channel.as_str())
        .collect();
    if !unknown.is_empty() {
        warnings.push(format!(
            "`{}` tests channels the input does not have, left out: {}",
            lift.file,
            unknown.join(", ")
        ));
    }
    let mut not_credited = Vec::new();
    for (m, model) in report.models.iter_mut().enumerate() {
        let (mut sum_conv, mut sum_value) = (0.0, 0.0);
        for c in &mut model.credits {
            let tests: Vec<usize> = (0..lift.tests.len())
                .filter(|&t| key(&lift.tests[t].channel) == key(&c.channel))
                .collect();
            let window = |t: usize| windows[t][m].get(&key(&c.channel)).copied().unwrap_or((0.0, 0.0));
            let w: f64 = tests.iter().map(|&t| window(t).0).sum();
            let (factor, value_factor, calibrated, ends) = if tests.is_empty() {
                (1.0, 1.0, false, (1.0, 1.0))
            } else if w <= 0.0 {
                not_credited.push(format!("{} under {}", c.channel, model.model));
                (1.0, 1.0, false, (1.0, 1.0))
            } else {
                let factor = tests.iter().map(|&t| lift.tests[t].incremental_conversions).sum::<f64>() / w;
                let values: Option<f64> = tests.iter().map(|&t| lift.tests[t].incremental_value).sum();
                let v: f64 = tests.iter().map(|&t| window(t).1).sum();
                let value_factor = match values {
                    Some(inc) if v > 0.0 => inc / v,
                    _ => factor,
                };
                // The factor's ends, when every test of the channel has an interval.
                let ends: Option<(f64, f64)> = tests
                    .iter()
                    .map(|&t| lift.tests[t].interval)
                    .try_fold((0.0, 0.0), |acc, i| i.map(|(l, h)| (acc.0 + l, acc.1 + h)));
                (factor, value_factor, true, ends.map_or((factor, factor), |(l, h)| (l / w, h / w)))
            };
            // The value factor's ends move with the conversions factor's.
            let value_ends = match factor {
                f if f != 0.0 => (value_factor * ends.0 / f, value_factor * ends.1 / f),
                _ => (value_factor, value_factor),
            };
            let interval = c.interval.as_ref().map(|i| {
                let conv = product_range(ends, (i.conversions_lo, i.conversions_hi));
                let value = product_range(value_ends, (i.value_lo, i.value_hi));
                CalibratedInterval {
                    calibrated_conversions_lo: conv.0,
                    calibrated_conversions_hi: conv.1,
                    calibrated_value_lo: value.0,
                    calibrated_value_hi: value.1,
                }
            });
            let calibration = Calibration {
                calibration_factor: factor,
                value_factor,
                calibrated,
                calibrated_conversions: factor * c.conversions,
                calibrated_value: value_factor * c.value,
                calibrated_roas: c.cost.as_ref().filter(|k| k.spend > 0.0).map(|k| value_factor * c.value / k.spend),
                interval,
            };
            sum_conv += calibration.calibrated_conversions;
            sum_value += calibration.calibrated_value;
            c.calibration = Some(Box::new(calibration));
        }
        // Participation's credits sum past the conversions: no baseline.
        if model.model != ModelKind::Participation {
            let baseline = Baseline {
                conversions: model.conversions - sum_conv,
                value: model.value - sum_value,
            };
            if baseline.conversions < -1e-9 || baseline.value < -1e-9 {
                warnings.push(format!(
                    "{}: calibrated credit ({} conversions, value {}) exceeds what the model attributed ({}, {}): the lift tests find more caused than there is to credit, so the baseline is negative",
                    model.model,
                    crate::format::fixed(sum_conv, 2),
                    crate::format::fixed(sum_value, 2),
                    crate::format::fixed(model.conversions, 2),
                    crate::format::fixed(model.value, 2)
                ));
            }
            model.baseline = Some(baseline);
        }
    }
    if !not_credited.is_empty() {
        warnings.push(format!(
            "no credit inside the lift tests' windows, so not calibrated (factor 1): {}",
            not_credited.join(", ")
        ));
    }
    warnings
}

/// Puts every calibrated credit in place of the credit (`mta budget
/// --lift` reallocates on calibrated value), shares and totals after it.
pub fn use_calibrated(report: &mut Report) {
    for m in &mut report.models {
        for c in &mut m.credits {
            if let Some(k) = &c.calibration {
                c.conversions = k.calibrated_conversions;
                c.value = k.calibrated_value;
            }
        }
        m.conversions = m.credits.iter().map(|c| c.conversions).sum();
        m.value = m.credits.iter().map(|c| c.value).sum();
        for c in &mut m.credits {
            c.share = if m.conversions > 0.0 { c.conversions / m.conversions } else { 0.0 };
        }
        m.share = m.credits.iter().map(|c| c.share).sum();
    }
}

/// Scales bootstrap replicates (`[replicate][model]`: conversions and
/// value per channel, models and channels in `report`'s order) by the
/// calibration of `report`'s credits, so that a budget's intervals are
/// those of the calibrated credit.
pub fn calibrate_replicates(report: &Report, runs: &mut super::bootstrap::Replicates) {
    for run in runs.iter_mut() {
        for (m, (conversions, value)) in run.iter_mut().enumerate() {
            for (c, credit) in report.models[m].credits.iter().enumerate() {
                if let Some(k) = &credit.calibration {
                    conversions[c] *= k.calibration_factor;
                    value[c] *= k.value_factor;
                }
            }
        }
    }
}

/// The report of replicate `r` of `runs`: `report` with each model's
/// credits (conversions and value) those of the replicate; what depends on
/// them beyond that (shares, totals) is not recomputed.
pub fn replicate_report(report: &Report, runs: &super::bootstrap::Replicates, r: usize) -> Report {
    let mut out = report.clone();
    for (m, model) in out.models.iter_mut().enumerate() {
        let (conversions, value) = &runs[r][m];
        for (c, credit) in model.credits.iter_mut().enumerate() {
            credit.conversions = conversions[c];
            credit.value = value[c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicates_scale_by_each_credit_s_factors() {
        let mut report = crate::report::testutil::report();
        // Email (first credit) of the first model: factor 0.5, value factor 2.
        report.models[0].credits[0].calibration = Some(Box::new(Calibration {
            calibration_factor: 0.5,
            value_factor: 2.0,
            calibrated: true,
            calibrated_conversions: 0.5,
            calibrated_value: 20.0,
            calibrated_roas: None,
            interval: None,
        }));
        let mut runs = vec![vec![(vec![2.0, 4.0], vec![10.0, 30.0]), (vec![1.0, 1.0], vec![5.0, 5.0])]];
        calibrate_replicates(&report, &mut runs);
        assert_eq!(runs[0][0], (vec![1.0, 4.0], vec![20.0, 30.0]));
        assert_eq!(runs[0][1], (vec![1.0, 1.0], vec![5.0, 5.0]), "no calibration, no change");
        let r = replicate_report(&report, &runs, 0);
        assert_eq!((r.models[0].credits[0].conversions, r.models[0].credits[0].value), (1.0, 20.0));
    }

    #[test]
    fn product_ranges_take_signs_into_account() {
        assert_eq!(product_range((0.25, 1.0), (2.0, 4.0)), (0.5, 4.0));
        assert_eq!(product_range((-0.5, 1.0), (2.0, 4.0)), (-2.0, 4.0));
    }
}
