//! Data-driven attribution: a fitted conversion-probability model, and
//! each conversion credited by the counterfactual under it.
//!
//! A journey's *pattern* is its distinct channels in order of first touch,
//! each with its number of touches (capped at [`MAX_COUNT`]). The model is
//! a logistic regression over patterns:
//!
//! ```text
//! logit P(convert | S) = b0 + sum_{i in S} (b_i + k_i ln n_i)
//!                           + sum_{i<j in S} g_ij                      (pairs)
//!                           + sum_{i<j in S} a_ij sign(i before j)     (ordered pairs)
//! ```
//!
//! with n_i channel i's touches, pair terms for the [`MAX_PAIRS`] pairs seen
//! together in most journeys (at least [`MIN_PAIR_JOURNEYS`]), and an L2
//! penalty chosen by 5-fold cross-validation (see [`fit`]). Three models
//! are cross-validated: presence only (the baseline the fit is reported
//! against), presence + counts + pairs, and that + ordered pairs. Order is
//! used only when the ordered model's held-out log loss beats the
//! unordered one's by at least [`ORDER_GAIN`] per journey.
//!
//! Credit of one converting journey, by the rule the fit chose:
//! - order carries no signal: each channel's Shapley value in the
//!   journey's game v(T) = logit P(convert | T), T a subset of its
//!   channels (their touch counts kept). With main, count and pair terms
//!   the value is exact in closed form for any number of channels:
//!   phi_i = b_i + k_i ln n_i + 1/2 sum_{j in S} g_ij.
//! - order matters: the probability each channel adds along the journey's
//!   own order, P(first k channels) - P(first k-1 channels), P(no
//!   channel) = sigmoid(b0).
//!
//! A channel with a negative contribution gets 0 and the rest is
//! renormalised (warned, naming it); when no channel adds anything the
//! conversion splits equally. Each conversion's credits sum to 1 and to
//! its value.

mod fit;

use std::collections::BTreeMap;

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{Attribution, AttributionModel, Credits, Details, JourneySplit, ModelKind, Parameter};
use crate::error::Result;
use crate::journey::{ChannelId, Journey, Journeys};
use fit::{Folds, Row, Score};

/// Channels at most: the fit solves systems of about 2 x channels + 512
/// unknowns, Newton step after step.
pub const MAX_CHANNELS: usize = 300;
/// Touches of one channel counted in a pattern; more count as this many.
pub const MAX_COUNT: u32 = 16;
/// Pair terms at most (the pairs seen together in most journeys).
pub const MAX_PAIRS: usize = 256;
/// Journeys a pair must be seen together in to get a term.
pub const MIN_PAIR_JOURNEYS: f64 = 20.0;
/// Held-out log loss per journey the ordered terms must save to be used.
pub const ORDER_GAIN: f64 = 1e-3;
/// Held-out log loss, summed over the journeys, a richer model must save
/// over a simpler one to replace it: a likelihood ratio of e^2 (about 7),
/// so that fold noise does not pass for a signal.
pub const MIN_GAIN_NATS: f64 = 2.0;

/// A pattern: per distinct channel in order of first touch,
/// `channel << 4 | (touches - 1)`.
type Pattern = Vec<u32>;

/// Journeys of one pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tally {
    conversions: f64,
    nulls: f64,
    value: f64,
}

fn member(code: u32) -> (ChannelId, u32) {
    (code >> 4, (code & 15) + 1)
}

/// The journey's pattern (empty for a journey without touches).
fn pattern_of(journey: &Journey<'_>) -> Pattern {
    let mut out: Pattern = Vec::new();
    for &ch in journey.touches {
        match out.iter_mut().find(|code| **code >> 4 == ch) {
            Some(code) => {
                if (*code & 15) + 1 < MAX_COUNT {
                    *code += 1;
                }
            }
            None => out.push(ch << 4),
        }
    }
    out
}

/// Adds each journey with touches to its pattern's tally, in journey order.
fn tally(map: &mut HashMap<Pattern, Tally>, journeys: &Journeys) {
    for j in journeys.iter() {
        if j.touches.is_empty() {
            continue;
        }
        let t = map.entry(pattern_of(&j)).or_default();
        t.conversions += j.conversions;
        t.nulls += j.nulls;
        t.value += j.value;
    }
}

/// Which terms a model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terms {
    /// The number of distinct channels alone, the same for every channel:
    /// what the data says when channels cannot be told apart.
    Agnostic,
    /// Channel presence only: the baseline.
    Presence,
    /// Presence, touch counts and pairs.
    Pairs,
    /// Those and ordered pairs.
    Ordered,
}

/// The columns of a model: intercept 0, presence 1..=C, counts C+1..=2C,
/// pairs 2C+1.., ordered pairs after them.
struct Design {
    channels: usize,
    pairs: HashMap<(ChannelId, ChannelId), u32>,
    terms: Terms,
}

impl Design {
    fn width(&self) -> usize {
        let pairs = self.pairs.len();
        match self.terms {
            Terms::Agnostic => 2,
            Terms::Presence => 1 + self.channels,
            Terms::Pairs => 1 + 2 * self.channels + pairs,
            Terms::Ordered => 1 + 2 * self.channels + 2 * pairs,
        }
    }

    /// Features of `members` (channel, touches) in order of first touch.
    fn row(&self, members: &[(ChannelId, u32)]) -> Vec<(u32, f64)> {
        if self.terms == Terms::Agnostic {
            return vec![(1, members.len() as f64)];
        }
        let c = self.channels as u32;
        let mut x: Vec<(u32, f64)> = Vec::with_capacity(2 * members.len());
        for &(ch, n) in members {
            x.push((1 + ch, 1.0));
            if self.terms != Terms::Presence && n > 1 {
                x.push((1 + c + ch, (n as f64).ln()));
            }
        }
        if self.terms != Terms::Presence {
            let base = 1 + 2 * c;
            let n_pairs = self.pairs.len() as u32;
            for (a, &(ca, _)) in members.iter().enumerate() {
                for &(cb, _) in &members[a + 1..] {
                    let key = (ca.min(cb), ca.max(cb));
                    if let Some(&q) = self.pairs.get(&key) {
                        x.push((base + q, 1.0));
                        if self.terms == Terms::Ordered {
                            // +1 when the lower channel id comes first.
                            x.push((base + n_pairs + q, if ca < cb { 1.0 } else { -1.0 }));
                        }
                    }
                }
            }
        }
        x.sort_by_key(|e| e.0);
        x
    }
}

/// The pairs that get terms: seen together in at least
/// [`MIN_PAIR_JOURNEYS`] journeys, the [`MAX_PAIRS`] most seen (ties by ids).
fn choose_pairs(patterns: &[(Pattern, Tally)]) -> HashMap<(ChannelId, ChannelId), u32> {
    let mut seen: HashMap<(ChannelId, ChannelId), f64> = HashMap::new();
    for (p, t) in patterns {
        for (a, &ca) in p.iter().enumerate() {
            for &cb in &p[a + 1..] {
                let (x, y) = (ca >> 4, cb >> 4);
                *seen.entry((x.min(y), x.max(y))).or_default() += t.conversions + t.nulls;
            }
        }
    }
    let mut list: Vec<((ChannelId, ChannelId), f64)> = seen.into_iter().filter(|e| e.1 >= MIN_PAIR_JOURNEYS).collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    list.truncate(MAX_PAIRS);
    list.sort_by_key(|e| e.0);
    list.into_iter().enumerate().map(|(q, (k, _))| (k, q as u32)).collect()
}

/// A cross-validated model: its design, the fit at the chosen penalty,
/// and the scores.
struct Fitted {
    design: Design,
    weights: Vec<f64>,
    score: Score,
}

fn members(p: &Pattern) -> Vec<(ChannelId, u32)> {
    p.iter().map(|&c| member(c)).collect()
}

/// Cross-validates `terms` on the patterns and fits the chosen penalty on all of them.
fn cross_validated(patterns: &[(Pattern, Tally)], channels: usize, pairs: &HashMap<(ChannelId, ChannelId), u32>, terms: Terms) -> Fitted {
    let design = Design {
        channels,
        pairs: pairs.clone(),
        terms,
    };
    let rows = rows_of(patterns, &design);
    let folds = Folds::new(&rows);
    let total: f64 = rows.iter().map(|r| r.pos + r.neg).sum();
    let width = design.width();
    let scores = fit::cross_validate(&rows, &folds, width, &fit::lambda_grid(total));
    let score = fit::best(&scores);
    let weights = fit::fit(&rows, &|r| (rows[r].pos, rows[r].neg), width, score.lambda, &vec![0.0; width]);
    Fitted { design, weights, score }
}

/// What a run chose from the data (terms, pairs, penalty, rule), so that
/// the bootstrap refits each resample with the same choices instead of
/// cross-validating it again: a resample repeats journeys, and copies of
/// one journey dealt to different folds would leak into the held-out loss.
#[derive(Debug, Clone)]
pub struct Choice {
    terms: Terms,
    /// The pairs with terms and their indices, sorted.
    pairs: Vec<((ChannelId, ChannelId), u32)>,
    lambda: f64,
    rule: Rule,
}

/// Fits `choice`'s terms at its penalty, without cross-validation.
fn fixed(patterns: &[(Pattern, Tally)], channels: usize, choice: &Choice) -> Fitted {
    let design = Design {
        channels,
        pairs: choice.pairs.iter().copied().collect(),
        terms: choice.terms,
    };
    let rows = rows_of(patterns, &design);
    let width = design.width();
    let weights = fit::fit(&rows, &|r| (rows[r].pos, rows[r].neg), width, choice.lambda, &vec![0.0; width]);
    Fitted {
        design,
        weights,
        score: Score::unscored(choice.lambda),
    }
}

/// The rows of the fit: each pattern's features under `design` and its journeys.
fn rows_of(patterns: &[(Pattern, Tally)], design: &Design) -> Vec<Row> {
    patterns
        .iter()
        .map(|(p, t)| Row {
            x: design.row(&members(p)),
            pos: t.conversions,
            neg: t.nulls,
        })
        .collect()
}

/// How a converting journey's credit is split, as the fit decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Shapley values of the logit game (order carries no signal).
    Shapley,
    /// What each channel adds to the probability along the journey's order.
    OrderedWalk,
    /// Equal shares: no model that tells channels apart predicts held-out
    /// journeys better than the number of channels alone.
    Equal,
}

impl Rule {
    fn name(self) -> &'static str {
        match self {
            Rule::Shapley => "shapley of the fitted log-odds",
            Rule::OrderedWalk => "probability added along the journey's order",
            Rule::Equal => "equal share of each channel (none tells conversions apart)",
        }
    }
}

/// The fitted model and the credit rule.
struct Solution {
    model: Fitted,
    rule: Rule,
    /// Whether the model was chosen on these data (not a [`Choice`] given).
    fitted_here: bool,
    baseline: Score,
    /// The channel-blind model (the number of channels alone).
    channel_blind: Score,
    unordered: Score,
    /// `None` without pair terms.
    ordered: Option<Score>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Solution {
    fn new(patterns: &[(Pattern, Tally)], channels: usize) -> Solution {
        let pairs = choose_pairs(patterns);
        let agnostic = cross_validated(patterns, channels, &pairs, Terms::Agnostic);
        let presence = cross_validated(patterns, channels, &pairs, Terms::Presence);
        let with_pairs = cross_validated(patterns, channels, &pairs, Terms::Pairs);
        // Without pair terms there is no order to fit.
        let ordered = (!pairs.is_empty()).then(|| cross_validated(patterns, channels, &pairs, Terms::Ordered));
        let baseline = presence.score;
        // Each richer model only when it predicts held-out journeys better.
        let channel_blind = agnostic.score;
        let journeys: f64 = patterns.iter().map(|(_, t)| t.conversions + t.nulls).sum();
        let mut unordered = agnostic;
        for richer in [presence, with_pairs] {
            if (unordered.score.log_loss - richer.score.log_loss) * journeys > MIN_GAIN_NATS {
                unordered = richer;
            }
        }
        let u = unordered.score;
        let o = ordered.as_ref().map(|f| f.score);
        let (model, rule) = match ordered {
            Some(ordered) if ordered.score.log_loss < u.log_loss - ORDER_GAIN => (ordered, Rule::OrderedWalk),
            _ if unordered.design.terms == Terms::Agnostic => (unordered, Rule::Equal),
            _ => (unordered, Rule::Shapley),
        };
        Solution {
            model,
            rule,
            fitted_here: true,
            baseline,
            channel_blind,
            unordered: u,
            ordered: o,
        }
    }

    /// Raw contributions of the members (before clipping), in member order.
    fn contributions(&self, m: &[(ChannelId, u32)]) -> Vec<f64> {
        let (w, d) = (&self.model.weights, &self.model.design);
        match self.rule {
            Rule::Equal => vec![1.0; m.len()],
            Rule::Shapley if d.terms == Terms::Presence => m.iter().map(|&(ch, _)| w[1 + ch as usize]).collect(),
            Rule::Shapley => {
                let c = d.channels;
                m.iter()
                    .map(|&(ch, n)| {
                        let mut phi = w[1 + ch as usize] + w[1 + c + ch as usize] * (n as f64).ln();
                        for &(other, _) in m {
                            if other == ch {
                                continue;
                            }
                            if let Some(&q) = d.pairs.get(&(ch.min(other), ch.max(other))) {
                                phi += 0.5 * w[1 + 2 * c + q as usize];
                            }
                        }
                        phi
                    })
                    .collect()
            }
            Rule::OrderedWalk => {
                let mut before = sigmoid(w[0]);
                (1..=m.len())
                    .map(|k| {
                        let now = sigmoid(fit::linear(w, &d.row(&m[..k])));
                        let add = now - before;
                        before = now;
                        add
                    })
                    .collect()
            }
        }
    }

    /// Shares of one conversion per channel (ascending), and whether a
    /// negative contribution was clipped.
    fn shares(&self, p: &Pattern) -> (Vec<(ChannelId, f64)>, bool) {
        let m = members(p);
        let raw = self.contributions(&m);
        let clipped = raw.iter().any(|&x| x < 0.0);
        let kept: Vec<f64> = raw.iter().map(|&x| x.max(0.0)).collect();
        let sum: f64 = kept.iter().sum();
        let mut out: Vec<(ChannelId, f64)> = m
            .iter()
            .zip(&kept)
            .map(|(&(ch, _), &x)| (ch, if sum > 0.0 { x / sum } else { 1.0 / m.len() as f64 }))
            .collect();
        out.sort_by_key(|e| e.0);
        (out, clipped)
    }
}

/// What one run computed: credits, per-pattern shares and what to tell.
struct Outcome {
    credits: Credits,
    shares: HashMap<Pattern, Vec<(ChannelId, f64)>>,
    solution: Option<Solution>,
    clipped: Vec<(ChannelId, f64)>,
}

fn solve(map: HashMap<Pattern, Tally>, channels: usize, choice: Option<&Choice>) -> Outcome {
    let mut patterns: Vec<(Pattern, Tally)> = map.into_iter().collect();
    patterns.sort_by(|a, b| a.0.cmp(&b.0));
    let mut credits = Credits::zeros(channels);
    let converting = patterns.iter().any(|(_, t)| t.conversions > 0.0 || t.value > 0.0);
    if !converting {
        return Outcome {
            credits,
            shares: HashMap::new(),
            solution: None,
            clipped: Vec::new(),
        };
    }
    let solution = match choice {
        Some(c) => Solution {
            model: fixed(&patterns, channels, c),
            rule: c.rule,
            fitted_here: false,
            baseline: Score::unscored(c.lambda),
            channel_blind: Score::unscored(c.lambda),
            unordered: Score::unscored(c.lambda),
            ordered: None,
        },
        None => Solution::new(&patterns, channels),
    };
    type Split = (usize, Vec<(ChannelId, f64)>, bool);
    let split: Vec<Split> = patterns
        .par_iter()
        .enumerate()
        .filter(|(_, (_, t))| t.conversions > 0.0 || t.value > 0.0)
        .map(|(i, (p, _))| {
            let (s, c) = solution.shares(p);
            (i, s, c)
        })
        .collect();
    let mut clipped: BTreeMap<ChannelId, f64> = BTreeMap::new();
    let mut shares = HashMap::new();
    for (i, s, was_clipped) in split {
        let (p, t) = &patterns[i];
        for &(ch, share) in &s {
            credits.conversions[ch as usize] += share * t.conversions;
            credits.value[ch as usize] += share * t.value;
        }
        if was_clipped {
            let raw = solution.contributions(&members(p));
            for (&(ch, _), x) in members(p).iter().zip(raw) {
                if x < 0.0 {
                    *clipped.entry(ch).or_default() += t.conversions;
                }
            }
        }
        shares.insert(p.clone(), s);
    }
    Outcome {
        credits,
        shares,
        solution: Some(solution),
        clipped: clipped.into_iter().collect(),
    }
}

/// The data-driven model: cross-validated on its data, or refitting a
/// [`Choice`] made before (see [`AttributionModel::frozen`]).
#[derive(Debug, Clone, Default)]
pub struct DataDriven {
    choice: Option<Choice>,
}

impl DataDriven {
    fn attribution(&self, outcome: Outcome, names: &[String]) -> Attribution {
        let mut parameters = self.parameters();
        let mut notes = Vec::new();
        let mut warnings = Vec::new();
        let mut details = None;
        if let Some(s) = outcome.solution.as_ref().filter(|s| s.fitted_here) {
            details = Some(Details::DataDriven(Box::new(Choice {
                terms: s.model.design.terms,
                pairs: {
                    let mut pairs: Vec<_> = s.model.design.pairs.iter().map(|(&k, &q)| (k, q)).collect();
                    pairs.sort_unstable();
                    pairs
                },
                lambda: s.model.score.lambda,
                rule: s.rule,
            })));
            let pairs = s.model.design.pairs.len();
            parameters.insert("rule", Parameter::Text(s.rule.name().into()));
            parameters.insert("penalty", Parameter::Number(s.model.score.lambda));
            parameters.insert("pair_terms", Parameter::Number(pairs as f64));
            parameters.insert("holdout_log_loss", Parameter::Number(s.model.score.log_loss));
            parameters.insert("holdout_auc", Parameter::Number(s.model.score.auc));
            parameters.insert("baseline_log_loss", Parameter::Number(s.baseline.log_loss));
            parameters.insert("baseline_auc", Parameter::Number(s.baseline.auc));
            parameters.insert("channel_blind_log_loss", Parameter::Number(s.channel_blind.log_loss));
            parameters.insert("unordered_log_loss", Parameter::Number(s.unordered.log_loss));
            let order = match s.ordered {
                Some(o) => {
                    parameters.insert("ordered_log_loss", Parameter::Number(o.log_loss));
                    format!(
                        "order {} the fit (ordered {:.4}, unordered {:.4})",
                        if s.rule == Rule::OrderedWalk {
                            "improves"
                        } else {
                            "does not improve"
                        },
                        o.log_loss,
                        s.unordered.log_loss
                    )
                }
                None => "no pair seen often enough to fit order".to_string(),
            };
            notes.push(format!(
                "data-driven: held-out log loss {:.4} (AUC {:.3}) against {:.4} (AUC {:.3}) from channel presence alone; {} pair terms; {order}, so credit is the {}",
                s.model.score.log_loss,
                s.model.score.auc,
                s.baseline.log_loss,
                s.baseline.auc,
                pairs,
                s.rule.name()
            ));
            if s.rule == Rule::Equal {
                warnings.push(format!(
                    "data-driven: no model that tells channels apart predicts held-out journeys better than the number of channels alone (log loss {:.4}; channel presence {:.4}): each conversion is split equally over its channels",
                    s.model.score.log_loss, s.baseline.log_loss
                ));
            } else if s.model.score.log_loss >= s.baseline.log_loss {
                warnings.push(format!(
                    "data-driven: touch counts, channel pairs and order predict held-out journeys no better than channel presence alone (log loss {:.4}): the credits rest on presence alone",
                    s.baseline.log_loss
                ));
            }
        }
        if !outcome.clipped.is_empty() {
            let list: Vec<String> = outcome
                .clipped
                .iter()
                .map(|&(ch, conv)| {
                    format!(
                        "{} (in journeys of {conv:.0} conversions)",
                        names.get(ch as usize).map_or("?", String::as_str)
                    )
                })
                .collect();
            warnings.push(format!(
                "data-driven: negative fitted contributions set to 0 and the rest renormalised: {}",
                list.join(", ")
            ));
        }
        Attribution {
            credits: outcome.credits,
            parameters,
            notes,
            warnings,
            details,
        }
    }
}

impl AttributionModel for DataDriven {
    fn kind(&self) -> ModelKind {
        ModelKind::DataDriven
    }

    fn parameters(&self) -> BTreeMap<&'static str, Parameter> {
        BTreeMap::from([("folds", Parameter::Number(fit::FOLDS as f64))])
    }

    fn attribute(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(self.run(journeys)?.credits)
    }

    fn run(&self, journeys: &Journeys) -> Result<Attribution> {
        check_channels(journeys.channels().len())?;
        let mut map = HashMap::new();
        tally(&mut map, journeys);
        Ok(self.attribution(solve(map, journeys.channels().len(), self.choice.as_ref()), journeys.channels()))
    }

    fn journey_split<'a>(&'a self, journeys: &'a Journeys) -> Result<Option<Box<dyn JourneySplit + 'a>>> {
        check_channels(journeys.channels().len())?;
        let mut map = HashMap::new();
        tally(&mut map, journeys);
        Ok(Some(Box::new(PatternShares(
            solve(map, journeys.channels().len(), self.choice.as_ref()).shares,
        ))))
    }

    fn frozen(&self, details: Option<&Details>) -> Option<Box<dyn AttributionModel>> {
        match details {
            Some(Details::DataDriven(choice)) => Some(Box::new(DataDriven {
                choice: Some((**choice).clone()),
            })),
            _ => None,
        }
    }

    fn stream(&self, channels: &[String]) -> Result<Box<dyn super::Stream + '_>> {
        check_channels(channels.len())?;
        Ok(Box::new(DataDrivenStream {
            model: self,
            channels: channels.to_vec(),
            map: HashMap::new(),
        }))
    }
}

/// Refuses more than [`MAX_CHANNELS`] channels, saying what to do.
fn check_channels(n: usize) -> Result<()> {
    if n > MAX_CHANNELS {
        return Err(crate::error::Error::Model {
            model: "data-driven",
            message: format!(
                "the input has {n} channels; the fit takes at most {MAX_CHANNELS}: group rare channels together (e.g. into `Other`) first"
            ),
        });
    }
    Ok(())
}

/// Per converting pattern, the share of each channel.
struct PatternShares(HashMap<Pattern, Vec<(ChannelId, f64)>>);

impl JourneySplit for PatternShares {
    fn kind(&self) -> ModelKind {
        ModelKind::DataDriven
    }

    fn split(&mut self, _channels: &[String], journey: &Journey<'_>, out: &mut Vec<(ChannelId, f64)>) {
        out.clear();
        if let Some(shares) = self.0.get(&pattern_of(journey)) {
            out.extend(shares.iter().copied());
        }
    }
}

/// [`DataDriven`] over blocks: the patterns' tallies so far (the fit's
/// sufficient statistics), fitted once at the end.
struct DataDrivenStream<'a> {
    model: &'a DataDriven,
    channels: Vec<String>,
    map: HashMap<Pattern, Tally>,
}

impl super::Stream for DataDrivenStream<'_> {
    fn add(&mut self, block: &Journeys) -> Result<()> {
        tally(&mut self.map, block);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Attribution> {
        let n = self.channels.len();
        Ok(self
            .model
            .attribution(solve(self.map, n, self.model.choice.as_ref()), &self.channels))
    }

    fn into_split<'s>(self: Box<Self>) -> Result<Option<Box<dyn JourneySplit + 's>>>
    where
        Self: 's,
    {
        let n = self.channels.len();
        Ok(Some(Box::new(PatternShares(solve(self.map, n, self.model.choice.as_ref()).shares))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A solution with the given weights, as if a fit had chosen them.
    fn solution(channels: usize, pairs: &[((ChannelId, ChannelId), u32)], terms: Terms, weights: Vec<f64>, rule: Rule) -> Solution {
        let design = Design {
            channels,
            pairs: pairs.iter().copied().collect(),
            terms,
        };
        let score = Score {
            lambda: 0.0,
            log_loss: 0.0,
            auc: 0.5,
        };
        Solution {
            model: Fitted { design, weights, score },
            rule,
            fitted_here: true,
            baseline: score,
            channel_blind: score,
            unordered: score,
            ordered: None,
        }
    }

    /// A (twice), B, C with presence 1.0, 0.5, 0.2, A's count term 0.3 and
    /// the pair A-B 0.4: phi_A = 1.0 + 0.3 ln 2 + 0.2, phi_B = 0.5 + 0.2,
    /// phi_C = 0.2 (the pair's 0.4 split in halves).
    #[test]
    fn shapley_of_the_log_odds_by_hand() {
        // intercept, presence A B C, counts A B C, pair A-B.
        let s = solution(
            3,
            &[((0, 1), 0)],
            Terms::Pairs,
            vec![-2.0, 1.0, 0.5, 0.2, 0.3, 0.0, 0.0, 0.4],
            Rule::Shapley,
        );
        let a = 1.0 + 0.3 * 2f64.ln() + 0.2;
        let (b, c) = (0.7, 0.2);
        let (shares, clipped) = s.shares(&vec![1, 2 << 4, 1 << 4]); // A A C B
        let sum = a + b + c;
        let want = [(0, a / sum), (1, b / sum), (2, c / sum)];
        assert!(!clipped);
        for ((ch, x), (wc, wx)) in shares.iter().zip(want) {
            assert_eq!(*ch, wc);
            assert!((x - wx).abs() < 1e-12, "{shares:?}");
        }
    }

    /// B then A, intercept -1, presence A 0.5, B 1.0, pair 0.2, order term
    /// 0.6 (+ when A, the lower id, comes first): P = sigmoid(-1) before,
    /// sigmoid(0) after B, sigmoid(-1 + 1 + 0.5 + 0.2 - 0.6) after A.
    #[test]
    fn ordered_walk_by_hand() {
        // intercept, presence A B, counts A B, pair, ordered pair.
        let s = solution(
            2,
            &[((0, 1), 0)],
            Terms::Ordered,
            vec![-1.0, 0.5, 1.0, 0.0, 0.0, 0.2, 0.6],
            Rule::OrderedWalk,
        );
        let b = 0.5 - sigmoid(-1.0);
        let a = sigmoid(0.1) - 0.5;
        let (shares, clipped) = s.shares(&vec![1 << 4, 0]);
        assert!(!clipped);
        assert!((shares[0].1 - a / (a + b)).abs() < 1e-12, "{shares:?}");
        assert!((shares[1].1 - b / (a + b)).abs() < 1e-12, "{shares:?}");
        // A first gets the order bonus instead: A adds sigmoid(-0.5) - sigmoid(-1),
        // B adds sigmoid(-1 + 1.5 + 0.2 + 0.6) - sigmoid(-0.5).
        let (shares, _) = s.shares(&vec![0, 1 << 4]);
        let (a, b) = (sigmoid(-0.5) - sigmoid(-1.0), sigmoid(1.3) - sigmoid(-0.5));
        assert!((shares[0].1 - a / (a + b)).abs() < 1e-12, "{shares:?}");
    }

    #[test]
    fn a_negative_contribution_is_clipped_and_the_rest_renormalised() {
        let s = solution(2, &[], Terms::Presence, vec![0.0, 1.5, -0.5], Rule::Shapley);
        let (shares, clipped) = s.shares(&vec![0, 1 << 4]);
        assert!(clipped);
        assert_eq!(shares, [(0, 1.0), (1, 0.0)]);
    }

    /// Paths from a known process: `Display` adds nothing, order does not
    /// matter; many journeys, so the fit is sharp.
    fn order_free() -> Journeys {
        let p = |a: f64| 1.0 / (1.0 + (-a).exp());
        let base = -2.0;
        let effect = [("Display", 0.0), ("Email", 0.8), ("Search", 1.6)];
        let mut rows: Vec<(Vec<&str>, f64, f64, f64)> = Vec::new();
        for mask in 1..8u32 {
            let members: Vec<&str> = (0..3).filter(|k| mask >> k & 1 == 1).map(|k| effect[k].0).collect();
            let z = base + (0..3).filter(|k| mask >> k & 1 == 1).map(|k| effect[k].1).sum::<f64>();
            let n = 20_000.0;
            let conv = (n * p(z)).round();
            rows.push((members.clone(), conv, conv * 10.0, n - conv));
            let mut rev = members;
            rev.reverse();
            if rev.len() > 1 {
                rows.push((rev, conv, conv * 10.0, n - conv));
            }
        }
        let refs: Vec<(&[&str], f64, f64, f64)> = rows.iter().map(|r| (r.0.as_slice(), r.1, r.2, r.3)).collect();
        Journeys::from_paths(&refs)
    }

    #[test]
    fn recovers_a_known_order_free_process() {
        let j = order_free();
        let run = DataDriven::default().run(&j).unwrap();
        let c = &run.credits;
        let id = |n: &str| j.channel_id(n).unwrap() as usize;
        // Display adds nothing: it keeps the conversions of the journeys
        // where it is alone (2,384, the base rate) and next to nothing of
        // the others. Search's effect is twice Email's.
        assert!(c.conversions[id("Display")] < 2_384.0 * 1.02, "{c:?}");
        assert!(c.conversions[id("Search")] > 1.5 * c.conversions[id("Email")], "{c:?}");
        assert!((c.conversions.iter().sum::<f64>() - j.total_conversions()).abs() < 1e-6);
        assert!((c.value.iter().sum::<f64>() - j.total_value()).abs() < 1e-4);
        assert_eq!(run.parameters["rule"], Parameter::Text(Rule::Shapley.name().into()));
        assert!(run.notes[0].contains("order does not improve the fit"), "{:?}", run.notes);
    }

    #[test]
    fn finds_order_when_it_drives_conversion() {
        // Email before Search converts four times as often as Search before Email.
        let j = Journeys::from_paths(&[
            (&["Email", "Search"], 2_000.0, 0.0, 3_000.0),
            (&["Search", "Email"], 500.0, 0.0, 4_500.0),
            (&["Email"], 400.0, 0.0, 4_600.0),
            (&["Search"], 400.0, 0.0, 4_600.0),
        ]);
        let run = DataDriven::default().run(&j).unwrap();
        assert_eq!(
            run.parameters["rule"],
            Parameter::Text(Rule::OrderedWalk.name().into()),
            "{:?}",
            run.notes
        );
        // Along Email > Search, Search adds what takes the journey from 8% to
        // 40%, Email only what takes it from the baseline to 8%.
        let model = DataDriven::default();
        let mut split = model.journey_split(&j).unwrap().unwrap();
        let mut out = Vec::new();
        split.split(j.channels(), &j.get(0), &mut out);
        let (email, search) = (out[0].1, out[1].1);
        assert!((email + search - 1.0).abs() < 1e-12);
        assert!(search > 0.7, "{out:?}");
    }

    #[test]
    fn blocks_give_the_bits_of_one_run() {
        let j = order_free();
        let whole = DataDriven::default().run(&j).unwrap();
        let model = DataDriven::default();
        let mut stream = model.stream(j.channels()).unwrap();
        let half = j.len() / 2;
        for range in [0..half, half..j.len()] {
            let mut block = Journeys::new(j.channels().to_vec(), false);
            for i in range {
                let x = j.get(i);
                block.push(x.touches, x.times, x.conversions, x.value, x.nulls, x.converted_at);
            }
            stream.add(&block).unwrap();
        }
        let streamed = stream.finish().unwrap();
        assert_eq!(whole.credits, streamed.credits);
        assert_eq!(whole.notes, streamed.notes);
    }

    #[test]
    fn patterns_keep_first_touch_order_and_capped_counts() {
        let j = Journeys::from_paths(&[(&["b", "a", "b", "c", "b"], 1.0, 0.0, 0.0)]);
        // a = 0, b = 1, c = 2: b (3 touches), a, c.
        assert_eq!(pattern_of(&j.get(0)), vec![1 << 4 | 2, 0, 2 << 4]);
        let many = vec!["a"; 40];
        let j = Journeys::from_paths(&[(&many, 1.0, 0.0, 0.0)]);
        assert_eq!(members(&pattern_of(&j.get(0))), [(0, MAX_COUNT)]);
    }

    /// A hazard process of our own, as the issue describes it: each touch
    /// adds its channel's effect to the conversion hazard, halving with the
    /// channel's half-life; a baseline hazard; Email after Search works 1.5
    /// times as hard; Direct nearly nothing but likelier late in a journey.
    /// Truth: the conversions lost when a channel's touches are removed,
    /// with the same random draws. Returns the observed journeys (each ends
    /// at its conversion) and the truth per channel.
    fn hazard_process(seed: u64, customers: usize) -> (Journeys, Vec<f64>) {
        const DAY: f64 = 86_400_000.0;
        let names = ["Affiliate", "Direct", "Display", "Email", "Search"];
        let effect = [0.03, 0.002, 0.012, 0.02, 0.045];
        let half_life = [3.0, 4.0, 5.0, 7.0, 2.0];
        let mix = [0.2, 0.15, 0.3, 0.2, 0.15];
        let (base, days) = (0.0008, 60.0);
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        // When the cumulative hazard of `touches` (time, channel) first reaches `e`, if within the days.
        let convert_at = |touches: &[(f64, usize)], e: f64| -> Option<f64> {
            let cumulative = |x: f64| -> f64 {
                let mut seen_search = false;
                let mut sum = base * x;
                for &(t, c) in touches {
                    let boost = if c == 3 && seen_search { 1.5 } else { 1.0 };
                    seen_search |= c == 4;
                    if t < x {
                        let h = half_life[c];
                        sum += effect[c] * boost * h / std::f64::consts::LN_2 * (1.0 - (-(x - t) / h).exp2());
                    }
                }
                sum
            };
            if cumulative(days) < e {
                return None;
            }
            let (mut lo, mut hi) = (0.0, days);
            for _ in 0..50 {
                let mid = 0.5 * (lo + hi);
                if cumulative(mid) >= e { hi = mid } else { lo = mid }
            }
            Some(hi)
        };
        let mut j = Journeys::new(names.iter().map(|n| n.to_string()).collect(), true);
        let mut lost = vec![0.0; names.len()];
        for _ in 0..customers {
            // 1 + Poisson(3) touches, uniform over the days.
            let (mut k, mut p, limit) = (0, uniform(), (-3.0f64).exp());
            while p > limit {
                k += 1;
                p *= uniform();
            }
            let mut times: Vec<f64> = (0..=k).map(|_| uniform() * days).collect();
            times.sort_by(f64::total_cmp);
            let n = times.len();
            let touches: Vec<(f64, usize)> = times
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    let mut w = mix;
                    w[1] *= 1.0 + 2.0 * i as f64 / (n.max(2) - 1) as f64;
                    let mut u = uniform() * w.iter().sum::<f64>();
                    let c = w.iter().position(|&x| {
                        u -= x;
                        u < 0.0
                    });
                    (t, c.unwrap_or(w.len() - 1))
                })
                .collect();
            let e = -(1.0 - uniform()).ln();
            let at = convert_at(&touches, e);
            if at.is_some() {
                for (c, l) in lost.iter_mut().enumerate() {
                    let without: Vec<(f64, usize)> = touches.iter().copied().filter(|t| t.1 != c).collect();
                    if without.len() < touches.len() && convert_at(&without, e).is_none() {
                        *l += 1.0;
                    }
                }
            }
            let seen: Vec<(f64, usize)> = touches.iter().copied().filter(|t| at.is_none_or(|a| t.0 <= a)).collect();
            if seen.is_empty() {
                continue;
            }
            let ids: Vec<u32> = seen.iter().map(|t| t.1 as u32).collect();
            let ms: Vec<i64> = seen.iter().map(|t| (t.0 * DAY) as i64).collect();
            let converted = at.is_some();
            j.push(
                &ids,
                Some(&ms),
                f64::from(u8::from(converted)),
                if converted { 100.0 } else { 0.0 },
                f64::from(u8::from(!converted)),
                at.map(|a| (a * DAY) as i64),
            );
        }
        (j, lost)
    }

    /// Mean absolute error of the credit shares against the truth's shares.
    fn nmae(truth: &[f64], credits: &Credits) -> f64 {
        let (t, c): (f64, f64) = (truth.iter().sum(), credits.conversions.iter().sum());
        truth
            .iter()
            .zip(&credits.conversions)
            .map(|(a, b)| (a / t - b / c).abs())
            .sum::<f64>()
            / truth.len() as f64
    }

    #[test]
    fn beats_last_non_direct_on_a_hazard_process() {
        // The mean error over six draws of the process (one draw is noisy:
        // last-non-direct wins some single draws of 4,000 customers).
        let cfg = crate::model::ModelConfig::default();
        let (mut ours, mut lnd, mut shapley) = (0.0, 0.0, 0.0);
        for seed in 1..=6 {
            let (j, truth) = hazard_process(seed, 4_000);
            ours += nmae(&truth, &DataDriven::default().attribute(&j).unwrap()) / 6.0;
            lnd += nmae(&truth, &ModelKind::LastNonDirect.build(&cfg).attribute(&j).unwrap()) / 6.0;
            shapley += nmae(&truth, &ModelKind::Shapley.build(&cfg).attribute(&j).unwrap()) / 6.0;
        }
        assert!(
            ours < lnd && ours < shapley,
            "data-driven {ours:.4}, last-non-direct {lnd:.4}, shapley {shapley:.4}"
        );
    }

    #[test]
    fn channels_that_predict_nothing_split_each_conversion_equally() {
        // Every channel converts at the same rate, alone or together: no
        // model that tells them apart predicts better than the number of
        // channels, so each conversion splits equally (and a warning says why).
        let j = Journeys::from_paths(&[
            (&["a"], 300.0, 0.0, 700.0),
            (&["b"], 300.0, 0.0, 700.0),
            (&["c"], 300.0, 0.0, 700.0),
            (&["a", "b"], 300.0, 0.0, 700.0),
            (&["b", "c"], 300.0, 0.0, 700.0),
            (&["c", "a"], 300.0, 0.0, 700.0),
        ]);
        let run = DataDriven::default().run(&j).unwrap();
        assert_eq!(
            run.parameters["rule"],
            Parameter::Text(Rule::Equal.name().into()),
            "{:?}",
            run.notes
        );
        assert!(run.warnings.iter().any(|w| w.contains("split equally")), "{:?}", run.warnings);
        // a: 300 alone + 150 with b + 150 with c.
        for c in &run.credits.conversions {
            assert!((c - 600.0).abs() < 1e-9, "{:?}", run.credits);
        }
    }

    #[test]
    fn the_bootstrap_refits_the_choices_of_the_run() {
        let j = order_free();
        let run = DataDriven::default().run(&j).unwrap();
        let frozen = DataDriven::default()
            .frozen(run.details.as_ref())
            .expect("a data-driven run freezes");
        // On the same journeys the refit at the chosen penalty is the run's fit.
        let again = frozen.attribute(&j).unwrap();
        for (a, b) in again.conversions.iter().zip(&run.credits.conversions) {
            assert!((a - b).abs() < 1e-9, "{again:?} / {:?}", run.credits);
        }
        assert!(DataDriven::default().frozen(None).is_none());
    }

    #[test]
    fn too_many_channels_is_a_clear_error() {
        let names: Vec<String> = (0..=MAX_CHANNELS).map(|i| format!("ch{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let j = Journeys::from_paths(&[(&refs, 1.0, 0.0, 0.0)]);
        let err = DataDriven::default().attribute(&j).unwrap_err().to_string();
        assert!(err.contains("301 channels") && err.contains("group rare channels"), "{err}");
        assert!(ModelKind::DataDriven.unsupported_reason(&j).is_some());
    }
}
