//! What a simulation copies from the user's data: the channels' mix by
//! position in a customer's touches, touches per customer, gaps between
//! touches, when customers start, conversions per customer and the value
//! of a conversion.

use serde::Serialize;

use super::Rng;
use crate::error::{Error, Result};
use crate::journey::Journeys;

/// Positions told apart in the channel mix: the 1st to the 4th touch, then
/// every later one.
pub const POSITIONS: usize = 5;

/// Gaps and start offsets kept, at most (every k-th of more, in order).
const SAMPLE: usize = 200_000;

const DAY_MS: f64 = 86_400_000.0;

/// A profile learned from journeys.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// Channel names.
    pub channels: Vec<String>,
    /// Customers in the input.
    pub customers: usize,
    /// Each touch's share by channel (what a simulation must reproduce).
    pub channel_mix: Vec<f64>,
    /// Conversions per customer.
    pub conversions_per_customer: f64,
    /// Mean touches per customer.
    pub touches_per_customer: f64,
    /// The data's first touch, epoch ms.
    pub start_ms: i64,
    /// Days from the first touch to the last touch or conversion.
    pub days: f64,
    /// Touches of each customer (a sample to draw from).
    #[serde(skip)]
    touch_counts: Vec<u32>,
    /// Per position: cumulative channel probabilities.
    #[serde(skip)]
    by_position: Vec<Vec<f64>>,
    /// Days between consecutive touches of a customer.
    #[serde(skip)]
    gaps: Vec<f64>,
    /// Days from the start to a customer's first touch.
    #[serde(skip)]
    first_touch: Vec<f64>,
    /// Values of conversions.
    #[serde(skip)]
    values: Vec<f64>,
}

impl Profile {
    /// Learns the profile of event journeys (in canonical order: a
    /// customer's journeys one after another). Path aggregates, or
    /// journeys without touches, are refused.
    pub fn learn(journeys: &Journeys) -> Result<Profile> {
        if !journeys.is_timed() {
            return Err(Error::usage(
                "`mta simulate` learns gaps and times from touchpoint events, which path aggregates do not have",
                "read the touchpoint events instead of `--paths`",
            ));
        }
        let nc = journeys.channels().len();
        let mut counts = vec![vec![0u64; nc]; POSITIONS];
        let (mut touch_counts, mut gaps, mut firsts, mut values) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut conversions, mut customers) = (0.0, 0usize);
        let (mut start, mut end) = (i64::MAX, i64::MIN);
        // One customer's touches at a time: (time, channel).
        let mut current: Option<u32> = None;
        let mut seq: Vec<(i64, u32)> = Vec::new();
        let mut flush = |seq: &mut Vec<(i64, u32)>, firsts: &mut Vec<i64>| {
            seq.sort_unstable();
            for (p, &(_, c)) in seq.iter().enumerate() {
                counts[p.min(POSITIONS - 1)][c as usize] += 1;
            }
            for w in seq.windows(2) {
                gaps.push((w[1].0 - w[0].0) as f64 / DAY_MS);
            }
            if let Some(&(t, _)) = seq.first() {
                firsts.push(t);
            }
            touch_counts.push(seq.len() as u32);
            seq.clear();
        };
        let mut first_ms = Vec::new();
        for j in journeys.iter() {
            let who = j.customer.unwrap_or(u32::MAX);
            if current != Some(who) {
                if current.is_some() {
                    flush(&mut seq, &mut first_ms);
                }
                current = Some(who);
                customers += 1;
            }
            let times = j.times.expect("timed journeys");
            for (&t, &c) in times.iter().zip(j.touches) {
                seq.push((t, c));
                start = start.min(t);
                end = end.max(t);
            }
            if j.conversions > 0.0 {
                conversions += j.conversions;
                values.push(j.value / j.conversions);
                if let Some(at) = j.converted_at {
                    end = end.max(at);
                }
            }
        }
        if current.is_some() {
            flush(&mut seq, &mut first_ms);
        }
        if start == i64::MAX {
            return Err(Error::usage(
                "`mta simulate` needs touches to learn from, and the input has none",
                "check the input's touch rows and `--from`/`--to`",
            ));
        }
        firsts.extend(first_ms.iter().map(|&t| (t - start) as f64 / DAY_MS));
        let total_touches: u64 = counts.iter().flatten().sum();
        let mut channel_mix = vec![0.0; nc];
        for row in &counts {
            for (c, &n) in row.iter().enumerate() {
                channel_mix[c] += n as f64 / total_touches as f64;
            }
        }
        // A position nobody reached draws from the whole mix.
        let by_position = counts
            .iter()
            .map(|row| {
                let n: u64 = row.iter().sum();
                let mut acc = 0.0;
                (0..nc)
                    .map(|c| {
                        acc += if n > 0 { row[c] as f64 / n as f64 } else { channel_mix[c] };
                        acc
                    })
                    .collect()
            })
            .collect();
        Ok(Profile {
            channels: journeys.channels().to_vec(),
            customers,
            channel_mix,
            conversions_per_customer: conversions / customers.max(1) as f64,
            touches_per_customer: total_touches as f64 / customers.max(1) as f64,
            start_ms: start,
            days: ((end - start) as f64 / DAY_MS).max(1.0),
            touch_counts,
            by_position,
            gaps: thin(gaps),
            first_touch: thin(firsts),
            values: if values.is_empty() { vec![0.0] } else { thin(values) },
        })
    }

    /// A customer's touches (days from the start, channel), in time order,
    /// within `days`: a count, a start and gaps drawn from the input's, a
    /// channel per position from the input's mix at that position.
    pub fn draw_touches(&self, rng: &mut Rng, days: f64) -> Vec<(f64, u32)> {
        let n = self.touch_counts[rng.below(self.touch_counts.len())] as usize;
        // The input's start offsets, stretched to the simulated days.
        let mut t = self.first_touch[rng.below(self.first_touch.len())] * days / self.days;
        let mut out = Vec::with_capacity(n);
        for p in 0..n {
            if p > 0 && !self.gaps.is_empty() {
                t += self.gaps[rng.below(self.gaps.len())];
            }
            if t >= days {
                break;
            }
            let cum = &self.by_position[p.min(POSITIONS - 1)];
            let u = rng.unit();
            let c = cum.partition_point(|&x| x <= u).min(cum.len() - 1);
            out.push((t, c as u32));
        }
        out
    }

    /// A conversion's value, drawn from the input's.
    pub fn draw_value(&self, rng: &mut Rng) -> f64 {
        self.values[rng.below(self.values.len())]
    }
}

/// At most [`SAMPLE`] of `xs`, evenly spaced, in order.
fn thin(xs: Vec<f64>) -> Vec<f64> {
    if xs.len() <= SAMPLE {
        return xs;
    }
    let step = xs.len() as f64 / SAMPLE as f64;
    (0..SAMPLE).map(|k| xs[(k as f64 * step) as usize]).collect()
}
