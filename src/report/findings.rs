//! The few findings that lead the HTML report: derived from the run (the
//! models' agreement on the reallocation, their disagreement, the AI
//! assistants' share, spend without journeys), never written by hand.

use super::Report;
use super::budget::BudgetRow;
use crate::model::ModelKind;

/// Disagreements smaller than this (in share points) are not findings.
const SPREAD: f64 = 0.10;

/// One finding, with the section that backs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Every model moves the channel's spend the same way.
    Funding {
        /// The channel.
        channel: String,
        /// The proposed change of spend (the shown model's).
        change: f64,
        /// Its bootstrap interval, when there is one.
        interval: Option<(f64, f64)>,
        /// `--robust`'s direction, when asked.
        robust: Option<&'static str>,
    },
    /// The models give the channel very different shares.
    Disagreement {
        /// The channel.
        channel: String,
        /// The model giving the smallest share, and it.
        low: (ModelKind, f64),
        /// The model giving the largest share, and it.
        high: (ModelKind, f64),
    },
    /// The AI assistants' channel and its share under a model.
    AiAssistants {
        /// The channel.
        channel: String,
        /// The model.
        model: ModelKind,
        /// Its share of the model's conversions.
        share: f64,
    },
    /// Spend on channels no journey has (TV, print): held, not weighed.
    Held {
        /// The channels.
        channels: Vec<String>,
    },
}

/// The findings of a run: funding directions every model agrees on (most
/// spend moved first, at most four), the two largest disagreements over
/// 10 points, the AI assistants' share, spend without journeys.
pub fn findings(report: &Report, budget: Option<&[BudgetRow]>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(rows) = budget {
        let mut agreed: Vec<&BudgetRow> = rows
            .iter()
            .filter(|r| r.models_agree && r.change.abs() > 0.005 && r.direction != "unclear")
            .collect();
        agreed.sort_by(|a, b| b.change.abs().total_cmp(&a.change.abs()).then_with(|| a.channel.cmp(&b.channel)));
        out.extend(agreed.into_iter().take(4).map(|r| Finding::Funding {
            channel: r.channel.clone(),
            change: r.change,
            interval: r.change_lo.zip(r.change_hi),
            robust: r.robust.map(|k| k.robust_direction),
        }));
    }
    if let Some(comparison) = report.comparison.as_deref() {
        out.extend(
            super::cross_model::by_disagreement(comparison)
                .into_iter()
                .filter(|c| c.disagreement >= SPREAD)
                .take(2)
                .filter_map(|c| {
                    let share = |k: ModelKind| c.models.iter().find(|m| m.model == k).map(|m| (k, m.share));
                    Some(Finding::Disagreement {
                        channel: c.channel.clone(),
                        low: share(c.extremes.1)?,
                        high: share(c.extremes.0)?,
                    })
                }),
        );
    }
    let shown = report
        .models
        .iter()
        .find(|m| matches!(m.model, ModelKind::DataDriven | ModelKind::Markov))
        .or_else(|| report.models.first());
    if let Some(m) = shown {
        out.extend(
            m.credits
                .iter()
                .filter(|c| c.channel.to_lowercase().contains("ai assistant") && c.conversions > 0.0)
                .map(|c| Finding::AiAssistants {
                    channel: c.channel.to_string(),
                    model: m.model,
                    share: c.share,
                }),
        );
    }
    if let Some(costs) = &report.input.costs
        && !costs.spend_without_credit.is_empty()
    {
        out.push(Finding::Held {
            channels: costs.spend_without_credit.clone(),
        });
    }
    out
}
