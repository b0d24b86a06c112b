//! `--by day|week|month`: credit over time. Journeys are built once over
//! the whole input; each converting journey's credit goes to the period of
//! its conversion (a local date in `--timezone`), so the periods of a
//! model add up to its undivided credits.
//!
//! Every model but Markov splits single journeys (rule-based weights,
//! Shapley's phi_i(N) / v(N)), and a period's credit is the sum of the
//! splits of its journeys. Markov's removal effects are a property of the
//! whole chain, not of a journey, so its periods follow a stated
//! convention: each converting journey's conversion (revenue) is split
//! over its distinct channels in proportion to their removal effects on
//! conversions (revenue), and each channel's periods are then rescaled to
//! sum to its undivided Markov credit. A period's Markov total is therefore
//! close to, not exactly, the conversions of that period.

use chrono::NaiveDate;
use rayon::prelude::*;

use super::ModelReport;
use crate::error::Result;
use crate::input::Zone;
use crate::journey::{Dimension, Journeys};
use crate::model::{AttributionModel, Credits, Details};

/// A journey that converts in no period (it does not convert).
const NONE: u32 = u32::MAX;

/// The periods of a set of journeys.
#[derive(Debug, Clone)]
pub struct Periods {
    /// The dimension they are periods of.
    pub dimension: Dimension,
    /// Each period's label, in time order.
    pub labels: Vec<String>,
    /// Per journey: its period's index in `labels`, [`NONE`] when it does not convert.
    of: Vec<u32>,
    /// Per period: the conversions of its journeys.
    pub conversions: Vec<f64>,
}

impl Periods {
    /// The periods of the converting journeys of `journeys` (event
    /// journeys: they carry conversion times).
    pub fn of(journeys: &Journeys, dimension: Dimension, zone: Zone) -> Periods {
        let starts: Vec<Option<NaiveDate>> = (0..journeys.len())
            .into_par_iter()
            .map(|i| {
                let j = journeys.get(i);
                if !j.converts() {
                    return None;
                }
                j.converted_at.map(|ms| dimension.period_start(zone.local_date(ms)))
            })
            .collect();
        let mut distinct: Vec<NaiveDate> = starts.iter().flatten().copied().collect();
        distinct.par_sort_unstable();
        distinct.dedup();
        let of: Vec<u32> = starts
            .par_iter()
            .map(|s| s.map_or(NONE, |d| distinct.binary_search(&d).expect("every start is listed") as u32))
            .collect();
        let mut conversions = vec![0.0; distinct.len()];
        for (i, &p) in of.iter().enumerate() {
            if p != NONE {
                conversions[p as usize] += journeys.get(i).conversions;
            }
        }
        Periods {
            dimension,
            labels: distinct.iter().map(|&d| dimension.period_label(d)).collect(),
            of,
            conversions,
        }
    }

    /// `model`'s credits per period (`undivided` = its report on all of
    /// `journeys`, whose Markov details it reuses), in `labels` order.
    pub fn credits(&self, journeys: &Journeys, model: &dyn AttributionModel, undivided: &ModelReport) -> Result<Vec<Credits>> {
        let n = journeys.channels().len();
        let mut out: Vec<Credits> = (0..self.labels.len()).map(|_| Credits::zeros(n)).collect();
        if let Some(mut split) = model.journey_split(journeys)? {
            let mut shares = Vec::new();
            for (i, &p) in self.of.iter().enumerate() {
                if p == NONE {
                    continue;
                }
                let j = journeys.get(i);
                split.split(journeys.channels(), &j, &mut shares);
                let to = &mut out[p as usize];
                for &(c, w) in &shares {
                    to.conversions[c as usize] += j.conversions * w;
                    to.value[c as usize] += j.value * w;
                }
            }
            return Ok(out);
        }
        let Some(Details::Markov(solution)) = &undivided.details else {
            unreachable!("every model but Markov splits single journeys")
        };
        let effects = &solution.effects;
        let mut distinct = Vec::new();
        for (i, &p) in self.of.iter().enumerate() {
            if p == NONE {
                continue;
            }
            let j = journeys.get(i);
            distinct.clear();
            distinct.extend_from_slice(j.touches);
            distinct.sort_unstable();
            distinct.dedup();
            let to = &mut out[p as usize];
            for (weights, amount, credit) in [
                (&effects.conversion, j.conversions, &mut to.conversions),
                (&effects.value, j.value, &mut to.value),
            ] {
                let sum: f64 = distinct.iter().map(|&c| weights[c as usize]).sum();
                if sum > 0.0 {
                    for &c in &distinct {
                        credit[c as usize] += amount * weights[c as usize] / sum;
                    }
                }
            }
        }
        // Rescale each channel's periods to its undivided credit.
        for (c, total) in undivided.credits.iter().enumerate() {
            let raw: (f64, f64) = out.iter().fold((0.0, 0.0), |s, x| (s.0 + x.conversions[c], s.1 + x.value[c]));
            for x in &mut out {
                x.conversions[c] = rescale(x.conversions[c], raw.0, total.conversions);
                x.value[c] = rescale(x.value[c], raw.1, total.value);
            }
        }
        Ok(out)
    }

    /// The model reports of every period: `undivided`'s parameters, each
    /// period's credits and shares within the period.
    pub fn reports(
        &self,
        journeys: &Journeys,
        model: &dyn AttributionModel,
        undivided: &ModelReport,
    ) -> Result<Vec<(String, ModelReport)>> {
        let names: Vec<std::sync::Arc<str>> = undivided.credits.iter().map(|c| c.channel.clone()).collect();
        Ok(self
            .credits(journeys, model, undivided)?
            .into_iter()
            .zip(&self.labels)
            .zip(&self.conversions)
            .map(|((credits, label), &conversions)| {
                let report = ModelReport::new(
                    model.kind(),
                    undivided.parameters.clone(),
                    &names,
                    &credits,
                    if model.sums_to_conversions() {
                        credits.conversions.iter().sum()
                    } else {
                        conversions
                    },
                    None,
                );
                (label.clone(), report)
            })
            .collect())
    }
}

/// One model's share of each channel in each period (`mta report --by`).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareOverTime {
    /// The model shown.
    pub model: crate::model::ModelKind,
    /// What the periods are.
    pub dimension: Dimension,
    /// Period labels, in time order.
    pub periods: Vec<String>,
    /// Channels by undivided share, largest first (then by name).
    pub channels: Vec<ChannelShares>,
}

/// One channel's shares under one model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelShares {
    /// The channel.
    pub name: String,
    /// Its share without `--by`.
    pub all: f64,
    /// Its share in each period.
    pub periods: Vec<f64>,
}

impl ShareOverTime {
    /// The shares of the data-driven model of `report` (the run of `models`
    /// on `journeys`): Markov when it ran, else Shapley, else the first.
    pub fn of_data_driven(
        journeys: &Journeys,
        models: &[Box<dyn AttributionModel>],
        report: &super::Report,
        dimension: Dimension,
        zone: Zone,
    ) -> Result<Option<ShareOverTime>> {
        let shown = [crate::model::ModelKind::Markov, crate::model::ModelKind::Shapley]
            .iter()
            .find_map(|&k| models.iter().position(|m| m.kind() == k))
            .unwrap_or(0);
        let (Some(model), Some(undivided)) = (models.get(shown), report.models.get(shown)) else {
            return Ok(None);
        };
        let periods = Periods::of(journeys, dimension, zone);
        Ok(Some(ShareOverTime::compute(&periods, journeys, model.as_ref(), undivided)?))
    }

    /// The shares of `model` (whose run on all of `journeys` gave `undivided`).
    pub fn compute(periods: &Periods, journeys: &Journeys, model: &dyn AttributionModel, undivided: &ModelReport) -> Result<ShareOverTime> {
        let parts = periods.reports(journeys, model, undivided)?;
        let mut channels: Vec<ChannelShares> = undivided
            .credits
            .iter()
            .enumerate()
            .map(|(c, credit)| ChannelShares {
                name: credit.channel.to_string(),
                all: credit.share,
                periods: parts.iter().map(|(_, r)| r.credits[c].share).collect(),
            })
            .collect();
        channels.sort_by(|a, b| b.all.total_cmp(&a.all).then_with(|| a.name.cmp(&b.name)));
        Ok(ShareOverTime {
            model: model.kind(),
            dimension: periods.dimension,
            periods: periods.labels.clone(),
            channels,
        })
    }
}

/// `part` of `raw`, as a part of `target` instead.
fn rescale(part: f64, raw: f64, target: f64) -> f64 {
    if raw > 0.0 { part / raw * target } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelConfig, ModelKind};
    use crate::report::{InputSummary, Report};

    /// Journeys of customer `a` (converts in January, then in February),
    /// `b` (February) and `c` (never): channels email 0, search 1, social 2.
    fn journeys() -> Journeys {
        let jan = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        let day = |d: i64| jan + d * 86_400_000;
        let mut j = Journeys::new(vec!["email".into(), "search".into(), "social".into()], true);
        // (touches, their days, conversions, value), converting on the last touch's day.
        for (touches, days, value) in [(&[1, 0], [0, 1], 10.0), (&[2, 0], [35, 40], 30.0), (&[1, 2], [33, 34], 20.0)] {
            j.push(touches, Some(&days.map(day)), 1.0, value, 0.0, Some(day(days[1])));
        }
        j.push(&[2], Some(&[day(3)]), 0.0, 0.0, 1.0, None);
        j
    }

    #[test]
    fn periods_add_up_to_the_undivided_credits_for_every_model() {
        let j = journeys();
        let periods = Periods::of(&j, Dimension::Month, Zone::Utc);
        assert_eq!(periods.labels, ["2026-01", "2026-02"]);
        assert_eq!(periods.conversions, [1.0, 2.0]);
        let cfg = ModelConfig::default();
        let models: Vec<_> = ModelKind::ALL.iter().map(|k| k.build(&cfg)).collect();
        let input = InputSummary::new("events", &[], &Default::default(), 0);
        let report = Report::compute(input, &j, &models).unwrap();
        for (m, undivided) in models.iter().zip(&report.models) {
            let parts = periods.reports(&j, m.as_ref(), undivided).unwrap();
            for (c, total) in undivided.credits.iter().enumerate() {
                let conv: f64 = parts.iter().map(|(_, r)| r.credits[c].conversions).sum();
                let value: f64 = parts.iter().map(|(_, r)| r.credits[c].value).sum();
                assert!((conv - total.conversions).abs() < 1e-12, "{:?} {c}", m.kind());
                assert!((value - total.value).abs() < 1e-9, "{:?} {c}", m.kind());
            }
        }
        // Last click by hand: January email 1 (10), February email 1 (30) and social 1 (20).
        let last = models.iter().position(|m| m.kind() == ModelKind::LastClick).unwrap();
        let parts = periods.reports(&j, models[last].as_ref(), &report.models[last]).unwrap();
        let figures: Vec<Vec<(String, f64, f64, f64)>> = parts
            .iter()
            .map(|(_, r)| {
                r.credits
                    .iter()
                    .map(|c| (c.channel.to_string(), c.conversions, c.value, c.share))
                    .collect()
            })
            .collect();
        assert_eq!(
            figures,
            [
                vec![
                    ("email".into(), 1.0, 10.0, 1.0),
                    ("search".into(), 0.0, 0.0, 0.0),
                    ("social".into(), 0.0, 0.0, 0.0)
                ],
                vec![
                    ("email".into(), 1.0, 30.0, 0.5),
                    ("search".into(), 0.0, 0.0, 0.0),
                    ("social".into(), 1.0, 20.0, 0.5)
                ],
            ]
        );
    }
}
