//! `mta scorecard`: what each channel does besides its credit: reach,
//! conversion rate of the journeys it is in, its role in converting
//! journeys (opener, assist, closer) and how long before the conversion it
//! acts.

use serde::Serialize;

use super::ModelReport;
use crate::journey::Journeys;

/// One channel's figures. Counts are journeys as the input stands for them:
/// one per event journey, conversions + nulls per path-aggregate row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// The channel.
    pub channel: String,
    /// Touches of the channel in all journeys.
    pub touches: f64,
    /// Distinct customers with at least one touch (`None` for path aggregates).
    pub customers: Option<u64>,
    /// Journeys containing the channel.
    pub journeys: f64,
    /// Those of them that convert.
    pub converting_journeys: f64,
    /// converting_journeys / journeys.
    pub conversion_rate: f64,
    /// Touches that open a converting journey of two or more touches.
    pub as_first: f64,
    /// Touches between the first and the last of a converting journey.
    pub as_middle: f64,
    /// Touches that close a converting journey of two or more touches.
    pub as_last: f64,
    /// Touches that are a converting journey's only touch.
    pub as_only: f64,
    /// Median over the channel's touches in converting journeys of
    /// (conversion time - touch time), in hours (`None` without times).
    pub median_hours_to_conversion: Option<f64>,
    /// Credited conversions under the chosen model.
    pub conversions: f64,
    /// Credited value under the chosen model.
    pub value: f64,
    /// With `--costs`: spend, CPA and ROAS under the chosen model.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub cost: Option<super::costs::CostFigures>,
}

/// The median of `xs` (sorted in place): the mean of the middle two when
/// their number is even.
fn median(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 })
}

/// Every channel's row, in channel order, with `model`'s credits.
pub fn compute(journeys: &Journeys, model: &ModelReport) -> Vec<ScoreRow> {
    let n = journeys.channels().len();
    let mut rows: Vec<ScoreRow> = journeys
        .channels()
        .iter()
        .zip(&model.credits)
        .map(|(name, credit)| ScoreRow {
            channel: name.clone(),
            touches: 0.0,
            customers: journeys.is_timed().then_some(0),
            journeys: 0.0,
            converting_journeys: 0.0,
            conversion_rate: 0.0,
            as_first: 0.0,
            as_middle: 0.0,
            as_last: 0.0,
            as_only: 0.0,
            median_hours_to_conversion: None,
            conversions: credit.conversions,
            value: credit.value,
            cost: credit.cost.as_deref().cloned(),
        })
        .collect();
    // Journeys come in canonical order (customer, then time), so a
    // customer's journeys are together: the last customer counted per
    // channel is enough to count each customer once.
    let mut last_customer = vec![u32::MAX; n];
    let mut seen_in_journey = vec![usize::MAX; n];
    let mut hours: Vec<Vec<f64>> = vec![Vec::new(); n];
    for (j, journey) in journeys.iter().enumerate() {
        let weight = journey.conversions + journey.nulls;
        let converting = if journey.converts() { journey.conversions } else { 0.0 };
        let len = journey.touches.len();
        for (k, &c) in journey.touches.iter().enumerate() {
            let c = c as usize;
            let row = &mut rows[c];
            row.touches += weight;
            if seen_in_journey[c] != j {
                seen_in_journey[c] = j;
                row.journeys += weight;
                row.converting_journeys += converting;
                if let Some(customer) = journey.customer
                    && last_customer[c] != customer
                {
                    last_customer[c] = customer;
                    *row.customers.get_or_insert(0) += 1;
                }
            }
            if converting > 0.0 {
                let role = match (len, k) {
                    (1, _) => &mut row.as_only,
                    (_, 0) => &mut row.as_first,
                    (_, k) if k + 1 == len => &mut row.as_last,
                    _ => &mut row.as_middle,
                };
                *role += converting;
                if let (Some(times), Some(at)) = (journey.times, journey.converted_at) {
                    hours[c].push((at - times[k]) as f64 / 3_600_000.0);
                }
            }
        }
    }
    for (row, h) in rows.iter_mut().zip(&mut hours) {
        row.conversion_rate = if row.journeys > 0.0 {
            row.converting_journeys / row.journeys
        } else {
            0.0
        };
        row.median_hours_to_conversion = median(h);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
