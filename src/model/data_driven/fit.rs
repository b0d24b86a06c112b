//! Penalised logistic regression over weighted rows, with the penalty
//! chosen by K-fold cross-validation.
//!
//! A row is one journey pattern: sparse features and the weight of its
//! converting (`pos`) and non-converting (`neg`) journeys. The objective is
//!
//! ```text
//! sum_r pos_r log(1 + e^-z_r) + neg_r log(1 + e^z_r) + lambda/2 sum_{k>0} w_k^2,   z_r = w . x_r
//! ```
//!
//! (column 0 is the unpenalised intercept), minimised by Newton's method
//! with step halving. Sums run over fixed chunks of rows, added in chunk
//! order, so the result is the same bit for bit on any number of threads.
//!
//! Folds split each row's journeys, not its patterns: the journeys are
//! dealt over the folds like cards (see [`Folds::new`]), so a pattern seen
//! in many journeys sits in every fold, and the split depends on nothing
//! but the rows: not on threads or a random restart.

use rayon::prelude::*;

/// Folds of the cross-validation.
pub const FOLDS: usize = 5;

/// One pattern: its features and its journeys.
#[derive(Debug, Clone)]
pub struct Row {
    /// `(column, value)`, columns ascending, without the intercept.
    pub x: Vec<(u32, f64)>,
    /// Weight of its converting journeys.
    pub pos: f64,
    /// Weight of its non-converting journeys.
    pub neg: f64,
}

/// Each row's journeys per fold: `(pos, neg)` held out in fold `f`.
pub struct Folds {
    held: Vec<[(f64, f64); FOLDS]>,
}

impl Folds {
    /// Deals the journeys of the rows, in row order, over the folds like
    /// cards: converting journeys then non-converting ones, each row
    /// continuing where the previous one stopped, a fractional journey
    /// counting as its fraction. Every fold gets a fifth of every kind of
    /// row that has five journeys or more, and the deal depends only on
    /// the rows (not on threads or a random draw).
    pub fn new(rows: &[Row]) -> Folds {
        let mut next = 0usize;
        let mut deal = |w: f64| -> [f64; FOLDS] {
            let mut out = [0.0; FOLDS];
            let mut rest = w;
            while rest > 0.0 {
                let whole = (rest / FOLDS as f64).floor();
                if whole >= 1.0 {
                    out.iter_mut().for_each(|o| *o += whole);
                    rest -= whole * FOLDS as f64;
                    continue;
                }
                let one = rest.min(1.0);
                out[next % FOLDS] += one;
                rest -= one;
                next += 1;
            }
            out
        };
        let held = rows
            .iter()
            .map(|r| {
                let pos = deal(r.pos);
                let neg = deal(r.neg);
                std::array::from_fn(|k| (pos[k], neg[k]))
            })
            .collect();
        Folds { held }
    }
}

/// What a penalty scored in cross-validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The penalty.
    pub lambda: f64,
    /// Held-out log loss per journey, over all folds.
    pub log_loss: f64,
    /// Held-out area under the ROC curve (ties count half).
    pub auc: f64,
}

impl Score {
    /// A penalty that was given, not cross-validated: no held-out figures.
    pub fn unscored(lambda: f64) -> Score {
        Score {
            lambda,
            log_loss: f64::NAN,
            auc: f64::NAN,
        }
    }
}

/// Rows per chunk of a parallel sum; fixed so that sums do not depend on threads.
const CHUNK_ROWS: usize = 2048;
/// Chunks summed at once: bounds the partial Hessians held together.
const BATCH_CHUNKS: usize = 8;

fn softplus(z: f64) -> f64 {
    if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `w . x` for a row (intercept included).
pub fn linear(w: &[f64], x: &[(u32, f64)]) -> f64 {
    x.iter().fold(w[0], |z, &(c, v)| z + w[c as usize] * v)
}

/// The penalised objective, its gradient and, when `hessian`, its Hessian
/// (upper triangle, row-major p x p; empty otherwise) at `w`, in one pass
/// over the rows.
fn derivatives(
    rows: &[Row],
    weights: &(dyn Fn(usize) -> (f64, f64) + Sync),
    w: &[f64],
    lambda: f64,
    hessian: bool,
) -> (f64, Vec<f64>, Vec<f64>) {
    let p = w.len();
    let idx: Vec<usize> = (0..rows.len()).collect();
    let mut value = 0.5 * lambda * w[1..].iter().map(|v| v * v).sum::<f64>();
    let mut g = vec![0.0; p];
    let mut h = vec![0.0; if hessian { p * p } else { 0 }];
    // A few chunks at a time: each holds a p x p Hessian of its own.
    for batch in idx.chunks(CHUNK_ROWS * BATCH_CHUNKS) {
        let parts: Vec<(f64, Vec<f64>, Vec<f64>)> = batch
            .par_chunks(CHUNK_ROWS)
            .map(|chunk| {
                let mut value = 0.0;
                let mut g = vec![0.0; p];
                let mut h = vec![0.0; if hessian { p * p } else { 0 }];
                for &r in chunk {
                    let (pos, neg) = weights(r);
                    let tot = pos + neg;
                    if tot == 0.0 {
                        continue;
                    }
                    let x = &rows[r].x;
                    let z = linear(w, x);
                    // softplus(-z) = softplus(z) - z, one logarithm for both.
                    let sp = softplus(z);
                    value += pos * (sp - z) + neg * sp;
                    let mu = sigmoid(z);
                    let resid = tot * mu - pos;
                    g[0] += resid;
                    if !hessian {
                        for &(c, v) in x {
                            g[c as usize] += resid * v;
                        }
                        continue;
                    }
                    let curv = tot * mu * (1.0 - mu);
                    h[0] += curv;
                    for (a, &(ca, va)) in x.iter().enumerate() {
                        let ca = ca as usize;
                        g[ca] += resid * va;
                        h[ca] += curv * va; // row 0 (intercept), column ca
                        let row = ca * p;
                        for &(cb, vb) in &x[a..] {
                            h[row + cb as usize] += curv * va * vb;
                        }
                    }
                }
                (value, g, h)
            })
            .collect();
        for (pv, pg, ph) in parts {
            value += pv;
            for (a, b) in g.iter_mut().zip(&pg) {
                *a += b;
            }
            for (a, b) in h.iter_mut().zip(&ph) {
                *a += b;
            }
        }
    }
    for k in 1..p {
        g[k] += lambda * w[k];
    }
    if hessian {
        for k in 1..p {
            h[k * p + k] += lambda;
        }
        // A whisker on the intercept keeps H definite when every journey converts (or none does).
        h[0] += 1e-9;
    }
    (value, g, h)
}

/// Solves `H s = g` for symmetric positive definite `H` given by its upper
/// triangle (row-major), by Cholesky; `None` when it is not positive definite.
fn solve(h: &[f64], g: &[f64]) -> Option<Vec<f64>> {
    let p = g.len();
    // L lower-triangular, row-major, from the upper triangle of H.
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = h[j * p + i];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    let mut y = vec![0.0; p];
    for i in 0..p {
        let s = (0..i).fold(g[i], |s, k| s - l[i * p + k] * y[k]);
        y[i] = s / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let s = (i + 1..p).fold(y[i], |s, k| s - l[k * p + i] * x[k]);
        x[i] = s / l[i * p + i];
    }
    Some(x)
}

/// Minimises the penalised objective from `start` (warm start); `weights(r)`
/// gives row r's `(pos, neg)` for this fit. Newton steps, halved while
/// they raise the objective, until the Newton decrement says the objective
/// is within 1e-13 of its minimum, relatively. The Hessian is the costly
/// part of a pass, so a step reuses the last one computed and a pass
/// computes it again only when the decrement stops shrinking tenfold a
/// step (from a warm start, most fits need one Hessian).
pub fn fit(rows: &[Row], weights: &(dyn Fn(usize) -> (f64, f64) + Sync), p: usize, lambda: f64, start: &[f64]) -> Vec<f64> {
    let mut w = start.to_vec();
    w.resize(p, 0.0);
    let (mut value, mut g, mut h) = derivatives(rows, weights, &w, lambda, true);
    let mut last = f64::INFINITY;
    for _ in 0..200 {
        let Some(step) = solve(&h, &g) else { break };
        let decrement: f64 = g.iter().zip(&step).map(|(a, b)| a * b).sum();
        if decrement.is_nan() || decrement <= 2e-13 * value.max(1.0) {
            break;
        }
        let refresh = decrement > 0.1 * last;
        last = decrement;
        let mut t = 1.0;
        let mut next = None;
        for _ in 0..30 {
            let trial: Vec<f64> = w.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            let d = derivatives(rows, weights, &trial, lambda, refresh);
            if d.0 <= value {
                next = Some((trial, d));
                break;
            }
            t *= 0.5;
        }
        let Some((trial, (v, grad, hess))) = next else { break };
        w = trial;
        (value, g) = (v, grad);
        if refresh {
            h = hess;
        }
    }
    w
}

/// Cross-validates the penalties of `lambdas` (smallest first: on large
/// data the best is small and the walk stops early; each fit warm-started
/// from the previous penalty's), stopping two penalties after the held-out
/// loss last improved; then the penalties halfway (on a log scale) to the
/// best one's neighbours, warm-started from the best one's fits. Returns
/// every score, in the order tried.
pub fn cross_validate(rows: &[Row], folds: &Folds, p: usize, lambdas: &[f64]) -> Vec<Score> {
    let mut starts: Vec<Vec<f64>> = vec![vec![0.0; p]; FOLDS];
    let mut best_fits = starts.clone();
    let mut scores: Vec<Score> = Vec::new();
    let mut since_best = 0;
    for &lambda in lambdas {
        let score = score_penalty(rows, folds, p, lambda, &mut starts);
        let improved = scores.iter().all(|s| score.log_loss < s.log_loss - 1e-12);
        scores.push(score);
        if improved {
            since_best = 0;
            best_fits.clone_from(&starts);
        } else {
            since_best += 1;
            if since_best >= 2 {
                break;
            }
        }
    }
    let top = best(&scores).lambda;
    let k = lambdas.iter().position(|&l| l == top).unwrap_or(0);
    let neighbours = [k.checked_sub(1), (k + 1 < lambdas.len()).then_some(k + 1)];
    for n in neighbours.into_iter().flatten() {
        let mut from_best = best_fits.clone();
        scores.push(score_penalty(rows, folds, p, (lambdas[n] * top).sqrt(), &mut from_best));
    }
    scores
}

/// The held-out loss and AUC of one penalty over the folds; `starts` (one
/// per fold) are the warm starts, replaced by this penalty's fits.
fn score_penalty(rows: &[Row], folds: &Folds, p: usize, lambda: f64, starts: &mut [Vec<f64>]) -> Score {
    let mut loss = 0.0;
    let mut total = 0.0;
    let mut held: Vec<(f64, f64, f64)> = Vec::new();
    for (f, start) in starts.iter_mut().enumerate() {
        let train = |r: usize| {
            let (hp, hn) = folds.held[r][f];
            (rows[r].pos - hp, rows[r].neg - hn)
        };
        let w = fit(rows, &train, p, lambda, start);
        for (r, row) in rows.iter().enumerate() {
            let (hp, hn) = folds.held[r][f];
            if hp + hn == 0.0 {
                continue;
            }
            let z = linear(&w, &row.x);
            let sp = softplus(z);
            loss += hp * (sp - z) + hn * sp;
            total += hp + hn;
            held.push((z, hp, hn));
        }
        *start = w;
    }
    Score {
        lambda,
        log_loss: if total > 0.0 { loss / total } else { 0.0 },
        auc: auc(&mut held),
    }
}

/// The lowest held-out loss of `scores` (the first of equals).
pub fn best(scores: &[Score]) -> Score {
    scores
        .iter()
        .copied()
        .fold(scores[0], |b, s| if s.log_loss < b.log_loss { s } else { b })
}

/// Weighted ROC AUC of `(score, pos, neg)`; 0.5 without both classes.
pub fn auc(points: &mut [(f64, f64, f64)]) -> f64 {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut neg_below, mut area, mut pos_total) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < points.len() {
        let mut j = i;
        let (mut tp, mut tn) = (0.0, 0.0);
        while j < points.len() && points[j].0 == points[i].0 {
            tp += points[j].1;
            tn += points[j].2;
            j += 1;
        }
        area += tp * (neg_below + 0.5 * tn);
        neg_below += tn;
        pos_total += tp;
        i = j;
    }
    if pos_total == 0.0 || neg_below == 0.0 {
        0.5
    } else {
        area / (pos_total * neg_below)
    }
}

/// The penalties tried: `total` journeys times 10^-6 up to 10^-1, a decade apart.
pub fn lambda_grid(total: f64) -> Vec<f64> {
    (0..6).map(|k| total.max(1.0) * 10f64.powi(k - 6)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the feature: 10 of 40 convert; with it: 30 of 40.
    fn one_feature() -> Vec<Row> {
        let row = |x: Vec<(u32, f64)>, pos, neg| Row { x, pos, neg };
        vec![row(vec![], 10.0, 30.0), row(vec![(1, 1.0)], 30.0, 10.0)]
    }

    #[test]
    fn an_unpenalised_fit_of_one_binary_feature_gives_the_observed_log_odds() {
        // The maximum-likelihood fit is intercept ln(10/30), slope ln(30/10) - ln(10/30).
        let rows = one_feature();
        let w = fit(&rows, &|r| (rows[r].pos, rows[r].neg), 2, 0.0, &[0.0, 0.0]);
        // To the precision the stopping rule asks for (objective within 1e-13).
        assert!((w[0] - (1.0f64 / 3.0).ln()).abs() < 1e-5, "{w:?}");
        assert!((w[1] - 2.0 * 3.0f64.ln()).abs() < 1e-5, "{w:?}");
    }

    #[test]
    fn the_penalty_shrinks_the_slope_towards_zero() {
        let rows = one_feature();
        let loose = fit(&rows, &|r| (rows[r].pos, rows[r].neg), 2, 0.0, &[0.0, 0.0]);
        let tight = fit(&rows, &|r| (rows[r].pos, rows[r].neg), 2, 10.0, &[0.0, 0.0]);
        assert!(tight[1] > 0.0 && tight[1] < loose[1]);
        // The gradient vanishes at the penalised optimum (to what the stopping
        // rule leaves): sum of residuals times x = -lambda w.
        let mu = sigmoid(tight[0] + tight[1]);
        assert!((40.0 * mu - 30.0 + 10.0 * tight[1]).abs() < 1e-5);
    }

    #[test]
    fn auc_counts_pairs_ordered_right_and_ties_half() {
        // Scores: neg 0.1, pos 0.2, tied pos/neg at 0.3: pairs (pos>neg) = 2 of 2x2=4,
        // plus the tie (0.3 pos vs 0.3 neg) half, plus 0.3 pos > 0.1 neg.
        let mut pts = vec![(0.1, 0.0, 1.0), (0.2, 1.0, 0.0), (0.3, 1.0, 1.0)];
        // pos@0.2 beats neg@0.1 (1); pos@0.3 beats neg@0.1 (1), ties neg@0.3 (0.5): 2.5 / 4.
        assert!((auc(&mut pts) - 2.5 / 4.0).abs() < 1e-12);
        assert_eq!(auc(&mut [(0.5, 1.0, 0.0)]), 0.5);
    }

    #[test]
    fn folds_deal_journeys_like_cards() {
        let rows = vec![
            Row {
                x: vec![],
                pos: 7.0,
                neg: 2.5,
            },
            Row {
                x: vec![],
                pos: 1.0,
                neg: 0.0,
            },
        ];
        let folds = Folds::new(&rows);
        let fold = |r: usize, k: usize| -> Vec<f64> { folds.held[r].iter().map(|h| if k == 0 { h.0 } else { h.1 }).collect() };
        // 7 = one each, then 2 to folds 0 and 1; the 2.5 nulls go on: folds 2, 3, half to 4.
        assert_eq!(fold(0, 0), [2.0, 2.0, 1.0, 1.0, 1.0]);
        assert_eq!(fold(0, 1), [0.0, 0.0, 1.0, 1.0, 0.5]);
        // The next row continues after the half journey's place.
        assert_eq!(fold(1, 0), [1.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
