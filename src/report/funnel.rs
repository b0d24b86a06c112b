//! The funnel (`mta report --by conversion-type`): each conversion type's
//! credits under one model side by side, stages in funnel order, and what
//! each stage cost (the whole spend against its conversions).

use crate::journey::Dimension;
use crate::model::ModelKind;

use super::Report;

/// One stage of the funnel: a conversion type.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The type.
    pub name: String,
    /// Its conversions credited by the model (every model credits them all
    /// but participation).
    pub conversions: f64,
    /// Their revenue.
    pub revenue: f64,
    /// Per channel (in `Funnel::channels` order): conversions credited.
    pub by_channel: Vec<f64>,
    /// The whole spend / its conversions, with `--costs`.
    pub cost_per: Option<f64>,
}

/// The stages under one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// The model whose credits are shown.
    pub model: ModelKind,
    /// Channels, by name.
    pub channels: Vec<String>,
    /// Per channel, its spend (with `--costs`).
    pub spend: Option<Vec<f64>>,
    /// Stages in funnel order.
    pub stages: Vec<Stage>,
}

impl Funnel {
    /// The funnel of `report` (models run per conversion type, the only
    /// dimension) under `model`: stages in `order` first (the types of
    /// `--conversion-types`, as listed), then by conversions, most first
    /// (a funnel narrows), ties by name. `None` when the model did not run.
    pub fn of(report: &Report, model: ModelKind, order: &[String], total_spend: Option<f64>) -> Option<Funnel> {
        let entries: Vec<&super::ModelReport> = report.models.iter().filter(|m| m.model == model).collect();
        let first = entries.first()?;
        let channels: Vec<String> = first.credits.iter().map(|c| c.channel.to_string()).collect();
        let spend = total_spend.map(|_| first.credits.iter().map(|c| c.cost.as_ref().map_or(0.0, |k| k.spend)).collect());
        let mut stages: Vec<Stage> = entries
            .iter()
            .map(|m| {
                let name = m
                    .segment
                    .0
                    .iter()
                    .find(|(d, _)| *d == Dimension::ConversionType)
                    .map_or_else(String::new, |(_, v)| v.clone());
                Stage {
                    name,
                    conversions: m.conversions,
                    revenue: m.value,
                    by_channel: m.credits.iter().map(|c| c.conversions).collect(),
                    cost_per: total_spend.and_then(|s| (m.conversions > 0.0).then(|| s / m.conversions)),
                }
            })
            .collect();
        let rank = |s: &Stage| order.iter().position(|o| o.eq_ignore_ascii_case(&s.name)).unwrap_or(order.len());
        stages.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then(b.conversions.total_cmp(&a.conversions))
                .then_with(|| a.name.cmp(&b.name))
        });
        Some(Funnel {
            model,
            channels,
            spend,
            stages,
        })
    }
}

/// The model a funnel shows: data-driven, else Markov, else the first that ran.
pub fn shown_model(report: &Report) -> Option<ModelKind> {
    let ran = |k: ModelKind| report.models.iter().any(|m| m.model == k);
    [ModelKind::DataDriven, ModelKind::Markov]
        .into_iter()
        .find(|&k| ran(k))
        .or_else(|| report.models.first().map(|m| m.model))
}
