//! Per-conversion credits (`mta attribute --per-conversion`): one row per
//! conversion, model and channel, for analysts who join credits back to
//! orders.
//!
//! Only models with a per-journey split (the rule-based ones) have such rows;
//! the rows of a model sum to its totals. Rows are produced on demand, in
//! order of customer id, conversion time, then model and channel, so that
//! millions of them are never held at once.

use std::cmp::Ordering;
use std::io;
use std::sync::Mutex;

use crate::journey::runs::{Merge, OwnedJourney, Runs};
use crate::journey::{ChannelId, Journey, Journeys};
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

/// Per-conversion rows in output order, one at a time: from journeys in
/// memory, or merged from sorted runs on disk (out of core).
pub trait ConversionRows {
    /// Calls `f` with every row, in order.
    fn for_each_row(&self, f: &mut dyn FnMut(&ConversionCredit<'_>) -> io::Result<()>) -> io::Result<()>;
}

/// The converting journeys of `journeys` in the order of their rows: by
/// customer id, then conversion time (then journey order).
pub fn conversion_order(journeys: &Journeys) -> Vec<usize> {
    let mut order: Vec<usize> = (0..journeys.len()).filter(|&i| journeys.get(i).converts()).collect();
    let key = |i: usize| {
        let j = journeys.get(i);
        (
            j.customer.and_then(|c| journeys.customer_name(c)).unwrap_or(""),
            j.converted_at.unwrap_or(i64::MIN),
        )
    };
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
    order
}

/// How journeys of runs written in [`conversion_order`] compare: a customer
/// lives in one run, so runs never tie.
pub fn run_order(a: &OwnedJourney, b: &OwnedJourney) -> Ordering {
    fn key(j: &OwnedJourney) -> (&str, i64) {
        (&j.customer_id, j.converted_at.unwrap_or(i64::MIN))
    }
    key(a).cmp(&key(b))
}

/// The rows of one converting journey under every split.
fn split_rows(
    channels: &[String],
    splits: &mut [Box<dyn JourneySplit + '_>],
    shares: &mut Vec<(ChannelId, f64)>,
    customer_id: &str,
    j: &Journey<'_>,
    f: &mut dyn FnMut(&ConversionCredit<'_>) -> io::Result<()>,
) -> io::Result<()> {
    for split in splits.iter_mut() {
        split.split(channels, j, shares);
        for &(ch, w) in shares.iter() {
            if w == 0.0 {
                continue;
            }
            f(&ConversionCredit {
                customer_id,
                converted_at: j.converted_at,
                model: split.kind().name(),
                channel: &channels[ch as usize],
                credit: j.conversions * w,
                value: j.value * w,
            })?;
        }
    }
    Ok(())
}

/// Converting journeys in output order, with the splits of the models.
pub struct PerConversion<'a> {
    journeys: &'a Journeys,
    splits: Mutex<Vec<Box<dyn JourneySplit + 'a>>>,
    order: Vec<usize>,
}

impl<'a> PerConversion<'a> {
    /// Prepares the rows of `splits` over the converting journeys of
    /// `journeys` (which must come from events: they carry customers and times).
    pub fn new(journeys: &'a Journeys, splits: Vec<Box<dyn JourneySplit + 'a>>) -> Self {
        PerConversion {
            journeys,
            splits: Mutex::new(splits),
            order: conversion_order(journeys),
        }
    }
}

impl ConversionRows for PerConversion<'_> {
    fn for_each_row(&self, f: &mut dyn FnMut(&ConversionCredit<'_>) -> io::Result<()>) -> io::Result<()> {
        let channels = self.journeys.channels();
        let mut splits = self.splits.lock().expect("rows are produced by one caller at a time");
        let mut shares = Vec::new();
        for &i in &self.order {
            let j = self.journeys.get(i);
            let customer_id = j.customer.and_then(|c| self.journeys.customer_name(c)).unwrap_or("");
            split_rows(channels, &mut splits, &mut shares, customer_id, &j, f)?;
        }
        Ok(())
    }
}

/// The rows of converting journeys written as runs in [`conversion_order`]
/// (out of core), merged, with splits fitted on all journeys.
pub struct MergedConversions<'a> {
    channels: Vec<String>,
    merge: Mutex<Option<Merge>>,
    splits: Mutex<Vec<Box<dyn JourneySplit + 'a>>>,
}

impl<'a> MergedConversions<'a> {
    /// Merges `runs`, each written in [`conversion_order`].
    pub fn new(channels: Vec<String>, runs: Runs, splits: Vec<Box<dyn JourneySplit + 'a>>) -> io::Result<Self> {
        Ok(MergedConversions {
            channels,
            merge: Mutex::new(Some(runs.merge(run_order)?)),
            splits: Mutex::new(splits),
        })
    }
}

impl ConversionRows for MergedConversions<'_> {
    fn for_each_row(&self, f: &mut dyn FnMut(&ConversionCredit<'_>) -> io::Result<()>) -> io::Result<()> {
        let merge = self.merge.lock().expect("rows are produced by one caller").take();
        let Some(merge) = merge else {
            return Err(io::Error::other("the merged per-conversion rows were already written"));
        };
        let mut splits = self.splits.lock().expect("rows are produced by one caller");
        let mut shares = Vec::new();
        merge.for_each(|j| split_rows(&self.channels, &mut splits, &mut shares, &j.customer_id, &j.view(), f))
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
        pc.for_each_row(&mut |r| {
            rows.push((r.model, r.channel.to_string(), r.credit, r.value));
            Ok(())
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
