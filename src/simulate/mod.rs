//! Simulated customers whose answer is known (`mta simulate`): a profile
//! learned from the user's journeys, customers drawn from it, and
//! conversions from a stated causal process, so that every model can be
//! scored against the truth on data shaped like the user's.
//!
//! The process: each touch raises the customer's conversion hazard by its
//! channel's effect, decaying with its half-life; a baseline hazard runs
//! all the time. A conversion ends the journey: the next one's hazard
//! counts only the touches after it (as mta's journeys split at each
//! conversion). Each customer draws its exponential thresholds once, so
//! the truth (the conversions lost when a channel's touches are removed)
//! re-runs the same draws without that channel.
//!
//! Every customer has its own random stream, keyed by the seed and its
//! number: the files are the same, byte for byte, for any thread count.

pub mod profile;

use rayon::prelude::*;
use serde::Serialize;

pub use profile::Profile;

const DAY_MS: f64 = 86_400_000.0;

/// A customer's random stream: [`crate::rng::SplitMix`] keyed by the
/// seed, the customer's number and the stream's purpose.
#[derive(Debug, Clone)]
pub struct Rng(crate::rng::SplitMix);

impl Rng {
    /// The stream `stream` of customer `customer` under `seed`.
    pub fn new(seed: u64, customer: u64, stream: u64) -> Self {
        let mut r = crate::rng::SplitMix(seed ^ customer.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        Rng(r)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0.unit()
    }

    /// Uniform index below `n` (> 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    /// Exponential with mean 1.
    fn exponential(&mut self) -> f64 {
        self.0.exponential()
    }
}

/// The causal process: per-day hazards.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    /// Hazard per day with no touch.
    pub baseline: f64,
    /// Per channel: the hazard per day a touch adds at once.
    pub effect: Vec<f64>,
    /// Per channel: days for a touch's added hazard to halve.
    pub half_life_days: Vec<f64>,
}

impl Process {
    /// Cumulative hazard and hazard at `t` (days): the baseline from
    /// `from`, and the touches (day, channel) after `after` and before
    /// `t`; channel `removed`'s touches do not count.
    fn cumulative(&self, touches: &[(f64, u32)], after: f64, from: f64, t: f64, removed: Option<u32>) -> (f64, f64) {
        let mut total = self.baseline * (t - from);
        let mut hazard = self.baseline;
        for &(at, c) in touches {
            if at >= t {
                break;
            }
            if at <= after || Some(c) == removed {
                continue;
            }
            let (e, h) = (self.effect[c as usize], self.half_life_days[c as usize]);
            let left = (-(t - at) * std::f64::consts::LN_2 / h).exp();
            total += e * h / std::f64::consts::LN_2 * (1.0 - left);
            hazard += e * left;
        }
        (total, hazard)
    }

    /// The conversion days of one customer (touches in time order, days
    /// from the start), up to `end`: each time the cumulative hazard since
    /// the last conversion reaches the next of the customer's thresholds.
    fn conversions(&self, touches: &[(f64, u32)], end: f64, thresholds: &mut Thresholds, removed: Option<u32>) -> Vec<f64> {
        let mut out = Vec::new();
        // The first journey starts with the data; a touch at its first
        // instant counts. Later ones count the touches after a conversion.
        let (mut from, mut after) = (0.0f64, -1.0f64);
        loop {
            let e = thresholds.get(out.len());
            let at = |t: f64| self.cumulative(touches, after, from, t, removed);
            if at(end).0 < e {
                return out;
            }
            // Newton from the left: between touches the cumulative hazard
            // is concave, so a step does not pass the root; at a touch its
            // slope jumps, and the bracket takes over.
            let (mut lo, mut hi, mut t) = (from, end, from);
            for _ in 0..200 {
                let (value, slope) = at(t);
                if value >= e {
                    hi = t;
                } else {
                    lo = t;
                }
                if hi - lo < 1e-9 {
                    break;
                }
                let newton = if slope > 0.0 { t + (e - value) / slope } else { hi };
                t = if newton > lo && newton < hi { newton } else { (lo + hi) / 2.0 };
            }
            out.push(hi);
            (from, after) = (hi, hi);
        }
    }
}

/// A customer's thresholds: exponential draws made as they are needed,
/// the same for every re-run of the customer.
struct Thresholds {
    rng: Rng,
    drawn: Vec<f64>,
}

impl Thresholds {
    fn get(&mut self, k: usize) -> f64 {
        while self.drawn.len() <= k {
            let e = self.rng.exponential();
            self.drawn.push(e);
        }
        self.drawn[k]
    }
}

/// One simulated customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Touches: (day from the start, channel), in time order.
    pub touches: Vec<(f64, u32)>,
    /// Conversion days.
    pub conversions: Vec<f64>,
    /// Each conversion's value.
    pub values: Vec<f64>,
    /// Per channel touched: conversions lost without that channel's touches.
    pub lost: Vec<(u32, u32)>,
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Customers to draw.
    pub customers: usize,
    /// The seed of every random stream.
    pub seed: u64,
    /// Days the data covers.
    pub days: f64,
}

/// Streams of a customer's generator.
const TOUCHES: u64 = 1;
const THRESHOLDS: u64 = 2;
const VALUES: u64 = 3;

/// Customer `i`: touches from the profile, conversions from `process`,
/// and (with `truth`) the conversions each channel's removal loses.
pub fn customer(profile: &Profile, process: &Process, s: &Settings, i: u64, truth: bool) -> Customer {
    let touches = profile.draw_touches(&mut Rng::new(s.seed, i, TOUCHES), s.days);
    let thresholds = || Thresholds {
        rng: Rng::new(s.seed, i, THRESHOLDS),
        drawn: Vec::new(),
    };
    let conversions = process.conversions(&touches, s.days, &mut thresholds(), None);
    let mut rng = Rng::new(s.seed, i, VALUES);
    let values = conversions.iter().map(|_| profile.draw_value(&mut rng)).collect();
    let mut lost = Vec::new();
    if truth {
        let mut channels: Vec<u32> = touches.iter().map(|t| t.1).collect();
        channels.sort_unstable();
        channels.dedup();
        for c in channels {
            let without = process.conversions(&touches, s.days, &mut thresholds(), Some(c));
            lost.push((c, (conversions.len() - without.len().min(conversions.len())) as u32));
        }
    }
    Customer {
        touches,
        conversions,
        values,
        lost,
    }
}

/// Conversions of customers `0..n` under `process` (the calibration's
/// measure), summed in a fixed order.
fn conversions_of(profile: &Profile, process: &Process, s: &Settings, n: usize) -> u64 {
    (0..n as u64)
        .into_par_iter()
        .map(|i| customer(profile, process, s, i, false).conversions.len() as u64)
        .sum()
}

/// The process whose conversions per customer match the profile's: the
/// baseline gives `baseline_share` of them alone, and the effects (relative
/// strengths `relative`) are scaled by bisection on the first 20,000
/// customers. Returns it and the scale.
pub fn calibrate(profile: &Profile, relative: &[f64], half_life_days: &[f64], baseline_share: f64, s: &Settings) -> (Process, f64) {
    let target = profile.conversions_per_customer;
    let n = s.customers.min(20_000);
    let baseline = baseline_share * target / s.days.max(1e-9);
    let process = |k: f64| Process {
        baseline,
        effect: relative.iter().map(|r| r * k).collect(),
        half_life_days: half_life_days.to_vec(),
    };
    let rate = |k: f64| conversions_of(profile, &process(k), s, n) as f64 / n.max(1) as f64;
    let (mut lo, mut hi) = (1e-9f64, 1e4f64);
    if relative.iter().all(|r| *r <= 0.0) || rate(hi) <= target {
        return (process(hi), hi);
    }
    for _ in 0..60 {
        let mid = (lo * hi).sqrt();
        if rate(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi / lo < 1.0 + 1e-6 {
            break;
        }
    }
    (process(hi), hi)
}

/// `t` days from the start, as epoch milliseconds.
pub fn epoch_ms(start_ms: i64, day: f64) -> i64 {
    start_ms + (day * DAY_MS).round() as i64
}
