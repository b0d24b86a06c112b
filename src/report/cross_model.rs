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
    /// Largest share minus smallest share over the models, participation
    /// aside (its shares sum past 100%, so it would always look far off):
    /// the largest disagreement about this channel.
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
            // Participation aside, unless it is all that ran.
            let compared: Vec<&ModelStanding> = match models.iter().filter(|m| m.model != ModelKind::Participation).collect::<Vec<_>>() {
                some if !some.is_empty() => some,
                _ => models.iter().collect(),
            };
            let hi = compared.iter().fold(compared[0], |a, b| if b.share > a.share { b } else { a });
            let lo = compared.iter().fold(compared[0], |a, b| if b.share < a.share { b } else { a });
            ChannelComparison {
                channel: report.models[0].credits[i].channel.to_string(),
                disagreement: hi.share - lo.share,
                extremes: (hi.model, lo.model),
                models,
            }
        })
        .collect()
}

/// What every printed disagreement figure says about participation.
pub const PARTICIPATION_ASIDE: &str =
    "disagreement figures leave out participation: it gives every channel of a journey full credit, so its shares sum past 100%";

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
        let r = crate::report::testutil::report();
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

    #[test]
    fn participation_is_shown_but_left_out_of_the_disagreement() {
        // Participation's Email share of 1.5 (its shares sum past 100%)
        // would make the spread 1.5 - 1/3; it stays 0.5 - 1/3.
        let mut r = crate::report::testutil::report();
        let mut p = r.models[1].clone();
        p.model = ModelKind::Participation;
        p.credits[0].share = 1.5;
        r.models.push(p);
        let c = compare_models(&r);
        assert_eq!(c[0].models.len(), 3);
        assert_eq!(c[0].models[2].share, 1.5);
        assert!((c[0].disagreement - (0.5 - 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(c[0].extremes, (ModelKind::PositionBased, ModelKind::FirstClick));
        // Alone, it is compared with itself.
        r.models.drain(..2);
        assert_eq!(compare_models(&r)[0].disagreement, 0.0);
    }
}
