//! Budget reallocation (`mta budget`): spend in proportion to credited
//! value, each channel's change limited to +-`max_change` of its spend.
//!
//! The definition: proposed_c = clamp(lambda x T x share_c, lo_c, hi_c)
//! with lo_c = max(0, 1 - m) x spend_c, hi_c = (1 + m) x spend_c, and the
//! one lambda that makes the proposals sum to T. The sum is continuous and
//! non-decreasing in lambda and linear between the points where a channel
//! reaches a limit, so lambda is found exactly by walking those points.
//! This is proportional reallocation on attributed value: it assumes
//! constant returns, and is no response-curve optimiser.

use serde::Serialize;

use super::Report;
use crate::input::costs::Costs;

/// The limits on every channel's proposal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// `--max-change`: the largest change, as a fraction of current spend.
    pub max_change: f64,
    /// `--allow-new`: a channel without spend may get some (no limit then);
    /// otherwise it keeps 0.
    pub allow_new: bool,
}

/// Why no proposal sums to the total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unreachable {
    /// The least total the limits allow.
    pub min: f64,
    /// The most (infinite when a channel is unlimited).
    pub max: f64,
}

/// Proposed spend per channel: the clamp of `lambda x total x share`
/// summing to `total` (see the module docs). `share` sums to 1 over the
/// channels (or is all 0); `spend` is today's.
pub fn propose(spend: &[f64], share: &[f64], total: f64, limits: Limits) -> Result<Vec<f64>, Unreachable> {
    let m = limits.max_change;
    let bounds: Vec<(f64, f64)> = spend
        .iter()
        .map(|&s| {
            if s == 0.0 {
                if limits.allow_new { (0.0, f64::INFINITY) } else { (0.0, 0.0) }
            } else {
                ((1.0 - m).max(0.0) * s, (1.0 + m) * s)
            }
        })
        .collect();
    // Channels without share stay at their lower limit whatever lambda is.
    let min: f64 = bounds.iter().map(|b| b.0).sum();
    let max: f64 = bounds.iter().zip(share).map(|(b, &w)| if w > 0.0 { b.1 } else { b.0 }).sum();
    let tolerance = 1e-9 * total.abs().max(1.0);
    if total < min - tolerance || total > max + tolerance {
        return Err(Unreachable { min, max });
    }
    // Every lambda where a channel reaches a limit (per unit of T x share).
    let unit: Vec<f64> = share.iter().map(|&w| w * total).collect();
    let mut points: Vec<f64> = Vec::new();
    for (b, &u) in bounds.iter().zip(&unit) {
        if u > 0.0 {
            points.push(b.0 / u);
            if b.1.is_finite() {
                points.push(b.1 / u);
            }
        }
    }
    points.sort_by(f64::total_cmp);
    points.dedup();
    let at = |lambda: f64| -> f64 { bounds.iter().zip(&unit).map(|(b, &u)| (lambda * u).clamp(b.0, b.1)).sum() };
    // The last point whose sum is still at most T: lambda lies after it,
    // where the free channels are those strictly inside their limits.
    let start = points.iter().rposition(|&p| at(p) <= total).map_or(0.0, |i| points[i]);
    let (mut fixed, mut free) = (0.0, 0.0);
    let probe = points
        .iter()
        .copied()
        .find(|&p| p > start)
        .map_or(start + 1.0, |next| (start + next) / 2.0);
    for (b, &u) in bounds.iter().zip(&unit) {
        let x = probe * u;
        if u > 0.0 && x > b.0 && x < b.1 {
            free += u;
        } else {
            fixed += x.clamp(b.0, b.1);
        }
    }
    let lambda = if free > 0.0 { (total - fixed) / free } else { start };
    let mut proposed: Vec<f64> = bounds.iter().zip(&unit).map(|(b, &u)| (lambda * u).clamp(b.0, b.1)).collect();
    // Rounding can leave the sum a few ulps off T: the free channels absorb it.
    let gap = total - proposed.iter().sum::<f64>();
    if gap != 0.0 && free > 0.0 {
        for ((p, b), &u) in proposed.iter_mut().zip(&bounds).zip(&unit) {
            if u > 0.0 && *p > b.0 && *p < b.1 {
                *p += gap * u / free;
            }
        }
    }
    Ok(proposed)
}

/// Which credited figure the shares come from (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ShareOf {
    /// Credited revenue (the default).
    #[default]
    Value,
    /// Credited conversions.
    Conversions,
}

/// One channel's proposal under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    /// The model.
    pub model: crate::model::ModelKind,
    /// The channel.
    pub channel: String,
    /// Spend today.
    pub spend: f64,
    /// Proposed spend.
    pub proposed_spend: f64,
    /// proposed_spend - spend.
    pub change: f64,
    /// change / spend (`None` without spend today).
    pub change_pct: Option<f64>,
    /// The channel's share of the model's credited value (or conversions).
    pub credited_share: f64,
    /// The channel's share of today's spend.
    pub spend_share: f64,
    /// Credited value / spend (`None` without spend).
    pub roas: Option<f64>,
    /// `increase`, `decrease` or `unclear`: the sign of the change, or with
    /// `--bootstrap` whether its interval lies above 0, below 0, or spans it;
    /// `held` for spend on a channel no journey has (kept as it is).
    pub direction: &'static str,
    /// With `--bootstrap`: the 2.5th percentile of the change over the
    /// replicates.
    pub change_lo: Option<f64>,
    /// The 97.5th percentile.
    pub change_hi: Option<f64>,
    /// The least change any model that ran proposes for the channel
    /// (participation aside, unless it is all that ran).
    pub models_change_min: f64,
    /// The most.
    pub models_change_max: f64,
    /// Whether every model that ran (participation aside) proposes the same direction.
    pub models_agree: bool,
    /// With `--robust`: the channel's direction over the scenarios.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub robust: Option<Robust>,
}

/// The direction of a change: exact zeros (a channel held at 0) are `unclear`.
fn sign(change: f64, scale: f64) -> &'static str {
    let eps = 1e-9 * scale.max(1.0);
    if change > eps {
        "increase"
    } else if change < -eps {
        "decrease"
    } else {
        "unclear"
    }
}

/// Shares of one model's credits: (conversions, value) per channel.
fn shares(conversions: &[f64], value: &[f64], by: ShareOf) -> Vec<f64> {
    let figure = match by {
        ShareOf::Value => value,
        ShareOf::Conversions => conversions,
    };
    let sum: f64 = figure.iter().sum();
    figure.iter().map(|f| if sum > 0.0 { f / sum } else { 0.0 }).collect()
}

/// What the bootstrap gave: every replicate's credits.
pub struct Resampled<'a> {
    /// `[replicate][model]`, models in the report's order.
    pub runs: &'a super::bootstrap::Replicates,
}

/// Which channels without spend today may get some (`--allow-new`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NewSpend {
    /// None: they keep 0.
    #[default]
    Nowhere,
    /// Any of them (bare `--allow-new`).
    Anywhere,
    /// Only these (`--allow-new CH[,CH...]`, matched case-insensitively).
    Only(Vec<String>),
}

impl NewSpend {
    /// Whether `channel`, without spend today, may get some.
    fn allows(&self, channel: &str) -> bool {
        match self {
            NewSpend::Nowhere => false,
            NewSpend::Anywhere => true,
            NewSpend::Only(names) => names.iter().any(|n| n.trim().eq_ignore_ascii_case(channel)),
        }
    }
}

/// Proposals for every model of `report`; the rows of the models in
/// `shown` (in their order), with each channel's range over all models
/// (participation aside) and, with `resampled`, the interval of its change.
/// Spend on channels that no journey has (TV, offline) cannot be weighed
/// against credit: it is held, a row of its own with direction `held`, and
/// the rest of the total is reallocated, so every block adds up to the
/// whole spend (or `total`). Returns the rows and the number of replicates
/// whose limits could not reach the total.
#[allow(clippy::too_many_arguments)]
pub fn reallocate(
    report: &Report,
    costs: &Costs,
    total: Option<f64>,
    by: ShareOf,
    max_change: f64,
    new_spend: &NewSpend,
    shown: &[crate::model::ModelKind],
    resampled: Option<Resampled<'_>>,
) -> Result<(Vec<BudgetRow>, usize), (crate::model::ModelKind, Unreachable)> {
    let Some(first) = report.models.first() else {
        return Ok((Vec::new(), 0));
    };
    let b = Budget::new(first, costs, total, max_change, new_spend);
    // The models shown first, so that an unreachable total names one of them.
    let mut order: Vec<&super::ModelReport> = report.models.iter().filter(|m| shown.contains(&m.model)).collect();
    order.extend(report.models.iter().filter(|m| !shown.contains(&m.model)));
    let mut all = Vec::new();
    for m in order {
        let conversions: Vec<f64> = m.credits.iter().map(|c| c.conversions).collect();
        let value: Vec<f64> = m.credits.iter().map(|c| c.value).collect();
        let share = shares(&conversions, &value, by);
        let proposed = b.propose(&share).map_err(|u| (m.model, u))?;
        all.push((m, share, proposed));
    }
    let mut rows = Vec::new();
    let mut unreachable = 0;
    for &kind in shown {
        let Some((m, share, proposed)) = all.iter().find(|(m, ..)| m.model == kind) else {
            continue;
        };
        // Per channel, the change on every replicate that reaches the total.
        let mut replicated: Vec<Vec<f64>> = vec![Vec::new(); b.spend.len()];
        if let Some(r) = &resampled {
            let index = report.models.iter().position(|x| x.model == kind).expect("shown models ran");
            for (conversions, value) in r.runs.iter().map(|run| &run[index]) {
                match b.propose(&shares(conversions, value, by)) {
                    Ok(p) => p.iter().zip(&b.spend).zip(&mut replicated).for_each(|((x, s), r)| r.push(x - s)),
                    Err(_) => unreachable += 1,
                }
            }
        }
        // The range over models leaves out participation (its credits
        // sum past the conversions), unless it is all that ran.
        let compared = all.iter().filter(|(m, ..)| m.model != crate::model::ModelKind::Participation);
        let compared: Vec<&Vec<f64>> = match compared.clone().next() {
            Some(_) => compared.map(|(.., p)| p).collect(),
            None => all.iter().map(|(.., p)| p).collect(),
        };
        for (i, c) in m.credits.iter().enumerate() {
            rows.push(b.row(m.model, c, i, share[i], proposed[i], &mut replicated[i], &compared));
        }
        rows.extend(b.held_rows(m.model));
    }
    Ok((rows, unreachable))
}

/// What every model's proposal shares: today's spend per channel with
/// journeys, the spend held on channels without any, and the limits.
struct Budget<'a> {
    /// Spend today per channel with journeys (0 without a spend row).
    spend: Vec<f64>,
    /// Spend on channels that no journey has: held as it is.
    held: Vec<&'a (String, f64)>,
    /// Their spend.
    held_total: f64,
    /// All spend, held included.
    spend_total: f64,
    /// The total to reallocate over the channels with journeys.
    target: f64,
    limits: Limits,
    /// Whether a channel may have spend: it has some today, or may get new.
    growable: Vec<bool>,
}

impl<'a> Budget<'a> {
    fn new(first: &super::ModelReport, costs: &'a Costs, total: Option<f64>, max_change: f64, new_spend: &NewSpend) -> Self {
        let channels: Vec<&str> = first.credits.iter().map(|c| &*c.channel).collect();
        let spend: Vec<f64> = channels.iter().map(|c| costs.of(c).unwrap_or(0.0)).collect();
        let held: Vec<&(String, f64)> = costs
            .spend
            .iter()
            .filter(|(name, s)| *s > 0.0 && !channels.iter().any(|c| c.eq_ignore_ascii_case(name)))
            .collect();
        let held_total: f64 = held.iter().map(|(_, s)| s).sum();
        let spend_total = spend.iter().sum::<f64>() + held_total;
        Budget {
            growable: channels.iter().zip(&spend).map(|(c, &s)| s > 0.0 || new_spend.allows(c)).collect(),
            target: total.unwrap_or(spend_total) - held_total,
            spend,
            held,
            held_total,
            spend_total,
            limits: Limits {
                max_change,
                allow_new: *new_spend != NewSpend::Nowhere,
            },
        }
    }

    /// [`propose`] over the channels with journeys: a channel without
    /// spend that may not get any takes no share; an unreachable total is
    /// given with the held spend added back.
    fn propose(&self, share: &[f64]) -> Result<Vec<f64>, Unreachable> {
        let masked: Vec<f64> = share.iter().zip(&self.growable).map(|(&w, &g)| if g { w } else { 0.0 }).collect();
        propose(&self.spend, &masked, self.target, self.limits).map_err(|u| Unreachable {
            min: u.min + self.held_total,
            max: u.max + self.held_total,
        })
    }

    /// The row of channel `i` (credit `c`) under `model`: its proposal,
    /// direction (from the bootstrap's `replicated` changes when there are
    /// any) and range over the `compared` models' proposals.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        model: crate::model::ModelKind,
        c: &super::ChannelCredit,
        i: usize,
        share: f64,
        proposed: f64,
        replicated: &mut [f64],
        compared: &[&Vec<f64>],
    ) -> BudgetRow {
        let spend = self.spend[i];
        let scale = self.target + self.held_total;
        let change = proposed - spend;
        let interval = (!replicated.is_empty()).then(|| {
            replicated.sort_by(f64::total_cmp);
            (
                super::bootstrap::percentile(replicated, 0.025),
                super::bootstrap::percentile(replicated, 0.975),
            )
        });
        let eps = 1e-9 * scale.max(1.0);
        let direction = match interval {
            Some((lo, _)) if lo > eps => "increase",
            Some((_, hi)) if hi < -eps => "decrease",
            Some(_) => "unclear",
            None => sign(change, scale),
        };
        let changes: Vec<f64> = compared.iter().map(|p| p[i] - spend).collect();
        let dirs: Vec<&str> = changes.iter().map(|&d| sign(d, scale)).collect();
        BudgetRow {
            model,
            channel: c.channel.to_string(),
            spend,
            proposed_spend: proposed,
            change,
            change_pct: (spend > 0.0).then(|| change / spend),
            credited_share: share,
            spend_share: if self.spend_total > 0.0 { spend / self.spend_total } else { 0.0 },
            roas: (spend > 0.0).then(|| c.value / spend),
            direction,
            change_lo: interval.map(|i| i.0),
            change_hi: interval.map(|i| i.1),
            models_change_min: changes.iter().copied().fold(f64::INFINITY, f64::min),
            models_change_max: changes.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            models_agree: dirs.iter().all(|d| *d == dirs[0]),
            robust: None,
        }
    }

    /// Spend without journeys: a row each, kept as it is.
    fn held_rows(&self, model: crate::model::ModelKind) -> impl Iterator<Item = BudgetRow> + '_ {
        self.held.iter().map(move |(name, s)| BudgetRow {
            model,
            channel: name.clone(),
            spend: *s,
            proposed_spend: *s,
            change: 0.0,
            change_pct: Some(0.0),
            credited_share: 0.0,
            spend_share: s / self.spend_total,
            roas: None,
            direction: "held",
            change_lo: None,
            change_hi: None,
            models_change_min: 0.0,
            models_change_max: 0.0,
            models_agree: true,
            robust: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NO_NEW: Limits = Limits {
        max_change: 0.2,
        allow_new: false,
    };

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-9, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn without_binding_limits_spend_follows_the_shares() {
        // Spend 100 / 100; shares 0.55 / 0.45: 110 / 90, inside +-20%.
        close(&propose(&[100.0, 100.0], &[0.55, 0.45], 200.0, NO_NEW).unwrap(), &[110.0, 90.0]);
        // The Databricks / ROAS-index identity: with no limit, share x T.
        let loose = Limits {
            max_change: 1e9,
            allow_new: false,
        };
        close(
            &propose(&[50.0, 30.0, 20.0], &[0.2, 0.3, 0.5], 100.0, loose).unwrap(),
            &[20.0, 30.0, 50.0],
        );
    }

    #[test]
    fn limits_bind_over_several_rounds() {
        // Spend 100 each, T = 400, shares 0.7, 0.1, 0.1, 0.1; m = 0.2.
        // Round 1: A wants 280, capped at 120; B, C, D want 40, floored at
        // 80: 360 < 400. Round 2: the 40 left goes to the channels inside
        // their limits; B, C, D leave their floor together, each
        // (400 - 120) / 3 = 93.33 (lambda = 2.33, 40 x 2.33).
        let got = propose(&[100.0; 4], &[0.7, 0.1, 0.1, 0.1], 400.0, NO_NEW).unwrap();
        let b = 280.0 / 3.0;
        close(&got, &[120.0, b, b, b]);
        // Shares 0.4, 0.4, 0.05, 0.15, T = 400: A and B capped at 120, C
        // floored at 80, which leaves D exactly its floor, 80: every channel
        // at a limit (lambda anywhere in [0.75, 1.33] gives these).
        let got = propose(&[100.0; 4], &[0.4, 0.4, 0.05, 0.15], 400.0, NO_NEW).unwrap();
        close(&got, &[120.0, 120.0, 80.0, 80.0]);
    }

    #[test]
    fn a_channel_that_hits_a_limit_early_may_leave_it_later() {
        // T grows from today's 300 to 330: A (share 0.2, spend 100) sits on
        // its floor while lambda is small and leaves it as lambda grows.
        // Solve: B and C capped at 120 (their shares 0.4 each want 132);
        // A = 330 - 240 = 90, inside [80, 120], = lambda x 330 x 0.2.
        let got = propose(&[100.0; 3], &[0.2, 0.4, 0.4], 330.0, NO_NEW).unwrap();
        close(&got, &[90.0, 120.0, 120.0]);
    }

    #[test]
    fn new_channels_keep_zero_unless_allowed() {
        // B has no spend: it keeps 0, so A takes all of T (within its limits).
        close(&propose(&[100.0, 0.0], &[0.5, 0.5], 110.0, NO_NEW).unwrap(), &[110.0, 0.0]);
        let err = propose(&[100.0, 0.0], &[0.5, 0.5], 130.0, NO_NEW).unwrap_err();
        assert_eq!(err, Unreachable { min: 80.0, max: 120.0 });
        // Allowed, B has no limit: lambda x 200 x 0.5 for both.
        let allowed = Limits {
            max_change: 0.2,
            allow_new: true,
        };
        close(&propose(&[100.0, 0.0], &[0.5, 0.5], 200.0, allowed).unwrap(), &[100.0, 100.0]);
    }

    #[test]
    fn unreachable_totals_name_the_range() {
        let err = propose(&[100.0, 100.0], &[0.5, 0.5], 300.0, NO_NEW).unwrap_err();
        assert_eq!(err, Unreachable { min: 160.0, max: 240.0 });
    }

    proptest! {
        #[test]
        fn proposals_sum_to_the_total_within_the_limits(
            spend in prop::collection::vec(1.0f64..1000.0, 1..12),
            weights in prop::collection::vec(0.0f64..1.0, 12),
            m in 0.0f64..1.5,
            t in 0.0f64..1.0,
        ) {
            let n = spend.len();
            let w: f64 = weights[..n].iter().sum();
            prop_assume!(w > 0.0);
            let share: Vec<f64> = weights[..n].iter().map(|x| x / w).collect();
            let limits = Limits { max_change: m, allow_new: false };
            let lo: f64 = spend.iter().map(|s| (1.0 - m).max(0.0) * s).sum();
            let hi: f64 = spend.iter().zip(&share).map(|(s, &x)| if x > 0.0 { (1.0 + m) * s } else { (1.0 - m).max(0.0) * s }).sum();
            let total = lo + t * (hi - lo);
            let got = propose(&spend, &share, total, limits).unwrap();
            let sum: f64 = got.iter().sum();
            prop_assert!((sum - total).abs() <= 1e-9 * total.max(1.0), "sum {} vs {}", sum, total);
            for (p, s) in got.iter().zip(&spend) {
                prop_assert!(*p >= (1.0 - m).max(0.0) * s - 1e-9 && *p <= (1.0 + m) * s + 1e-9);
            }
            // The definition: one lambda; every channel strictly inside its
            // limits gets lambda x T x share.
            let inside: Vec<f64> = (0..n)
                .filter(|&i| share[i] > 0.0 && got[i] > (1.0 - m).max(0.0) * spend[i] + 1e-7 && got[i] < (1.0 + m) * spend[i] - 1e-7)
                .map(|i| got[i] / (share[i] * total))
                .collect();
            for l in &inside {
                prop_assert!((l - inside[0]).abs() <= 1e-6 * inside[0].abs().max(1.0));
            }
        }
    }
}

/// `mta budget --robust`: how one channel moves over the scenarios (every
/// model that ran, participation aside, at each lookback).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Robust {
    /// Scenarios counted.
    pub scenarios: u32,
    /// Share of them that raise the channel's spend.
    pub increase_share: f64,
    /// Share of them that lower it.
    pub decrease_share: f64,
    /// `increase` or `decrease` when at least the agreement share of the
    /// scenarios moves it that way, else `unclear`.
    pub robust_direction: &'static str,
}

/// Each channel's [`Robust`] figures (by lower-case name) from the
/// scenarios' changes (`changes[s]`: channel name and change of spend, a
/// change of 0 moving it neither way).
pub fn robust(changes: &[Vec<(String, f64)>], agreement: f64) -> std::collections::BTreeMap<String, Robust> {
    let n = changes.len() as u32;
    let mut moves: std::collections::BTreeMap<String, (u32, u32)> = std::collections::BTreeMap::new();
    for scenario in changes {
        for (channel, change) in scenario {
            let e = moves.entry(channel.trim().to_lowercase()).or_default();
            // Cents: a change rounding to nothing is no move.
            if *change > 0.005 {
                e.0 += 1;
            } else if *change < -0.005 {
                e.1 += 1;
            }
        }
    }
    moves
        .into_iter()
        .map(|(channel, (up, down))| {
            let share = |k: u32| if n > 0 { f64::from(k) / f64::from(n) } else { 0.0 };
            let (increase_share, decrease_share) = (share(up), share(down));
            let robust_direction = if n > 0 && increase_share >= agreement {
                "increase"
            } else if n > 0 && decrease_share >= agreement {
                "decrease"
            } else {
                "unclear"
            };
            (
                channel,
                Robust {
                    scenarios: n,
                    increase_share,
                    decrease_share,
                    robust_direction,
                },
            )
        })
        .collect()
}
