//! The cross-model view (`mta attribute --compare-models`): each channel's
//! share and rank under every model, and how far the models disagree.

use serde::Serialize;

use super::Report;
use crate::model::ModelKind;

/// One channel under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStanding {
    /// The model.
    pub model: ModelKind,
    /// Share of the model's attributed conversions.
    pub share: f64,
    /// 1 = the channel the model credits most; channels with equal shares
    /// share a rank (1, 2, 2, 4).
    pub rank: usize,
}

/// One channel across all models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelComparison {
    /// Channel name.
    pub channel: String,
    /// Per model, in the order the models ran.
    pub models: Vec<ModelStanding>,
    /// Largest share minus smallest share over the models: the largest
    /// disagreement about this channel.
    pub disagreement: f64,
    /// The models giving the largest and the smallest share.
    pub extremes: (ModelKind, ModelKind),
}

/// Builds the view from a report (channels by name, models in run order).
pub fn compare_models(report: &Report) -> Vec<ChannelComparison> {
    let n = report.models.first().map_or(0, |m| m.credits.len());
    // Ranks per model: competition ranking by share, highest first.
    let ranks: Vec<Vec<usize>> = report
        .models
        .iter()
        .map(|m| {
            m.credits
                .iter()
                // Shares within 1e-12 tie: the same fraction summed in another order may differ in the last bit.
                .map(|c| 1 + m.credits.iter().filter(|o| o.share > c.share + 1e-12).count())
                .collect()
        })
        .collect();
    (0..n)
        .map(|i| {
            let models: Vec<ModelStanding> = report
                .models
                .iter()
                .zip(&ranks)
                .map(|(m, r)| ModelStanding {
                    model: m.model,
                    share: m.credits[i].share,
                    rank: r[i],
                })
                .collect();
            let hi = models.iter().fold(&models[0], |a, b| if b.share > a.share { b } else { a });
            let lo = models.iter().fold(&models[0], |a, b| if b.share < a.share { b } else { a });
            ChannelComparison {
                channel: report.models[0].credits[i].channel.to_string(),
                disagreement: hi.share - lo.share,
                extremes: (hi.model, lo.model),
                models,
            }
        })
        .collect()
}

/// The channels, those the models disagree on most first (ties by name).
pub fn by_disagreement(comparison: &[ChannelComparison]) -> Vec<&ChannelComparison> {
    let mut rows: Vec<&ChannelComparison> = comparison.iter().collect();
    rows.sort_by(|a, b| b.disagreement.total_cmp(&a.disagreement).then_with(|| a.channel.cmp(&b.channel)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_disagreement_on_the_fixed_report() {
        // Fixed report: first-click Email 1/3, Paid <Search> 2/3; position-based 1/2, 1/2.
        let r = crate::output::testutil::report();
        let c = compare_models(&r);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].channel, "Email");
        assert_eq!(c[0].models[0].rank, 2);
        assert_eq!(c[1].models[0].rank, 1);
        // A tie shares rank 1.
        assert_eq!((c[0].models[1].rank, c[1].models[1].rank), (1, 1));
        assert!((c[0].disagreement - (0.5 - 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(c[0].extremes, (ModelKind::PositionBased, ModelKind::FirstClick));
    }
}
