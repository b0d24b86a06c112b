//! Models scored against a known truth (`mta evaluate`, `mta report
//! --truth`): how far each model's channel shares are from the true ones.
//!
//! A model's share of a channel is its credited conversions for the
//! channel over its total; the truth's shares are normalised to sum 1.
//! Figures are over the truth's channels (a channel the model never
//! credits has share 0); a credited channel the truth does not list is a
//! warning.

use serde::Serialize;

use super::Report;
use crate::input::truth::Truth;
use crate::model::ModelKind;

/// One model's distance from the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The model.
    pub model: ModelKind,
    /// Mean over the truth's channels of |truth share - model share|.
    pub nmae: f64,
    /// Spearman's rank correlation of the two shares over the truth's
    /// channels, average ranks for ties; `None` when either side has all
    /// channels tied.
    pub rank_correlation: Option<f64>,
    /// |top 3 by truth ∩ top 3 by model| / 3 (ties by channel name).
    pub top3_overlap: f64,
    /// The largest |truth share - model share| over the truth's channels.
    pub max_abs_error: f64,
}

/// Every model of `report` scored against `truth`, best (lowest nmae)
/// first (ties in model order), and the warnings about channels.
pub fn score(report: &Report, truth: &Truth) -> (Vec<Score>, Vec<String>) {
    let key = |s: &str| s.trim().to_lowercase();
    let truth_keys: Vec<String> = truth.shares.iter().map(|(c, _)| key(c)).collect();
    let mut warnings = Vec::new();
    let mut scores: Vec<Score> = report
        .models
        .iter()
        .map(|m| {
            let total: f64 = m.credits.iter().map(|c| c.conversions).sum();
            let share_of = |c: &super::ChannelCredit| if total > 0.0 { c.conversions / total } else { 0.0 };
            let model: std::collections::HashMap<String, f64> = m.credits.iter().map(|c| (key(&c.channel), share_of(c))).collect();
            let t: Vec<f64> = truth.shares.iter().map(|(_, s)| *s).collect();
            let ms: Vec<f64> = truth_keys.iter().map(|k| model.get(k).copied().unwrap_or(0.0)).collect();
            let errors: Vec<f64> = t.iter().zip(&ms).map(|(a, b)| (a - b).abs()).collect();
            // The model's top 3 among every channel it or the truth has.
            let mut all: Vec<(String, f64)> = m.credits.iter().map(|c| (c.channel.to_string(), share_of(c))).collect();
            for (c, k) in truth.shares.iter().map(|(c, _)| c).zip(&truth_keys) {
                if !model.contains_key(k) {
                    all.push((c.clone(), 0.0));
                }
            }
            Score {
                model: m.model,
                nmae: errors.iter().sum::<f64>() / errors.len().max(1) as f64,
                rank_correlation: spearman(&t, &ms),
                top3_overlap: overlap(&top3(&truth.shares), &top3(&all)),
                max_abs_error: errors.iter().copied().fold(0.0, f64::max),
            }
        })
        .collect();
    scores.sort_by(|a, b| a.nmae.total_cmp(&b.nmae));
    // Credited channels the truth does not list, with the largest share any model gives them.
    let mut missing: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for m in &report.models {
        let total: f64 = m.credits.iter().map(|c| c.conversions).sum();
        for c in m
            .credits
            .iter()
            .filter(|c| c.conversions > 0.0 && !truth_keys.contains(&key(&c.channel)))
        {
            let share = c.conversions / total;
            let e = missing.entry(c.channel.to_string()).or_insert(0.0);
            *e = e.max(share);
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(c, s)| format!("{c} (up to {})", crate::format::fixed(*s, 4)))
            .collect();
        warnings.push(format!(
            "channels credited but not in the truth file `{}`: {}; their credit counts in each model's total, so the truth's channels' shares are smaller",
            truth.file,
            list.join(", ")
        ));
    }
    (scores, warnings)
}

/// The (at most) 3 channels with the largest shares, ties by name, as lower-case keys.
fn top3(shares: &[(String, f64)]) -> Vec<String> {
    let mut v: Vec<(&String, f64)> = shares.iter().map(|(c, s)| (c, *s)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().take(3).map(|(c, _)| c.trim().to_lowercase()).collect()
}

fn overlap(a: &[String], b: &[String]) -> f64 {
    a.iter().filter(|x| b.contains(x)).count() as f64 / 3.0
}

/// Ranks from 1, ties given the average of the ranks they span.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut out = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rho: Pearson's correlation of the average ranks; `None`
/// when either side is constant (or there are fewer than 2 channels).
fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    if ra.len() < 2 {
        return None;
    }
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let (va, vb): (f64, f64) = (ra.iter().map(|x| (x - ma).powi(2)).sum(), rb.iter().map(|y| (y - mb).powi(2)).sum());
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_and_spearman_by_hand() {
        assert_eq!(ranks(&[0.5, 0.2, 0.2, 0.1]), [4.0, 2.5, 2.5, 1.0]);
        // Same order: 1; reversed: -1; a constant side: undefined.
        assert!((spearman(&[0.1, 0.2, 0.7], &[0.0, 0.3, 0.9]).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&[0.1, 0.2, 0.7], &[0.9, 0.3, 0.0]).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&[0.1, 0.2, 0.7], &[0.5, 0.5, 0.5]), None);
        // With a tie: ranks (1, 2, 3) against (1.5, 1.5, 3): rho = 1.5 / sqrt(2 * 1.5) = 0.866...
        let rho = spearman(&[0.1, 0.2, 0.7], &[0.2, 0.2, 0.6]).unwrap();
        assert!((rho - 1.5 / 3.0f64.sqrt()).abs() < 1e-12, "{rho}");
    }
}
