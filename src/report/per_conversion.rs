//! Per-conversion credits (`mta attribute --per-conversion`): one row per
//! conversion, model and channel, for analysts who join credits back to
//! orders.
//!
//! Only models with a per-journey split (the rule-based ones) have such rows;
//! the rows of a model sum to its totals. Rows are produced on demand, in
//! order of customer id, conversion time, then model and channel, so that
//! millions of them are never held at once.

use serde::Serialize;

use crate::input::time::format_ms;
use crate::journey::Journeys;
use crate::model::WeightRule;

/// One conversion's credit to one channel under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversionCredit<'a> {
    /// Customer id as in the input.
    pub customer_id: &'a str,
    /// Conversion time, RFC 3339 UTC.
    pub converted_at: String,
    /// Model name.
    pub model: &'static str,
    /// Channel name.
    pub channel: &'a str,
    /// Share of this conversion credited to the channel (sums to 1 per conversion and model).
    pub credit: f64,
    /// Share of the conversion's revenue credited to the channel.
    pub value: f64,
}

/// Converting journeys in output order, with the rules to split them.
pub struct PerConversion<'a> {
    journeys: &'a Journeys,
    rules: Vec<&'a dyn WeightRule>,
    order: Vec<usize>,
}

impl<'a> PerConversion<'a> {
    /// Prepares the rows of `rules` over the converting journeys of
    /// `journeys` (which must come from events: they carry customers and times).
    pub fn new(journeys: &'a Journeys, rules: Vec<&'a dyn WeightRule>) -> Self {
        let mut order: Vec<usize> = (0..journeys.len()).filter(|&i| journeys.get(i).converts()).collect();
        let key = |i: usize| {
            let j = journeys.get(i);
            (
                j.customer.and_then(|c| journeys.customer_name(c)).unwrap_or(""),
                j.converted_at.unwrap_or(i64::MIN),
            )
        };
        order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
        PerConversion { journeys, rules, order }
    }

    /// Calls `f` with every row, in order.
    pub fn for_each<E>(&self, mut f: impl FnMut(&ConversionCredit<'_>) -> Result<(), E>) -> Result<(), E> {
        let channels = self.journeys.channels();
        let mut weights = Vec::new();
        let mut per_channel: Vec<(u32, f64)> = Vec::new();
        for &i in &self.order {
            let j = self.journeys.get(i);
            let customer_id = j.customer.and_then(|c| self.journeys.customer_name(c)).unwrap_or("");
            let converted_at = j.converted_at.map(format_ms).unwrap_or_default();
            for rule in &self.rules {
                weights.clear();
                weights.resize(j.touches.len(), 0.0);
                rule.weights(channels, &j, &mut weights);
                per_channel.clear();
                per_channel.extend(j.touches.iter().copied().zip(weights.iter().copied()));
                per_channel.sort_by_key(|p| p.0);
                let mut k = 0;
                while k < per_channel.len() {
                    let ch = per_channel[k].0;
                    let mut w = 0.0;
                    while k < per_channel.len() && per_channel[k].0 == ch {
                        w += per_channel[k].1;
                        k += 1;
                    }
                    if w == 0.0 {
                        continue;
                    }
                    f(&ConversionCredit {
                        customer_id,
                        converted_at: converted_at.clone(),
                        model: rule.kind().name(),
                        channel: &channels[ch as usize],
                        credit: j.conversions * w,
                        value: j.value * w,
                    })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelConfig, ModelKind};

    #[test]
    fn rows_split_each_conversion_and_merge_repeated_channels() {
        let j = Journeys::from_paths(&[(&["a", "b", "a"], 1.0, 30.0, 0.0), (&["c"], 0.0, 0.0, 1.0)]);
        let cfg = ModelConfig::default();
        let models: Vec<_> = [ModelKind::Linear, ModelKind::FirstClick].iter().map(|k| k.build(&cfg)).collect();
        let rules = models.iter().filter_map(|m| m.rule()).collect();
        let pc = PerConversion::new(&j, rules);
        let mut rows = Vec::new();
        pc.for_each(|r| {
            rows.push((r.model, r.channel.to_string(), r.credit, r.value));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(
            rows,
            [
                ("linear", "a".to_string(), 2.0 / 3.0, 20.0),
                ("linear", "b".to_string(), 1.0 / 3.0, 10.0),
                ("first-click", "a".to_string(), 1.0, 30.0)
            ]
        );
    }
}
