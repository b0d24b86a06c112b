//! Credits weighed against spend: cost per acquisition (CPA) and return on
//! ad spend (ROAS) per channel and model, and the blended figures.

use serde::Serialize;

use super::Report;
use crate::input::costs::{CostFile, Costs};
use crate::journey::Dimension;

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
    /// Dated rows outside the analysis period (`--from` / `--to`, else
    /// the data's days), left out.
    pub rows_outside_period: u64,
    /// Their spend.
    pub spend_outside_period: f64,
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
    /// `--by conversion-type`: the whole spend against each type's
    /// conversions (cost per lead, per opportunity, per won deal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_conversion_type: Option<Vec<TypeCost>>,
}

/// The whole spend weighed against one conversion type's conversions: a
/// funnel stage's cost per conversion and return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeCost {
    /// The conversion type.
    pub conversion_type: String,
    /// Its conversions attributed (over every period).
    pub conversions: f64,
    /// Their revenue.
    pub revenue: f64,
    /// Total spend / its conversions.
    pub cpa: Option<f64>,
    /// Its revenue / total spend.
    pub roas: Option<f64>,
}

/// Each conversion type's conversions and revenue, summed over the
/// segments of `input` (a type's periods), against `total` spend; `None`
/// without `--by conversion-type`.
fn by_conversion_type(input: &super::InputSummary, total: f64) -> Option<Vec<TypeCost>> {
    let segments = input.segments.as_ref()?;
    let mut by: std::collections::BTreeMap<String, (f64, f64)> = std::collections::BTreeMap::new();
    for s in segments {
        let Some((_, t)) = s.segment.0.iter().find(|(d, _)| *d == Dimension::ConversionType) else {
            continue;
        };
        let e = by.entry(t.clone()).or_default();
        e.0 += s.conversions;
        e.1 += s.revenue;
    }
    (!by.is_empty()).then(|| {
        by.into_iter()
            .map(|(conversion_type, (conversions, revenue))| TypeCost {
                conversion_type,
                conversions,
                revenue,
                cpa: ratio(total, conversions),
                roas: ratio(revenue, total),
            })
            .collect()
    })
}

/// `numerator / denominator`, `None` when the denominator is 0.
fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// [`apply`] with the spend of `file` over the analysis period (the
/// data's dates are in `report.input`); returns that spend.
pub fn apply_file(report: &mut Report, file: &CostFile) -> Costs {
    let costs = file.totals(report.input.times.span());
    report.notes.extend(file.derived.clone());
    report.warnings.extend(file.warnings.iter().cloned());
    apply(report, &costs);
    costs
}

/// [`apply_by_period`] with the spend of `file` per period of `dimension`:
/// an error when the costs have no dates.
pub fn apply_file_by_period(report: &mut Report, file: &CostFile, dimension: Dimension) -> crate::error::Result<()> {
    let span = report.input.times.span();
    let zone = file.zone();
    let by = file
        .totals_by(span, |t| dimension.period_start(zone.local_date(t)))
        .ok_or_else(|| {
            crate::error::Error::usage(
                format!(
                    "spend split by period needs the date of each cost row, and `{}` has no date column",
                    file.file.name
                ),
                "give the costs a date column (`--cost-date-col`), or drop the period from `--by`",
            )
        })?;
    let by: Vec<(String, Costs)> = by.into_iter().map(|(start, c)| (dimension.period_label(start), c)).collect();
    report.notes.extend(file.derived.clone());
    report.warnings.extend(file.warnings.iter().cloned());
    apply_by_period(report, &by, &file.totals(span));
    Ok(())
}

/// Adds spend, CPA and ROAS to every credit of `report`, and the cost
/// summary to its input summary; the channels that do not match, and the
/// spend dated outside the analysis period, become warnings.
pub fn apply(report: &mut Report, costs: &Costs) {
    for m in &mut report.models {
        add_figures(m, costs);
    }
    summarize(report, costs);
}

/// `--by day|week|month` with costs: each period's credits weighed against
/// that period's spend (`by_period`: label and spend, the cost rows dated
/// in it); the summary is of `whole`, the spend of the whole period. Spend
/// in a period without conversions is a warning.
pub fn apply_by_period(report: &mut Report, by_period: &[(String, Costs)], whole: &Costs) {
    let none = Costs::default();
    let mut credited_periods = std::collections::BTreeSet::new();
    for m in &mut report.models {
        let period = m.segment.0.iter().find(|(d, _)| d.is_period()).map(|(_, v)| v.clone());
        let costs = period
            .as_ref()
            .and_then(|p| by_period.iter().find(|(label, _)| label == p))
            .map_or(&none, |(_, c)| c);
        credited_periods.extend(period);
        add_figures(m, costs);
    }
    let idle: Vec<String> = by_period
        .iter()
        .filter(|(label, c)| c.total() > 0.0 && !credited_periods.contains(label))
        .map(|(label, c)| format!("{label} ({})", crate::format::fixed(c.total(), 2)))
        .collect();
    if !idle.is_empty() {
        report.warnings.push(format!(
            "spend in periods without a conversion, in no row of the results: {}",
            idle.join(", ")
        ));
    }
    summarize(report, whole);
}

/// Spend, CPA and ROAS on every credit of one model's results. CPA is
/// empty without spend (a channel nobody paid for has no cost per
/// acquisition, not one of 0).
fn add_figures(m: &mut super::ModelReport, costs: &Costs) {
    for c in &mut m.credits {
        let spend = costs.of(&c.channel).unwrap_or(0.0);
        let cpa = |conversions: f64| ratio(spend, conversions).filter(|_| spend > 0.0);
        let interval = c.interval.as_ref().map(|i| CostInterval {
            cpa_lo: cpa(i.conversions_hi),
            cpa_hi: cpa(i.conversions_lo),
            roas_lo: ratio(i.value_lo, spend),
            roas_hi: ratio(i.value_hi, spend),
        });
        c.cost = Some(Box::new(CostFigures {
            spend,
            cpa: cpa(c.conversions),
            roas: ratio(c.value, spend),
            interval,
        }));
    }
}

/// The cost summary and the warnings about channels and dates.
fn summarize(report: &mut Report, costs: &Costs) {
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
            .map(|n| format!("{n} ({})", crate::format::fixed(costs.of(n).unwrap_or(0.0), 2)))
            .collect();
        report.warnings.push(format!(
            "spend on channels that received no credit (or are not in the input): {}",
            list.join(", ")
        ));
    }
    if !credit_without_spend.is_empty() {
        report.warnings.push(format!(
            "credited channels without any spend row (spend 0, no CPA or ROAS): {}",
            credit_without_spend.join(", ")
        ));
    }
    if costs.rows_outside_period > 0 {
        report.warnings.push(format!(
            "left out {} of spend ({}) dated outside {}: CPA and ROAS weigh the period's spend only; `--from`/`--to` choose the period",
            crate::format::thousands(costs.spend_outside_period, 2),
            match costs.rows_outside_period {
                1 => "1 cost row".to_string(),
                n => format!("{} cost rows", crate::format::thousands(n as f64, 0)),
            },
            costs.period
        ));
    }
    let total = costs.total();
    let input = &mut report.input;
    input.costs = Some(CostSummary {
        file: costs.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
        rows: costs.file.as_ref().map_or(0, |f| f.rows),
        rows_outside_period: costs.rows_outside_period,
        spend_outside_period: costs.spend_outside_period,
        total_spend: total,
        blended_cpa: ratio(total, input.built.conversions),
        blended_roas: ratio(input.built.revenue, total),
        spend_without_credit,
        credit_without_spend,
        by_conversion_type: by_conversion_type(input, total),
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
