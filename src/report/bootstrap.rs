//! Uncertainty by the bootstrap (`--bootstrap N --seed S`): journeys are
//! resampled with replacement N times, every model runs on each replicate,
//! and each credit gets the 2.5th and 97.5th percentiles of its replicates.
//!
//! A replicate reweights the journeys by how often each was drawn (no copy of
//! the rows), so every model, Markov and Shapley included, runs unchanged.
//! Replicate r draws from its own generator seeded by (seed, r): results are
//! the same whatever the number of threads. Percentiles interpolate linearly
//! between order statistics (R's type 7, numpy's default).

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::journey::Journeys;
use crate::model::AttributionModel;

/// A 95% percentile interval of one credit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// 2.5th percentile of credited conversions.
    pub conversions_lo: f64,
    /// 97.5th percentile of credited conversions.
    pub conversions_hi: f64,
    /// 2.5th percentile of credited revenue.
    pub value_lo: f64,
    /// 97.5th percentile of credited revenue.
    pub value_hi: f64,
}

/// How many times each journey is drawn in replicate `r`.
fn draw(n: usize, seed: u64, r: u64) -> Vec<u32> {
    let mut rng = crate::rng::SplitMix(seed ^ r.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[rng.below(n)] += 1;
    }
    counts
}

/// Linear interpolation between order statistics of sorted `xs` (type 7).
pub(crate) fn percentile(xs: &[f64], p: f64) -> f64 {
    let h = (xs.len() - 1) as f64 * p;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    if lo + 1 < xs.len() {
        xs[lo] + frac * (xs[lo + 1] - xs[lo])
    } else {
        xs[lo]
    }
}

/// Every replicate's credits: `[replicate][model] = (conversions, value)`
/// per channel, for `models` (which produced `report` from `journeys`). What
/// a model chose from the data (Markov's `auto` order) stays as the report
/// has it on every replicate.
pub type Replicates = Vec<Vec<(Vec<f64>, Vec<f64>)>>;

/// Runs every model on `replicates` resamples of `journeys` (see [`Replicates`]).
pub fn replicate_credits(
    report: &super::Report,
    journeys: &Journeys,
    models: &[Box<dyn AttributionModel>],
    replicates: usize,
    seed: u64,
) -> Result<Replicates> {
    let frozen: Vec<Option<Box<dyn AttributionModel>>> = models
        .iter()
        .zip(&report.models)
        .map(|(m, r)| m.frozen(r.details.as_ref()))
        .collect();
    let models: Vec<&dyn AttributionModel> = models
        .iter()
        .zip(&frozen)
        .map(|(m, f)| f.as_deref().unwrap_or(m.as_ref()))
        .collect();
    let n = journeys.len();
    (0..replicates as u64)
        .into_par_iter()
        .map(|r| {
            let resampled = journeys.reweighted(&draw(n, seed, r));
            models
                .iter()
                .map(|m| m.attribute(&resampled).map(|c| (c.conversions, c.value)))
                .collect::<Result<Vec<_>>>()
        })
        .collect()
}

/// Adds an interval to every credit of `report`, which `models` produced
/// from `journeys`.
pub fn add_intervals(
    report: &mut super::Report,
    journeys: &Journeys,
    models: &[Box<dyn AttributionModel>],
    replicates: usize,
    seed: u64,
) -> Result<()> {
    let runs = replicate_credits(report, journeys, models, replicates, seed)?;
    let channels = journeys.channels().len();
    for (m, report) in report.models.iter_mut().enumerate() {
        for (c, credit) in report.credits.iter_mut().enumerate().take(channels) {
            let mut conv: Vec<f64> = runs.iter().map(|run| run[m].0[c]).collect();
            let mut value: Vec<f64> = runs.iter().map(|run| run[m].1[c]).collect();
            conv.sort_by(f64::total_cmp);
            value.sort_by(f64::total_cmp);
            credit.interval = Some(Box::new(Interval {
                conversions_lo: percentile(&conv, 0.025),
                conversions_hi: percentile(&conv, 0.975),
                value_lo: percentile(&value, 0.025),
                value_hi: percentile(&value, 0.975),
            }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&xs, 0.5), 3.0);
        assert_eq!(percentile(&xs, 0.025), 1.1);
        assert!((percentile(&xs, 0.975) - 4.9).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 0.975), 7.0);
    }

    #[test]
    fn a_replicate_drawing_every_journey_once_is_the_original() {
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["b"], 1.0, 5.0, 2.0)]);
        let model = crate::model::ModelKind::Markov.build(&crate::model::ModelConfig::default());
        assert_eq!(model.attribute(&j.reweighted(&[1, 1])).unwrap(), model.attribute(&j).unwrap());
        // Drawing the first journey twice doubles its weight.
        let twice = j.reweighted(&[2, 0]);
        assert_eq!((twice.get(0).conversions, twice.get(0).value, twice.get(1).nulls), (6.0, 60.0, 0.0));
    }

    #[test]
    fn draws_are_seeded_and_total_n() {
        let a = draw(1000, 7, 3);
        assert_eq!(a.iter().sum::<u32>(), 1000);
        assert_eq!(a, draw(1000, 7, 3));
        assert_ne!(a, draw(1000, 7, 4));
        assert_ne!(a, draw(1000, 8, 3));
    }
}
