//! Credits weighed against spend: cost per acquisition (CPA) and return on
//! ad spend (ROAS) per channel and model, and the blended figures.

use serde::Serialize;

use super::Report;
use crate::input::costs::Costs;

/// A channel's spend and what it bought under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostFigures {
    /// Spend of the channel (0 without any spend row).
    pub spend: f64,
    /// Spend / credited conversions; `None` (empty, JSON null) when the
    /// model credited none.
    pub cpa: Option<f64>,
    /// Credited value / spend; `None` when the spend is 0.
    pub roas: Option<f64>,
    /// With `--bootstrap`: the intervals of CPA and ROAS, from those of the
    /// credited conversions and value (spend is fixed: CPA falls as
    /// conversions rise, ROAS rises with value).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub interval: Option<CostInterval>,
}

/// 95% intervals of CPA and ROAS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostInterval {
    /// Spend / the 97.5th percentile of credited conversions.
    pub cpa_lo: Option<f64>,
    /// Spend / the 2.5th percentile of credited conversions (`None` when that is 0).
    pub cpa_hi: Option<f64>,
    /// The 2.5th percentile of credited value / spend.
    pub roas_lo: Option<f64>,
    /// The 97.5th percentile of credited value / spend.
    pub roas_hi: Option<f64>,
}

/// Spend in the summary: the totals and the blended figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSummary {
    /// The costs file.
    pub file: String,
    /// Its rows.
    pub rows: u64,
    /// Dated rows outside `--from` / `--to`, left out.
    pub rows_outside_period: u64,
    /// Spend kept, over every channel.
    pub total_spend: f64,
    /// Total spend / conversions attributed (`None` without conversions).
    pub blended_cpa: Option<f64>,
    /// Revenue attributed / total spend (`None` without spend).
    pub blended_roas: Option<f64>,
    /// Channels with spend that no model credited (or that are not in the input).
    pub spend_without_credit: Vec<String>,
    /// Channels some model credited that have no spend row.
    pub credit_without_spend: Vec<String>,
}

/// `numerator / denominator`, `None` when the denominator is 0.
fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// Adds spend, CPA and ROAS to every credit of `report`, and the cost
/// summary to its input summary; the channels that do not match become
/// warnings.
pub fn apply(report: &mut Report, costs: &Costs) {
    for m in &mut report.models {
        for c in &mut m.credits {
            let spend = costs.of(&c.channel).unwrap_or(0.0);
            let interval = c.interval.as_ref().map(|i| CostInterval {
                cpa_lo: ratio(spend, i.conversions_hi),
                cpa_hi: ratio(spend, i.conversions_lo),
                roas_lo: ratio(i.value_lo, spend),
                roas_hi: ratio(i.value_hi, spend),
            });
            c.cost = Some(Box::new(CostFigures {
                spend,
                cpa: ratio(spend, c.conversions),
                roas: ratio(c.value, spend),
                interval,
            }));
        }
    }
    let credited: std::collections::HashSet<String> = report
        .models
        .iter()
        .flat_map(|m| &m.credits)
        .filter(|c| c.conversions > 0.0)
        .map(|c| c.channel.to_lowercase())
        .collect();
    let spend_without_credit: Vec<String> = costs
        .spend
        .iter()
        .filter(|(name, spend)| *spend > 0.0 && !credited.contains(&name.to_lowercase()))
        .map(|(name, _)| name.clone())
        .collect();
    // Channels are the same in every model: one pass over each model's credits.
    let credit_without_spend: Vec<String> = report
        .models
        .iter()
        .flat_map(|m| &m.credits)
        .filter(|c| c.conversions > 0.0 && costs.of(&c.channel).is_none())
        .map(|c| c.channel.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !spend_without_credit.is_empty() {
        let list: Vec<String> = spend_without_credit
            .iter()
            .map(|n| format!("{n} ({})", crate::output::fixed(costs.of(n).unwrap_or(0.0), 2)))
            .collect();
        report.warnings.push(format!(
            "spend on channels that received no credit (or are not in the input): {}",
            list.join(", ")
        ));
    }
    if !credit_without_spend.is_empty() {
        report.warnings.push(format!(
            "credited channels without any spend row (spend 0, no ROAS): {}",
            credit_without_spend.join(", ")
        ));
    }
    let total = costs.total();
    let input = &mut report.input;
    input.costs = Some(CostSummary {
        file: costs.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
        rows: costs.file.as_ref().map_or(0, |f| f.rows),
        rows_outside_period: costs.rows_outside_period,
        total_spend: total,
        blended_cpa: ratio(total, input.conversions),
        blended_roas: ratio(input.revenue, total),
        spend_without_credit,
        credit_without_spend,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_empty_when_the_denominator_is_zero() {
        assert_eq!(ratio(10.0, 4.0), Some(2.5));
        assert_eq!(ratio(10.0, 0.0), None);
        assert_eq!(ratio(0.0, 5.0), Some(0.0));
    }
}
