//! Markov-chain attribution by removal effect, computed exactly.
//!
//! Journeys become walks on an absorbing chain: `start`, one state per
//! channel (order 1) or per window of k consecutive channels (order k), then
//! `conversion` or `null`. Each journey adds its weight (conversions + nulls)
//! to every transition it takes. With P(S) the probability that a walk from
//! `start` is absorbed in `conversion`, the removal effect of channel c is
//!
//! ```text
//! RE(c) = 1 - P(every state containing c redirected to null) / P
//! ```
//!
//! and c's credited conversions are RE(c) / sum of RE x total conversions
//! (Anderl et al. 2016, "Mapping the customer journey"; the model of
//! ChannelAttribution's `markov_model`). ChannelAttribution estimates P by
//! simulating random walks, so its figures move between runs; mta solves the
//! absorption probabilities as a linear system, x = Q x + r, with no noise.
//!
//! Revenue follows the rule ChannelAttribution simulates: a walk that converts
//! from state s earns the mean value of the conversions observed with last
//! state s. Its expectation solves the same system with r_s = value_s / out_s;
//! the value removal effect is 1 - E[value | c removed] / E[value].
//!
//! Conventions (docs/GUIDE.md, "Markov"):
//! - a path of n >= k touches has n-k+1 windows; a shorter path is one state
//!   of all its channels; `start` leads straight to the first window;
//! - consecutive identical states are collapsed (no self-loops), as the
//!   reference tool does: at order 1 `A > A > B` is `A -> B`, at order 2
//!   `(A,A) -> (A,B)`; `--keep-repeats` keeps the self-loops;
//! - removal effects are clamped at 0 against rounding (they cannot be
//!   negative: redirecting states to `null` never raises P).

use std::collections::BTreeMap;

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{Attribution, AttributionModel, Credits, Details, ModelKind, Parameter};
use crate::error::{Error, Result};
use crate::input::transitions::{Node, Transition};
use crate::journey::{ChannelId, Journeys};

/// Highest supported order.
pub const MAX_ORDER: usize = 4;

/// Channels beyond which the per-channel solves (channels x states work)
/// are refused rather than left to run for hours.
pub const MAX_CHANNELS: usize = 2_000;

/// Chains with at most this many states are solved by dense elimination.
const DENSE_MAX: usize = 300;

/// Convergence threshold of the iterative solver (largest change per sweep).
const TOLERANCE: f64 = 1e-15;

/// Sweep limit of the iterative solver before it gives up with an error.
const MAX_SWEEPS: usize = 200_000;

/// `--markov-order`: fixed, or chosen from the journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkovOrder {
    /// This many channels per state (1..=[`MAX_ORDER`]).
    Fixed(usize),
    /// The order with the best penalised ROC AUC ([`choose_order`]).
    Auto,
}

/// Parameters of the Markov model, as the user gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkovConfig {
    /// Channels per state, or `auto`.
    pub order: MarkovOrder,
    /// Keep self-loops from consecutive identical states.
    pub keep_repeats: bool,
}

impl Default for MarkovConfig {
    fn default() -> Self {
        MarkovConfig {
            order: MarkovOrder::Fixed(1),
            keep_repeats: false,
        }
    }
}

/// What one chain is built from: the order resolved to a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSpec {
    /// Channels per state (1..=[`MAX_ORDER`]).
    pub order: usize,
    /// Keep self-loops from consecutive identical states.
    pub keep_repeats: bool,
}

impl Default for ChainSpec {
    fn default() -> Self {
        ChainSpec {
            order: 1,
            keep_repeats: false,
        }
    }
}

/// The absorbing chain observed in the journeys.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Channels of each state, states sorted by them.
    pub states: Vec<Vec<ChannelId>>,
    /// Weight of transitions `start -> state`.
    pub start: Vec<f64>,
    /// Weight of transitions `state -> conversion`.
    pub conversion: Vec<f64>,
    /// Weight of transitions `state -> null`.
    pub null: Vec<f64>,
    /// Revenue of the conversions whose last state is the state.
    pub value: Vec<f64>,
    /// Transitions between states, CSR by source: targets `to[row[s]..row[s+1]]`.
    row: Vec<usize>,
    to: Vec<u32>,
    weight: Vec<f64>,
    /// Total outgoing weight of each state.
    out: Vec<f64>,
}

/// Probability of conversion and expected revenue of a walk from `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Absorption {
    /// P(walk ends in `conversion`).
    pub conversion: f64,
    /// E[revenue of the walk].
    pub value: f64,
}

/// Removal effects per channel, with the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovalEffects {
    /// Without removal.
    pub base: Absorption,
    /// Per channel id: removal effect on conversions (0 for channels in no state).
    pub conversion: Vec<f64>,
    /// Per channel id: removal effect on revenue.
    pub value: Vec<f64>,
}

/// Key of a state: its window length and channel ids, packed.
fn key(window: &[ChannelId]) -> u128 {
    window.iter().fold(window.len() as u128, |k, &c| (k << 30) | u128::from(c))
}

/// `--markov-order` within 1..=[`MAX_ORDER`].
pub fn check_order(order: usize) -> Result<()> {
    if !(1..=MAX_ORDER).contains(&order) {
        return Err(Error::usage(
            format!("`--markov-order {order}` is out of range"),
            format!("use 1 to {MAX_ORDER}"),
        ));
    }
    Ok(())
}

/// Channel ids must fit the 30 bits a state key gives each.
fn check_channels(n: usize) -> Result<()> {
    if n >= 1 << 30 {
        return Err(Error::Model {
            model: "markov",
            message: "more than 2^30 channels".into(),
        });
    }
    Ok(())
}

/// The weights a chain is made of, before it is assembled: counted from
/// journeys, or read back from transition counts (`mta sql --output
/// transitions`), which a warehouse sums over customers.
#[derive(Debug, Clone, Default)]
pub struct ChainCounts {
    /// Channels of each state, in order of first appearance.
    pub states: Vec<Vec<ChannelId>>,
    /// Weight of transitions `start -> state`.
    pub start: Vec<f64>,
    /// Weight of transitions `state -> conversion`.
    pub conversion: Vec<f64>,
    /// Weight of transitions `state -> null`.
    pub null: Vec<f64>,
    /// Revenue of the conversions whose last state is the state.
    pub value: Vec<f64>,
    /// Weight of transitions between states.
    pub edges: HashMap<(u32, u32), f64>,
    ids: HashMap<u128, u32>,
}

impl ChainCounts {
    /// The number of the state of `channels`, added on first sight.
    pub fn state(&mut self, channels: &[ChannelId]) -> u32 {
        let next = self.states.len() as u32;
        let id = *self.ids.entry(key(channels)).or_insert(next);
        if id == next {
            self.states.push(channels.to_vec());
            self.start.push(0.0);
            self.conversion.push(0.0);
            self.null.push(0.0);
            self.value.push(0.0);
        }
        id
    }

    /// Adds the transitions of `journeys` (journeys of weight 0 add nothing),
    /// in journey order: counting blocks one after another sums exactly as
    /// counting them all at once.
    pub fn count(&mut self, journeys: &Journeys, cfg: &ChainSpec) {
        let k = cfg.order;
        let counts = self;
        let mut seq: Vec<u32> = Vec::new();
        for j in journeys.iter() {
            let w = j.conversions + j.nulls;
            if w <= 0.0 || j.touches.is_empty() {
                continue;
            }
            seq.clear();
            let n = j.touches.len();
            let count = if n >= k { n - k + 1 } else { 1 };
            for i in 0..count {
                let id = counts.state(&j.touches[i..(i + k).min(n)]);
                if cfg.keep_repeats || seq.last() != Some(&id) {
                    seq.push(id);
                }
            }
            counts.start[seq[0] as usize] += w;
            for pair in seq.windows(2) {
                counts.edge(pair[0], pair[1], w);
            }
            let last = *seq.last().expect("a journey has a state") as usize;
            counts.conversion[last] += j.conversions;
            counts.null[last] += j.nulls;
            counts.value[last] += j.value;
        }
    }

    /// Adds `weight` to the transition between states `from` and `to`.
    pub fn edge(&mut self, from: u32, to: u32, weight: f64) {
        *self.edges.entry((from, to)).or_insert(0.0) += weight;
    }
}

impl ChainCounts {
    /// The counts of transitions read back (rows with the same ends add
    /// up); rows no walk takes were refused by the reader.
    pub fn from_transitions(rows: &[Transition]) -> ChainCounts {
        let mut c = ChainCounts::default();
        for t in rows {
            match (&t.from, &t.to) {
                (_, Node::State(s)) | (Node::State(s), _) if s.is_empty() || s.len() > MAX_ORDER => {}
                (Node::Start, Node::State(s)) => {
                    let id = c.state(s) as usize;
                    c.start[id] += t.count;
                }
                (Node::State(a), Node::State(b)) => {
                    let (a, b) = (c.state(a), c.state(b));
                    c.edge(a, b, t.count);
                }
                (Node::State(s), Node::Conversion) => {
                    let id = c.state(s) as usize;
                    c.conversion[id] += t.count;
                    c.value[id] += t.value;
                }
                (Node::State(s), Node::Null) => {
                    let id = c.state(s) as usize;
                    c.null[id] += t.count;
                }
                _ => {}
            }
        }
        c
    }
}

impl Chain {
    /// Builds the chain of `journeys` (journeys of weight 0 add nothing).
    pub fn build(journeys: &Journeys, cfg: &ChainSpec) -> Result<Chain> {
        check_order(cfg.order)?;
        check_channels(journeys.channels().len())?;
        let mut counts = ChainCounts::default();
        counts.count(journeys, cfg);
        Ok(Chain::assemble(counts))
    }

    /// The chain of transition counts read back (`mta attribute
    /// --transitions`), or why they are no chain: a state entered but
    /// never left would hold walks forever.
    pub fn from_counts(counts: ChainCounts, n_channels: usize, name: impl Fn(usize) -> String) -> Result<Chain> {
        check_channels(n_channels)?;
        let mut out: Vec<f64> = (0..counts.states.len()).map(|s| counts.conversion[s] + counts.null[s]).collect();
        let mut entered: Vec<bool> = counts.start.iter().map(|&w| w > 0.0).collect();
        for (&(a, b), &w) in &counts.edges {
            out[a as usize] += w;
            entered[b as usize] |= w > 0.0;
        }
        if let Some(s) = (0..out.len()).find(|&s| entered[s] && out[s] <= 0.0) {
            return Err(Error::Model {
                model: "markov",
                message: format!(
                    "state `{}` is entered but never left: every state needs a transition to another state, `(conversion)` or `(null)` (are rows missing?)",
                    name(s)
                ),
            });
        }
        Ok(Chain::assemble(counts))
    }

    /// States renumbered in sorted order of their channels (for stable
    /// output), transitions in CSR form.
    fn assemble(counts: ChainCounts) -> Chain {
        let ChainCounts {
            states: windows,
            start,
            conversion,
            null,
            value,
            edges,
            ..
        } = counts;
        let mut order: Vec<u32> = (0..windows.len() as u32).collect();
        order.sort_by(|&a, &b| windows[a as usize].cmp(&windows[b as usize]));
        let mut new_id = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let permute = |v: &[f64]| order.iter().map(|&o| v[o as usize]).collect::<Vec<f64>>();
        let mut list: Vec<(u32, u32, f64)> = edges
            .into_iter()
            .map(|((a, b), w)| (new_id[a as usize], new_id[b as usize], w))
            .collect();
        list.sort_by_key(|&(a, b, _)| (a, b));
        let n = order.len();
        let mut row = vec![0usize; n + 1];
        for &(a, _, _) in &list {
            row[a as usize + 1] += 1;
        }
        for s in 0..n {
            row[s + 1] += row[s];
        }
        let (conversion, null) = (permute(&conversion), permute(&null));
        let mut out: Vec<f64> = (0..n).map(|s| conversion[s] + null[s]).collect();
        for &(a, _, w) in &list {
            out[a as usize] += w;
        }
        Chain {
            states: order.iter().map(|&o| windows[o as usize].clone()).collect(),
            start: permute(&start),
            conversion,
            null,
            value: permute(&value),
            row,
            to: list.iter().map(|e| e.1).collect(),
            weight: list.iter().map(|e| e.2).collect(),
            out,
        }
    }

    /// Number of states (besides start, conversion and null).
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether no journey had any weight.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Transitions between states as `(from, to, weight)`, sorted.
    pub fn transitions(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.len()).flat_map(move |s| (self.row[s]..self.row[s + 1]).map(move |e| (s, self.to[e] as usize, self.weight[e])))
    }

    /// Total outgoing weight of state `s` (transition probabilities divide by it).
    pub fn out_weight(&self, s: usize) -> f64 {
        self.out[s]
    }

    /// Absorption from `start` with the states flagged in `removed` sent to null.
    pub fn absorb(&self, removed: &[bool]) -> Result<Absorption> {
        #[cfg(test)]
        tests::SOLVES.with(|n| n.set(n.get() + 1));
        let total: f64 = self.start.iter().sum();
        if total <= 0.0 {
            return Ok(Absorption {
                conversion: 0.0,
                value: 0.0,
            });
        }
        let (x, u) = if self.len() <= DENSE_MAX {
            self.solve_dense(removed)
        } else {
            self.solve_iterative(removed)?
        };
        let conversion = self.start.iter().zip(&x).map(|(s, x)| s * x).sum::<f64>() / total;
        let value = self.start.iter().zip(&u).map(|(s, u)| s * u).sum::<f64>() / total;
        Ok(Absorption { conversion, value })
    }

    /// Gaussian elimination with partial pivoting on (I - Q) [x u] = [r_conv r_value].
    fn solve_dense(&self, removed: &[bool]) -> (Vec<f64>, Vec<f64>) {
        let n = self.len();
        let w = n + 2;
        let mut a = vec![0.0f64; n * w];
        for s in 0..n {
            let r = &mut a[s * w..(s + 1) * w];
            if removed[s] {
                r[s] = 1.0;
                continue;
            }
            r[s] = self.out[s];
            for e in self.row[s]..self.row[s + 1] {
                r[self.to[e] as usize] -= self.weight[e];
            }
            r[n] = self.conversion[s];
            r[n + 1] = self.value[s];
        }
        for col in 0..n {
            let pivot = (col..n)
                .max_by(|&p, &q| a[p * w + col].abs().total_cmp(&a[q * w + col].abs()))
                .expect("rows remain");
            if pivot != col {
                for c in 0..w {
                    a.swap(col * w + c, pivot * w + c);
                }
            }
            let p = a[col * w + col];
            for r in col + 1..n {
                let f = a[r * w + col] / p;
                if f != 0.0 {
                    for c in col..w {
                        a[r * w + c] -= f * a[col * w + c];
                    }
                }
            }
        }
        let (mut x, mut u) = (vec![0.0; n], vec![0.0; n]);
        for s in (0..n).rev() {
            let (mut bx, mut bu) = (a[s * w + n], a[s * w + n + 1]);
            for c in s + 1..n {
                bx -= a[s * w + c] * x[c];
                bu -= a[s * w + c] * u[c];
            }
            x[s] = bx / a[s * w + s];
            u[s] = bu / a[s * w + s];
        }
        (x, u)
    }

    /// Gauss-Seidel sweeps on x_s = (r_s + sum_t w_st x_t) / out_s, self-loops
    /// solved in place; converges because every state reaches absorption.
    fn solve_iterative(&self, removed: &[bool]) -> Result<(Vec<f64>, Vec<f64>)> {
        let n = self.len();
        let (mut x, mut u) = (vec![0.0; n], vec![0.0; n]);
        let scale = self.value.iter().copied().fold(0.0, f64::max).max(1.0);
        for _ in 0..MAX_SWEEPS {
            let mut change = 0.0f64;
            for s in 0..n {
                if removed[s] {
                    continue;
                }
                let (mut bx, mut bu, mut diag) = (self.conversion[s], self.value[s], self.out[s]);
                for e in self.row[s]..self.row[s + 1] {
                    let t = self.to[e] as usize;
                    if t == s {
                        diag -= self.weight[e];
                    } else {
                        bx += self.weight[e] * x[t];
                        bu += self.weight[e] * u[t];
                    }
                }
                let (nx, nu) = (bx / diag, bu / diag);
                change = change.max((nx - x[s]).abs()).max((nu - u[s]).abs() / scale);
                x[s] = nx;
                u[s] = nu;
            }
            if change <= TOLERANCE {
                return Ok((x, u));
            }
        }
        Err(Error::Model {
            model: "markov",
            message: format!("the chain of {n} states did not converge in {MAX_SWEEPS} sweeps; try a lower `--markov-order`"),
        })
    }

    /// Removal effect of every channel (channels solved in parallel).
    pub fn removal_effects(&self, n_channels: usize) -> Result<RemovalEffects> {
        let base = self.absorb(&vec![false; self.len()])?;
        let per_channel: Vec<(f64, f64)> = (0..n_channels as ChannelId)
            .into_par_iter()
            .map(|c| {
                let removed: Vec<bool> = self.states.iter().map(|s| s.contains(&c)).collect();
                if !removed.contains(&true) {
                    return Ok((0.0, 0.0));
                }
                let a = self.absorb(&removed)?;
                let effect = |with: f64, base: f64| if base > 0.0 { (1.0 - with / base).max(0.0) } else { 0.0 };
                Ok((effect(a.conversion, base.conversion), effect(a.value, base.value)))
            })
            .collect::<Result<_>>()?;
        Ok(RemovalEffects {
            base,
            conversion: per_channel.iter().map(|p| p.0).collect(),
            value: per_channel.iter().map(|p| p.1).collect(),
        })
    }
}

/// How well one order separates converting from non-converting journeys.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OrderScore {
    /// The order.
    pub order: usize,
    /// Area under the ROC curve of P(last state -> conversion) as a score.
    pub auc: f64,
    /// AUC penalised for the number of possible states (0 when not computable).
    pub penalised_auc: f64,
}

/// Points of the ROC curve (ChannelAttribution's default `roc_npt`).
const ROC_POINTS: usize = 100;

/// Scores every order from 1 to [`MAX_ORDER`] and picks the one with the
/// highest penalised AUC (the lowest order on a tie): ChannelAttribution's
/// `choose_order` (2.2.5, `W_choose_order_1`), figure for figure.
///
/// - A journey's state at order k is its last k touches (the whole journey
///   when shorter). Its score is P = conv(s) / (conv(s) + null(s)) of that
///   state s, summed over the journeys ending in s (0 when both are 0): only
///   the transitions into `(conversion)` and `(null)` count, so repeats
///   (`--keep-repeats`) change nothing here.
/// - 100 thresholds evenly spaced from the lowest to the highest score; at
///   each, from the highest down, a journey with score >= threshold counts
///   its conversions as true and its nulls as false positives; the AUC sums
///   the trapezoids from (0, 0) through each point, then to (1, 1).
/// - With m channels and N = conversions + nulls, the order-k chain can have
///   n = C(m+k-1, k) states; the penalised AUC is
///   1 - (1 - AUC) ((N - 1) / (N - n - 1)), 0 outside [0, 1]; an order with
///   n >= N is skipped (AUC and penalised AUC 0).
///
/// One case differs on purpose: without conversions (or without nulls) the
/// reference divides 0 by 0 and reports NaN; mta takes that rate as 0.
pub fn choose_order(journeys: &Journeys) -> (usize, Vec<OrderScore>) {
    let mut used = vec![false; journeys.channels().len()];
    for j in journeys.iter() {
        for &c in j.touches {
            used[c as usize] = true;
        }
    }
    let m = used.iter().filter(|&&u| u).count() as f64;
    let total: f64 = journeys.iter().map(|j| j.conversions + j.nulls).sum();
    let scores: Vec<OrderScore> = (1..=MAX_ORDER)
        .map(|order| {
            let k = order as f64;
            // C(m + k - 1, k) through log-gamma, as the reference does.
            let nodes = (ln_gamma(m + k) - ln_gamma(k + 1.0) - ln_gamma(m)).exp();
            if nodes >= total {
                return OrderScore {
                    order,
                    auc: 0.0,
                    penalised_auc: 0.0,
                };
            }
            let auc = roc_auc(journeys, order);
            let mut penalised = 1.0 - (1.0 - auc) * ((total - 1.0) / (total - nodes - 1.0));
            if !(0.0..=1.0).contains(&penalised) {
                penalised = 0.0;
            }
            OrderScore {
                order,
                auc,
                penalised_auc: penalised,
            }
        })
        .collect();
    let best = scores
        .iter()
        .fold(&scores[0], |best, s| if s.penalised_auc > best.penalised_auc { s } else { best });
    (best.order, scores)
}

/// The ROC AUC of the order-`order` score (see [`choose_order`]).
fn roc_auc(journeys: &Journeys, order: usize) -> f64 {
    // Conversions and nulls per last state: every journey ending in a state
    // has its score, so the curve needs only these sums.
    let mut states: HashMap<u128, (f64, f64)> = HashMap::new();
    for j in journeys.iter().filter(|j| !j.touches.is_empty()) {
        let last = &j.touches[j.touches.len().saturating_sub(order)..];
        let s = states.entry(key(last)).or_default();
        s.0 += j.conversions;
        s.1 += j.nulls;
    }
    // (score, conversions, nulls), by score.
    let mut scored: Vec<(f64, f64, f64)> = states
        .into_values()
        .map(|(c, n)| (if c + n > 0.0 { c / (c + n) } else { 0.0 }, c, n))
        .collect();
    if scored.is_empty() {
        return 0.0;
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Conversions and nulls at or above each position.
    let (mut conv_above, mut null_above) = (vec![0.0; scored.len() + 1], vec![0.0; scored.len() + 1]);
    for i in (0..scored.len()).rev() {
        conv_above[i] = conv_above[i + 1] + scored[i].1;
        null_above[i] = null_above[i + 1] + scored[i].2;
    }
    let (conv, null) = (conv_above[0], null_above[0]);
    let (lo, hi) = (scored[0].0.min(1.0), scored[scored.len() - 1].0.max(0.0));
    let (mut auc, mut tpr_old, mut fpr_old) = (0.0, 0.0, 0.0);
    for t in (0..ROC_POINTS).rev() {
        let th = lo + (t as f64 * (hi - lo) / (ROC_POINTS - 1) as f64);
        let first = scored.partition_point(|s| s.0 < th);
        let tpr = if conv > 0.0 { conv_above[first] / conv } else { 0.0 };
        let fpr = if null > 0.0 { null_above[first] / null } else { 0.0 };
        auc += ((fpr - fpr_old) * tpr_old) + (((fpr - fpr_old) * (tpr - tpr_old)) / 2.0);
        tpr_old = tpr;
        fpr_old = fpr;
    }
    auc + ((1.0 - fpr_old) * tpr_old) + (((1.0 - fpr_old) * (1.0 - tpr_old)) / 2.0)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; |error| < 1e-13 here).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = G[1..].iter().enumerate().fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The Markov model as an [`AttributionModel`].
pub struct Markov {
    cfg: MarkovConfig,
}

impl Markov {
    /// A model with these parameters.
    pub fn new(cfg: MarkovConfig) -> Self {
        Markov { cfg }
    }

    /// Resolves the order (an `auto` order is chosen from `journeys`),
    /// builds the chain and solves it: once per run, for the credits and for
    /// everything `mta markov` and the report show.
    pub fn solve(&self, journeys: &Journeys) -> Result<Solution> {
        let keep_repeats = self.cfg.keep_repeats;
        let (order, order_scores) = match self.cfg.order {
            MarkovOrder::Fixed(k) => (k, None),
            MarkovOrder::Auto => {
                let (k, scores) = choose_order(journeys);
                (k, Some(scores))
            }
        };
        let spec = ChainSpec { order, keep_repeats };
        let chain = Chain::build(journeys, &spec)?;
        let effects = chain.removal_effects(journeys.channels().len())?;
        Ok(Solution {
            spec,
            chain,
            effects,
            order_scores,
        })
    }
}

/// One solved chain: the credits come from it, and `mta markov` and the
/// report show it, so it is solved once and handed on.
#[derive(Debug, Clone)]
pub struct Solution {
    /// The chain's parameters, the order resolved.
    pub spec: ChainSpec,
    /// The chain observed in the journeys.
    pub chain: Chain,
    /// Its removal effects.
    pub effects: RemovalEffects,
    /// With `--markov-order auto`: the score of every order considered.
    pub order_scores: Option<Vec<OrderScore>>,
}

impl Markov {
    /// The credits of transition counts read back (`mta attribute
    /// --transitions`): the same chain as from the journeys, so the same
    /// credits. The order must be given, as the counts were written with it
    /// (`auto` needs the journeys).
    pub fn run_counts(&self, counts: ChainCounts, n_channels: usize, name: impl Fn(usize) -> String) -> Result<Attribution> {
        let MarkovOrder::Fixed(order) = self.cfg.order else {
            return Err(Error::usage(
                "`--markov-order auto` chooses the order from the journeys, which transition counts do not have",
                "pass the order the transitions were written with, e.g. `--markov-order 2`",
            ));
        };
        check_order(order)?;
        let conversions: f64 = counts.conversion.iter().sum();
        let value: f64 = counts.value.iter().sum();
        let walks: f64 = counts.start.iter().sum();
        let nulls: f64 = counts.null.iter().sum();
        let chain = Chain::from_counts(counts, n_channels, name)?;
        let effects = chain.removal_effects(n_channels)?;
        let spec = ChainSpec {
            order,
            keep_repeats: self.cfg.keep_repeats,
        };
        let solution = Solution {
            spec,
            chain,
            effects,
            order_scores: None,
        };
        Ok(attribution(solution, conversions, value, nulls == 0.0 && walks > 0.0))
    }
}

/// The credits of a solved chain: removal effects normalised to
/// `conversions` and `value` (with a warning when no walk ends in null).
fn attribution(solution: Solution, conversions: f64, value: f64, no_nulls: bool) -> Attribution {
    let credits = Credits {
        conversions: normalise(&solution.effects.conversion, conversions),
        value: normalise(&solution.effects.value, value),
    };
    let mut warnings = Vec::new();
    if no_nulls {
        warnings.push("markov: no journey ends without a conversion, so every walk converts and removal effects only measure how many paths a channel lies on".into());
    }
    Attribution {
        credits,
        parameters: parameters(&solution.spec),
        notes: solution
            .order_scores
            .iter()
            .map(|scores| describe_order_choice(solution.spec.order, scores))
            .collect(),
        warnings,
        details: Some(Details::Markov(Box::new(solution))),
    }
}

/// With `--markov-order auto`: a warning when the chosen chain has more
/// states than a tenth of the journeys (e.g. 11,723 states for 3,174
/// account journeys), whose transitions then rest on a journey or two
/// each: the penalised AUC can still prefer it, and its removal effects
/// are an overfit.
fn overfit_warning(solution: &Solution, journeys: f64) -> Option<String> {
    let states = solution.chain.len();
    (solution.order_scores.is_some() && solution.spec.order > 1 && states as f64 * 10.0 > journeys).then(|| {
        format!(
            "markov: `--markov-order auto` chose order {} with {states} states for {} journeys (more than one state per ten journeys): most transitions rest on a journey or two, so its removal effects may be overfit; compare with `--markov-order 1`",
            solution.spec.order,
            crate::format::thousands(journeys, 0)
        )
    })
}

/// A one-line account of an automatic order choice.
fn describe_order_choice(order: usize, scores: &[OrderScore]) -> String {
    let list = scores
        .iter()
        .map(|s| format!("{}: {:.6} ({:.6})", s.order, s.auc, s.penalised_auc))
        .collect::<Vec<_>>()
        .join(", ");
    format!("markov order auto chose {order}; ROC AUC (penalised) by order: {list}")
}

/// Shares `total` in proportion to `effects` (nothing when they are all 0).
fn normalise(effects: &[f64], total: f64) -> Vec<f64> {
    let sum: f64 = effects.iter().sum();
    effects.iter().map(|e| if sum > 0.0 { e / sum * total } else { 0.0 }).collect()
}

/// The parameters in effect for a chain.
fn parameters(spec: &ChainSpec) -> BTreeMap<&'static str, Parameter> {
    BTreeMap::from([
        ("order", Parameter::Number(spec.order as f64)),
        ("keep_repeats", Parameter::Text(spec.keep_repeats.to_string())),
    ])
}

/// [`Markov`] over blocks: the transition counts and the totals so far.
struct MarkovStream {
    spec: ChainSpec,
    n_channels: usize,
    counts: ChainCounts,
    /// Conversions and revenue, summed in journey order.
    totals: (f64, f64),
    nulls: f64,
    journeys: usize,
}

impl super::Stream for MarkovStream {
    fn add(&mut self, block: &Journeys) -> Result<()> {
        self.counts.count(block, &self.spec);
        self.totals = block.add_totals(self.totals);
        self.nulls = block.iter().fold(self.nulls, |a, j| a + j.nulls);
        self.journeys += block.len();
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Attribution> {
        let chain = Chain::assemble(self.counts);
        let effects = chain.removal_effects(self.n_channels)?;
        let solution = Solution {
            spec: self.spec,
            chain,
            effects,
            order_scores: None,
        };
        let (conversions, value) = self.totals;
        Ok(attribution(solution, conversions, value, self.nulls == 0.0 && self.journeys > 0))
    }
    fn into_split<'s>(self: Box<Self>) -> Result<Option<Box<dyn super::JourneySplit + 's>>>
    where
        Self: 's,
    {
        Ok(None)
    }
}

impl AttributionModel for Markov {
    fn kind(&self) -> ModelKind {
        ModelKind::Markov
    }

    fn attribute(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(self.run(journeys)?.credits)
    }

    fn run(&self, journeys: &Journeys) -> Result<Attribution> {
        let solution = self.solve(journeys)?;
        let nulls: f64 = journeys.iter().map(|j| j.nulls).sum();
        let walks: f64 = journeys.iter().map(|j| j.conversions + j.nulls).sum();
        let overfit = overfit_warning(&solution, walks);
        let mut run = attribution(
            solution,
            journeys.total_conversions(),
            journeys.total_value(),
            nulls == 0.0 && !journeys.is_empty(),
        );
        run.warnings.extend(overfit);
        Ok(run)
    }

    fn stream(&self, channels: &[String]) -> Result<Box<dyn super::Stream + '_>> {
        let MarkovOrder::Fixed(order) = self.cfg.order else {
            return Err(Error::usage(
                "`--markov-order auto` compares orders over all journeys at once, which a run out of core does not hold",
                "pass an order (`--markov-order 2`), or raise `--memory-limit` so that the input fits in memory",
            ));
        };
        check_order(order)?;
        check_channels(channels.len())?;
        Ok(Box::new(MarkovStream {
            spec: ChainSpec {
                order,
                keep_repeats: self.cfg.keep_repeats,
            },
            n_channels: channels.len(),
            counts: ChainCounts::default(),
            totals: (0.0, 0.0),
            nulls: 0.0,
            journeys: 0,
        }))
    }

    fn frozen(&self, details: Option<&Details>) -> Option<Box<dyn AttributionModel>> {
        match (self.cfg.order, details) {
            (MarkovOrder::Auto, Some(Details::Markov(solution))) => Some(Box::new(Markov::new(MarkovConfig {
                order: MarkovOrder::Fixed(solution.spec.order),
                keep_repeats: solution.spec.keep_repeats,
            }))),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::testutil::assert_credits;

    std::thread_local! {
        /// Chain solves ([`Chain::absorb`] calls) made on this thread.
        pub(crate) static SOLVES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Runs `f` with every rayon task on this thread, and returns what it
    /// returned and the chain solves it made.
    pub(crate) fn counting_solves<T: Send>(f: impl FnOnce() -> T + Send) -> (T, usize) {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build().unwrap();
        let before = SOLVES.with(|n| n.get());
        let out = pool.install(f);
        (out, SOLVES.with(|n| n.get()) - before)
    }

    fn effects(j: &Journeys, cfg: ChainSpec) -> (Absorption, Vec<(String, f64)>) {
        let chain = Chain::build(j, &cfg).unwrap();
        let re = chain.removal_effects(j.channels().len()).unwrap();
        (re.base, j.channels().iter().cloned().zip(re.conversion).collect())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// C1 > C2 > C3 converts, C1 and C2 > C3 end in null: P = 1/3, without
    /// C1 1/6; removal effects 0.5, 1, 1; shares 0.2, 0.4, 0.4.
    #[test]
    fn three_path_oracle() {
        let j = Journeys::from_paths(&[
            (&["C1", "C2", "C3"], 1.0, 0.0, 0.0),
            (&["C1"], 0.0, 0.0, 1.0),
            (&["C2", "C3"], 0.0, 0.0, 1.0),
        ]);
        let (base, re) = effects(&j, ChainSpec::default());
        assert!(close(base.conversion, 1.0 / 3.0));
        assert!(close(re[0].1, 0.5) && close(re[1].1, 1.0) && close(re[2].1, 1.0), "{re:?}");
        let c = Markov::new(MarkovConfig::default()).attribute(&j).unwrap();
        assert_credits(&j, &c, &[("C1", 0.2, 0.0), ("C2", 0.4, 0.0), ("C3", 0.4, 0.0)]);
    }

    /// a > b: 3 conversions, 1 null; a > c: 1 conversion, 1 null.
    #[test]
    fn two_branch_oracle() {
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["a", "c"], 1.0, 10.0, 1.0)]);
        let chain = Chain::build(&j, &ChainSpec::default()).unwrap();
        let p =
            |from: usize, to: usize| chain.transitions().find(|t| t.0 == from && t.1 == to).map_or(0.0, |t| t.2) / chain.out_weight(from);
        assert!(close(p(0, 1), 2.0 / 3.0) && close(p(0, 2), 1.0 / 3.0));
        assert!(close(chain.conversion[1] / chain.out_weight(1), 0.75));
        assert!(close(chain.conversion[2] / chain.out_weight(2), 0.5));
        let (base, re) = effects(&j, ChainSpec::default());
        assert!(close(base.conversion, 2.0 / 3.0));
        assert!(close(re[0].1, 1.0) && close(re[1].1, 0.75) && close(re[2].1, 0.25), "{re:?}");
        let c = Markov::new(MarkovConfig::default()).attribute(&j).unwrap();
        // Revenue: b converts with mean value 10, c with 10: E[V] = 2/3 * 10;
        // removing b leaves 1/6 * 10, removing c 1/2 * 10: effects 1, 0.75, 0.25 again.
        assert_credits(&j, &c, &[("a", 2.0, 20.0), ("b", 1.5, 15.0), ("c", 0.5, 5.0)]);
    }

    /// A chain written out as transition rows (in reverse, some split in
    /// two) and read back is the same chain, and gives the same credits.
    #[test]
    fn counts_read_back_are_the_same_chain() {
        let j = Journeys::from_paths(&[
            (&["a", "b", "a", "c"], 2.0, 50.0, 1.0),
            (&["a", "a", "b"], 1.0, 5.0, 3.0),
            (&["c"], 0.0, 0.0, 2.0),
            (&["b", "c", "c", "a", "b"], 4.0, 12.0, 0.0),
        ]);
        for spec in [
            ChainSpec::default(),
            ChainSpec {
                order: 2,
                keep_repeats: true,
            },
            ChainSpec {
                order: 3,
                keep_repeats: false,
            },
        ] {
            let chain = Chain::build(&j, &spec).unwrap();
            let state = |s: usize| Node::State(chain.states[s].clone());
            let mut rows = Vec::new();
            let mut push = |from: Node, to: Node, count: f64, value: f64| {
                // Each row in two halves: rows with the same ends add up.
                for _ in 0..2 {
                    rows.push(Transition {
                        from: from.clone(),
                        to: to.clone(),
                        count: count / 2.0,
                        value: value / 2.0,
                    });
                }
            };
            for s in 0..chain.len() {
                push(Node::Start, state(s), chain.start[s], 0.0);
                push(state(s), Node::Conversion, chain.conversion[s], chain.value[s]);
                push(state(s), Node::Null, chain.null[s], 0.0);
            }
            for (a, b, w) in chain.transitions() {
                push(state(a), state(b), w, 0.0);
            }
            rows.reverse();
            let back = Chain::from_counts(ChainCounts::from_transitions(&rows), 3, |s| s.to_string()).unwrap();
            assert_eq!(back.states, chain.states, "{spec:?}");
            assert_eq!(
                (&back.start, &back.conversion, &back.null, &back.value),
                (&chain.start, &chain.conversion, &chain.null, &chain.value)
            );
            assert_eq!(back.transitions().collect::<Vec<_>>(), chain.transitions().collect::<Vec<_>>());
            let cfg = MarkovConfig {
                order: MarkovOrder::Fixed(spec.order),
                keep_repeats: spec.keep_repeats,
            };
            let from_counts = Markov::new(cfg)
                .run_counts(ChainCounts::from_transitions(&rows), 3, |s| s.to_string())
                .unwrap();
            let from_journeys = Markov::new(cfg).attribute(&j).unwrap();
            for (x, y) in from_counts.credits.conversions.iter().zip(&from_journeys.conversions) {
                assert!(close(*x, *y), "{spec:?}");
            }
            for (x, y) in from_counts.credits.value.iter().zip(&from_journeys.value) {
                assert!(close(*x, *y), "{spec:?}");
            }
        }
    }

    #[test]
    fn a_state_entered_but_never_left_is_refused() {
        let rows = [
            Transition {
                from: Node::Start,
                to: Node::State(vec![0]),
                count: 1.0,
                value: 0.0,
            },
            Transition {
                from: Node::State(vec![0]),
                to: Node::State(vec![1]),
                count: 1.0,
                value: 0.0,
            },
        ];
        let err = Chain::from_counts(ChainCounts::from_transitions(&rows), 2, |s| format!("s{s}")).unwrap_err();
        assert!(err.to_string().contains("state `s1` is entered but never left"), "{err}");
    }

    #[test]
    fn repeats_collapse_unless_kept() {
        let j = Journeys::from_paths(&[(&["A", "A", "B"], 1.0, 0.0, 1.0)]);
        let collapsed = Chain::build(&j, &ChainSpec::default()).unwrap();
        assert_eq!(collapsed.transitions().collect::<Vec<_>>(), [(0, 1, 2.0)]);
        let kept = Chain::build(
            &j,
            &ChainSpec {
                order: 1,
                keep_repeats: true,
            },
        )
        .unwrap();
        assert_eq!(kept.transitions().collect::<Vec<_>>(), [(0, 0, 2.0), (0, 1, 2.0)]);
        // Order 2: (A,A) -> (A,B); a one-touch path is a single short state.
        let j = Journeys::from_paths(&[(&["A", "A", "B"], 1.0, 0.0, 0.0), (&["B"], 0.0, 0.0, 1.0)]);
        let o2 = Chain::build(
            &j,
            &ChainSpec {
                order: 2,
                keep_repeats: false,
            },
        )
        .unwrap();
        let names: Vec<Vec<ChannelId>> = o2.states.clone();
        assert_eq!(names, [vec![0, 0], vec![0, 1], vec![1]]);
        assert_eq!(o2.transitions().collect::<Vec<_>>(), [(0, 1, 1.0)]);
        assert_eq!(o2.start, [1.0, 0.0, 1.0]);
    }

    #[test]
    fn dense_and_iterative_solvers_agree() {
        let j = Journeys::from_paths(&[
            (&["a", "b", "a", "c"], 3.0, 30.0, 2.0),
            (&["b", "c", "b"], 1.0, 4.0, 5.0),
            (&["c", "a"], 2.0, 7.0, 1.0),
            (&["a"], 0.0, 0.0, 3.0),
        ]);
        let chain = Chain::build(
            &j,
            &ChainSpec {
                order: 1,
                keep_repeats: true,
            },
        )
        .unwrap();
        for removed in [vec![false, false, false], vec![true, false, false], vec![false, false, true]] {
            let (dx, du) = chain.solve_dense(&removed);
            let (ix, iu) = chain.solve_iterative(&removed).unwrap();
            for s in 0..3 {
                assert!((dx[s] - ix[s]).abs() < 1e-12 && (du[s] - iu[s]).abs() < 1e-9, "{dx:?} {ix:?}");
            }
        }
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..20 {
            f *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - f.ln()).abs() < 1e-10, "{n}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_of_a_perfect_and_a_useless_score() {
        // Last states a (always converts) and b (never): a perfect separation.
        let j = Journeys::from_paths(&[(&["x", "a"], 5.0, 0.0, 0.0), (&["x", "b"], 0.0, 0.0, 5.0)]);
        assert!((roc_auc(&j, 1) - 1.0).abs() < 1e-12);
        // One last state for everything: the score cannot separate, AUC 1/2.
        let j = Journeys::from_paths(&[(&["x", "a"], 5.0, 0.0, 5.0), (&["y", "a"], 1.0, 0.0, 3.0)]);
        assert!((roc_auc(&j, 1) - 0.5).abs() < 1e-12);
    }

    /// 4,000 journeys whose conversion depends on the pair (first, last):
    /// a and c, or b and d, always convert; the other pairs never do.
    fn converts_by_first_and_last() -> Journeys {
        let mut rows: Vec<(&[&str], f64, f64, f64)> = Vec::new();
        for _ in 0..50 {
            rows.push((&["a", "c"], 10.0, 0.0, 0.0));
            rows.push((&["b", "c"], 0.0, 0.0, 10.0));
            rows.push((&["a", "d"], 0.0, 0.0, 10.0));
            rows.push((&["b", "d"], 10.0, 0.0, 0.0));
        }
        Journeys::from_paths(&rows)
    }

    #[test]
    fn choose_order_prefers_the_order_that_separates() {
        // Conversion depends on the pair (first, last): order 2 sees it, order 1
        // (last channel only) does not.
        let j = converts_by_first_and_last();
        let (best, scores) = choose_order(&j);
        assert_eq!(best, 2, "{scores:?}");
        assert!((scores[0].auc - 0.5).abs() < 1e-12, "{scores:?}");
        assert!((scores[1].auc - 1.0).abs() < 1e-12, "{scores:?}");
        // m = 4 channels, N = 4000 journeys: order 2 has C(5, 2) = 10 possible states.
        assert!((scores[1].penalised_auc - 1.0).abs() < 1e-12);
    }

    #[test]
    fn an_auto_order_with_more_states_than_a_tenth_of_the_journeys_is_warned() {
        // Every ordered pair of 8 channels once; it converts when both
        // channels have the same parity: order 2 separates perfectly, on
        // as many states as journeys.
        let names: Vec<String> = (0..8).map(|c| format!("c{c}")).collect();
        let mut pairs: Vec<(Vec<&str>, f64, f64)> = Vec::new();
        for p in 0..8 {
            for q in 0..8 {
                if p != q {
                    let converts = (p + q) % 2 == 0;
                    pairs.push((
                        vec![&names[p], &names[q]],
                        f64::from(u8::from(converts)),
                        f64::from(u8::from(!converts)),
                    ));
                }
            }
        }
        let rows: Vec<(&[&str], f64, f64, f64)> = pairs.iter().map(|(p, c, n)| (p.as_slice(), *c, 0.0, *n)).collect();
        let j = Journeys::from_paths(&rows);
        let auto = Markov::new(MarkovConfig {
            order: MarkovOrder::Auto,
            keep_repeats: false,
        });
        let run = auto.run(&j).unwrap();
        let order = match &run.details {
            Some(Details::Markov(s)) => s.spec.order,
            _ => unreachable!(),
        };
        assert_eq!(order, 2, "{:?}", run.notes);
        assert!(
            run.warnings
                .iter()
                .any(|w| w.contains("chose order 2") && w.contains("for 56 journeys")),
            "{:?}",
            run.warnings
        );
        // The 4,000 journeys of the pair test: a handful of states, no warning.
        let run = auto.run(&converts_by_first_and_last()).unwrap();
        assert!(!run.warnings.iter().any(|w| w.contains("overfit")), "{:?}", run.warnings);
    }

    #[test]
    fn first_order_conversion_probability_is_the_observed_rate() {
        let j = Journeys::from_paths(&[
            (&["a", "b", "a"], 3.0, 0.0, 2.0),
            (&["b", "c"], 1.0, 0.0, 5.0),
            (&["c", "c", "a"], 2.0, 0.0, 1.0),
        ]);
        let (base, _) = effects(&j, ChainSpec::default());
        assert!(close(base.conversion, 6.0 / 14.0), "{}", base.conversion);
    }

    #[test]
    fn auto_order_is_chosen_by_the_model_noted_and_frozen_for_resamples() {
        let j = converts_by_first_and_last();
        let auto = Markov::new(MarkovConfig {
            order: MarkovOrder::Auto,
            keep_repeats: false,
        });
        let (run, solves) = counting_solves(|| auto.run(&j).unwrap());
        // One base solve and one per channel, for the chosen order only.
        assert_eq!(solves, 1 + 4);
        assert_eq!(run.parameters["order"], Parameter::Number(2.0));
        assert_eq!(run.notes.len(), 1);
        assert!(
            run.notes[0].starts_with("markov order auto chose 2; ROC AUC (penalised) by order: 1: 0.5000"),
            "{}",
            run.notes[0]
        );
        let frozen = auto.frozen(run.details.as_ref()).expect("auto freezes");
        let again = frozen.run(&j).unwrap();
        assert_eq!((again.parameters, again.notes.len()), (run.parameters.clone(), 0));
        assert_eq!(again.credits, run.credits);
        // A fixed order has nothing to freeze.
        assert!(Markov::new(MarkovConfig::default()).frozen(run.details.as_ref()).is_none());
    }
}
