//! Per-conversion credits (`mta attribute --per-conversion`): one row per
//! conversion, model and channel, for analysts who join credits back to
//! orders.
//!
//! Only models with a per-journey split (the rule-based ones) have such rows;
//! the rows of a model sum to its totals. Rows are produced on demand, in
//! order of customer id, conversion time, then model and channel, so that
//! millions of them are never held at once.

use crate::journey::Journeys;
use crate::model::JourneySplit;

/// One conversion's credit to one channel under one model.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionCredit<'a> {
    /// Customer id as in the input.
    pub customer_id: &'a str,
    /// Conversion time, epoch milliseconds.
    pub converted_at: Option<i64>,
    /// Model name.
    pub model: &'static str,
    /// Channel name.
    pub channel: &'a str,
    /// Share of this conversion credited to the channel (sums to 1 per conversion and model).
    pub credit: f64,
    /// Share of the conversion's revenue credited to the channel.
    pub value: f64,
}

/// Converting journeys in output order, with the splits of the models.
pub struct PerConversion<'a> {
    journeys: &'a Journeys,
    splits: std::sync::Mutex<Vec<Box<dyn JourneySplit + 'a>>>,
    order: Vec<usize>,
}

impl<'a> PerConversion<'a> {
    /// Prepares the rows of `splits` over the converting journeys of
    /// `journeys` (which must come from events: they carry customers and times).
    pub fn new(journeys: &'a Journeys, splits: Vec<Box<dyn JourneySplit + 'a>>) -> Self {
        let mut order: Vec<usize> = (0..journeys.len()).filter(|&i| journeys.get(i).converts()).collect();
        let key = |i: usize| {
            let j = journeys.get(i);
            (
                j.customer.and_then(|c| journeys.customer_name(c)).unwrap_or(""),
                j.converted_at.unwrap_or(i64::MIN),
            )
        };
        order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
        PerConversion {
            journeys,
            splits: std::sync::Mutex::new(splits),
            order,
        }
    }

    /// Calls `f` with every row, in order.
    pub fn for_each<E>(&self, mut f: impl FnMut(&ConversionCredit<'_>) -> Result<(), E>) -> Result<(), E> {
        let channels = self.journeys.channels();
        let mut splits = self.splits.lock().expect("rows are produced by one caller at a time");
        let mut shares = Vec::new();
        for &i in &self.order {
            let j = self.journeys.get(i);
            let customer_id = j.customer.and_then(|c| self.journeys.customer_name(c)).unwrap_or("");
            let converted_at = j.converted_at;
            for split in splits.iter_mut() {
                split.split(channels, &j, &mut shares);
                for &(ch, w) in &shares {
                    if w == 0.0 {
                        continue;
                    }
                    f(&ConversionCredit {
                        customer_id,
                        converted_at,
                        model: split.kind().name(),
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
        let splits = models.iter().filter_map(|m| m.journey_split(&j).unwrap()).collect();
        let pc = PerConversion::new(&j, splits);
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
