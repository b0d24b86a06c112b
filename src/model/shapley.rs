//! Shapley value attribution over coalitions of channels.
//!
//! The coalition of a journey is its set of distinct channels (after the
//! journey rules; order and repeats ignored). Over the journeys whose
//! coalition is exactly S: conv(S), null(S), value(S), and the game
//! v(S) = conv(S) / (conv(S) + null(S)), with v(S) = 0 when S never
//! converts (unseen, or seen only without conversions) and v(empty) = 0.
//! This penalises rare channels: a channel seen alone only without
//! conversions is worth nothing alone.
//!
//! For each converting coalition N of n channels, the Shapley value of i in N:
//!
//! ```text
//! phi_i(N) = sum_{S in N, i in S}  v(S) (s-1)! (n-s)! / n!
//!          - sum_{S in N, i not in S} v(S) s! (n-s-1)! / n!
//! ```
//!
//! Only converting subsets contribute, so per coalition mta either
//! enumerates its 2^n subsets or scans the converting coalitions with a
//! subset test, whichever is fewer: exact for any n, no truncation.
//! Credits: credit_i(N) = phi_i(N) conv(N) / v(N), and the same with
//! value(N); summed over coalitions in sorted order. Negative credits are
//! kept (clipping would break efficiency) and named in a warning.
//!
//! This is marketing-attribution-models' Shapley with conversion-rate
//! values and no coalition truncation (its default keeps 4 channels per
//! coalition, chosen alphabetically, which mta does not copy).
//!
//! Coalitions are 128-bit masks: at most 128 channels in the input.

use std::collections::BTreeMap;

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{AttributionModel, Credits, ModelKind};
use crate::error::{Error, Result};
use crate::journey::Journeys;

/// Channels a coalition mask can hold.
pub const MAX_CHANNELS: usize = 128;

/// Per coalition: conversions, nulls and revenue of the journeys with exactly that set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tally {
    conversions: f64,
    nulls: f64,
    value: f64,
}

impl Tally {
    /// v(S): the conversion rate, 0 without conversions.
    fn worth(&self) -> f64 {
        if self.conversions > 0.0 {
            self.conversions / (self.conversions + self.nulls)
        } else {
            0.0
        }
    }
}

fn coalitions(journeys: &Journeys) -> Result<Vec<(u128, Tally)>> {
    if journeys.channels().len() > MAX_CHANNELS {
        return Err(Error::Model {
            model: "shapley",
            message: format!(
                "the input has {} channels; Shapley coalitions are bit sets of at most {MAX_CHANNELS}: group rare channels together (e.g. into `Other`) first",
                journeys.channels().len()
            ),
        });
    }
    let mut map: HashMap<u128, Tally> = HashMap::new();
    tally(&mut map, journeys);
    Ok(sorted(map))
}

/// Adds each journey to the tally of its coalition, in journey order.
fn tally(map: &mut HashMap<u128, Tally>, journeys: &Journeys) {
    for j in journeys.iter() {
        if j.touches.is_empty() {
            continue;
        }
        let mask = j.touches.iter().fold(0u128, |m, &c| m | (1u128 << c));
        let t = map.entry(mask).or_default();
        t.conversions += j.conversions;
        t.nulls += j.nulls;
        t.value += j.value;
    }
}

/// The coalitions in mask order.
fn sorted(map: HashMap<u128, Tally>) -> Vec<(u128, Tally)> {
    let mut list: Vec<(u128, Tally)> = map.into_iter().collect();
    list.sort_by_key(|e| e.0);
    list
}

/// Credits of every channel from the coalitions' tallies.
fn credits_of(list: &[(u128, Tally)], n_channels: usize) -> Credits {
    let converting: Vec<(u128, f64)> = list.iter().filter(|e| e.1.conversions > 0.0).map(|e| (e.0, e.1.worth())).collect();
    let worth: HashMap<u128, f64> = converting.iter().copied().collect();
    let parts: Vec<(Vec<(u32, f64)>, Tally)> = list
        .par_iter()
        .filter(|e| e.1.conversions > 0.0)
        .map(|&(mask, tally)| (shapley_in(mask, &converting, &worth), tally))
        .collect();
    let mut credits = Credits::zeros(n_channels);
    for (phi, tally) in parts {
        let v = tally.worth();
        for (c, p) in phi {
            credits.conversions[c as usize] += p * tally.conversions / v;
            credits.value[c as usize] += p * tally.value / v;
        }
    }
    credits
}

/// [`Shapley`] over blocks: the coalitions' tallies so far.
struct ShapleyStream<'a> {
    model: &'a Shapley,
    channels: Vec<String>,
    map: HashMap<u128, Tally>,
}

impl super::Stream for ShapleyStream<'_> {
    fn add(&mut self, block: &Journeys) -> Result<()> {
        tally(&mut self.map, block);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<super::Attribution> {
        let credits = credits_of(&sorted(self.map), self.channels.len());
        let empty = Journeys::new(self.channels, true);
        Ok(super::Attribution {
            warnings: self.model.warnings(&empty, &credits),
            credits,
            parameters: self.model.parameters(),
            notes: Vec::new(),
            details: None,
        })
    }

    fn into_split<'s>(self: Box<Self>) -> Result<Option<Box<dyn super::JourneySplit + 's>>>
    where
        Self: 's,
    {
        Ok(Some(Box::new(CoalitionShares(shares_of(&sorted(self.map))))))
    }
}

/// Shapley values of the members of `n_mask` in the game `worth` restricted
/// to subsets of it, given the converting coalitions `converting` (mask, v).
fn shapley_in(n_mask: u128, converting: &[(u128, f64)], worth: &HashMap<u128, f64>) -> Vec<(u32, f64)> {
    let members: Vec<u32> = (0..128).filter(|&c| n_mask >> c & 1 == 1).collect();
    let n = members.len();
    // (s-1)!(n-s)!/n! = 1 / (n C(n-1, s-1)); s!(n-s-1)!/n! = 1 / (n C(n-1, s)).
    let binom = |k: usize, r: usize| -> f64 { (0..r).fold(1.0, |acc, i| acc * (k - i) as f64 / (i + 1) as f64) };
    let with_i: Vec<f64> = (0..=n)
        .map(|s| if s == 0 { 0.0 } else { 1.0 / (n as f64 * binom(n - 1, s - 1)) })
        .collect();
    let without_i: Vec<f64> = (0..=n)
        .map(|s| if s == n { 0.0 } else { 1.0 / (n as f64 * binom(n - 1, s)) })
        .collect();
    let mut phi = vec![0.0; n];
    let mut add = |s_mask: u128, v: f64| {
        let s = s_mask.count_ones() as usize;
        for (k, &i) in members.iter().enumerate() {
            if s_mask >> i & 1 == 1 {
                phi[k] += v * with_i[s];
            } else {
                phi[k] -= v * without_i[s];
            }
        }
    };
    if n < 20 && (1usize << n) <= converting.len() {
        // Enumerate every non-empty subset of N.
        let mut sub = n_mask;
        while sub != 0 {
            if let Some(&v) = worth.get(&sub) {
                add(sub, v);
            }
            sub = (sub - 1) & n_mask;
        }
    } else {
        for &(s_mask, v) in converting {
            if s_mask & !n_mask == 0 {
                add(s_mask, v);
            }
        }
    }
    members.into_iter().zip(phi).collect()
}

/// The Shapley model.
pub struct Shapley;

/// Per converting coalition: each member's phi_i(N) / v(N), the share of one
/// of N's conversions (and of its revenue) that goes to channel i.
struct CoalitionShares(HashMap<u128, Vec<(u32, f64)>>);

impl super::JourneySplit for CoalitionShares {
    fn kind(&self) -> ModelKind {
        ModelKind::Shapley
    }

    fn split(&mut self, _channels: &[String], journey: &crate::journey::Journey<'_>, out: &mut Vec<(u32, f64)>) {
        let mask = journey.touches.iter().fold(0u128, |m, &c| m | (1u128 << c));
        out.clear();
        if let Some(shares) = self.0.get(&mask) {
            out.extend(shares.iter().copied());
        }
    }
}

/// phi_i(N) / v(N) for every converting coalition N.
fn coalition_shares(journeys: &Journeys) -> Result<HashMap<u128, Vec<(u32, f64)>>> {
    Ok(shares_of(&coalitions(journeys)?))
}

/// phi_i(N) / v(N) for every converting coalition N of `list`.
fn shares_of(list: &[(u128, Tally)]) -> HashMap<u128, Vec<(u32, f64)>> {
    let converting: Vec<(u128, f64)> = list.iter().filter(|e| e.1.conversions > 0.0).map(|e| (e.0, e.1.worth())).collect();
    let worth: HashMap<u128, f64> = converting.iter().copied().collect();
    converting
        .par_iter()
        .map(|&(mask, v)| {
            (
                mask,
                shapley_in(mask, &converting, &worth).into_iter().map(|(c, p)| (c, p / v)).collect(),
            )
        })
        .collect()
}

impl AttributionModel for Shapley {
    fn kind(&self) -> ModelKind {
        ModelKind::Shapley
    }

    fn parameters(&self) -> BTreeMap<&'static str, super::Parameter> {
        BTreeMap::from([("coalition_value", super::Parameter::Text("conversion rate".into()))])
    }

    fn attribute(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(credits_of(&coalitions(journeys)?, journeys.channels().len()))
    }

    fn stream(&self, channels: &[String]) -> Result<Box<dyn super::Stream + '_>> {
        // The same check as on all journeys at once.
        coalitions(&Journeys::new(channels.to_vec(), true))?;
        Ok(Box::new(ShapleyStream {
            model: self,
            channels: channels.to_vec(),
            map: HashMap::new(),
        }))
    }

    fn journey_split<'a>(&'a self, journeys: &'a Journeys) -> Result<Option<Box<dyn super::JourneySplit + 'a>>> {
        Ok(Some(Box::new(CoalitionShares(coalition_shares(journeys)?))))
    }

    fn warnings(&self, journeys: &Journeys, credits: &Credits) -> Vec<String> {
        let names = journeys.channels();
        let negative: Vec<String> = credits
            .conversions
            .iter()
            .enumerate()
            .filter(|&(_, &x)| x < -1e-12)
            .map(|(c, x)| match names.get(c) {
                Some(name) => format!("{name} ({x:.2})"),
                None => format!("channel {c} ({x:.2})"),
            })
            .collect();
        match negative.len() {
            0 => Vec::new(),
            n => vec![format!(
                "shapley: {} negative credit (kept: clipping would break efficiency): {}; {} the conversion rate of the coalitions {}",
                if n == 1 { "1 channel has" } else { "channels have" },
                negative.join(", "),
                if n == 1 { "it lowers" } else { "they lower" },
                if n == 1 { "it joins" } else { "they join" }
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::assert_credits;

    const O: u128 = 1;
    const F: u128 = 2;
    const D: u128 = 4;

    /// The published example: coalition values Organic 7, Facebook 6,
    /// Direct 4, O+F 15, O+D 7, F+D 9, all 19 -> Organic 23/3, Facebook 49/6,
    /// Direct 19/6 within {Organic, Facebook, Direct}.
    #[test]
    fn published_three_channel_game() {
        let values = [
            (O, 7.0),
            (F, 6.0),
            (D, 4.0),
            (O | F, 15.0),
            (O | D, 7.0),
            (F | D, 9.0),
            (O | F | D, 19.0),
        ];
        let converting: Vec<(u128, f64)> = values.to_vec();
        let worth: HashMap<u128, f64> = values.iter().copied().collect();
        let phi = shapley_in(O | F | D, &converting, &worth);
        let want = [23.0 / 3.0, 49.0 / 6.0, 19.0 / 6.0];
        for ((_, p), w) in phi.iter().zip(want) {
            assert!((p - w).abs() < 1e-12, "{phi:?}");
        }
        // Efficiency: the values sum to v(N).
        assert!((phi.iter().map(|p| p.1).sum::<f64>() - 19.0).abs() < 1e-12);
    }

    /// End to end: each of the 7 coalitions converts that many times out of
    /// 100 journeys -> Organic 83/3, Facebook 80/3, Direct 38/3 (67 in all).
    #[test]
    fn published_example_end_to_end() {
        let rows: Vec<(&[&str], f64, f64, f64)> = vec![
            (&["Organic"], 7.0, 0.0, 93.0),
            (&["Facebook"], 6.0, 0.0, 94.0),
            (&["Direct"], 4.0, 0.0, 96.0),
            (&["Organic", "Facebook"], 15.0, 0.0, 85.0),
            (&["Organic", "Direct"], 7.0, 0.0, 93.0),
            (&["Facebook", "Direct"], 9.0, 0.0, 91.0),
            (&["Organic", "Facebook", "Direct"], 19.0, 0.0, 81.0),
        ];
        let j = Journeys::from_paths(&rows);
        let c = Shapley.attribute(&j).unwrap();
        assert_credits(
            &j,
            &c,
            &[
                ("Direct", 38.0 / 3.0, 0.0),
                ("Facebook", 80.0 / 3.0, 0.0),
                ("Organic", 83.0 / 3.0, 0.0),
            ],
        );
    }

    #[test]
    fn enumeration_and_scan_agree_and_efficiency_holds() {
        // Five channels, every non-empty subset converting at some rate.
        let mut converting = Vec::new();
        for mask in 1u128..32 {
            converting.push((mask, (mask as f64 * 0.37).sin().abs()));
        }
        let worth: HashMap<u128, f64> = converting.iter().copied().collect();
        let n = 0b11111;
        let by_enumeration = shapley_in(n, &converting, &worth);
        // Force the scan path with a list longer than 2^5 (padding with coalitions outside N).
        let mut padded = converting.clone();
        padded.extend((0..40).map(|k| (1u128 << (10 + k % 50), 0.5)));
        let by_scan = shapley_in(n, &padded, &worth);
        for (a, b) in by_enumeration.iter().zip(&by_scan) {
            assert!((a.1 - b.1).abs() < 1e-12);
        }
        let total: f64 = by_enumeration.iter().map(|p| p.1).sum();
        assert!((total - worth[&n]).abs() < 1e-12);
    }

    #[test]
    fn symmetric_players_and_null_players() {
        // a and b always appear together: equal credit. c adds nothing: zero.
        let j = Journeys::from_paths(&[
            (&["a", "b"], 4.0, 0.0, 6.0),
            (&["a", "b", "c"], 4.0, 0.0, 6.0),
            (&["c"], 0.0, 0.0, 5.0),
        ]);
        let c = Shapley.attribute(&j).unwrap();
        assert!((c.conversions[0] - c.conversions[1]).abs() < 1e-12);
        assert!(c.conversions[2].abs() < 1e-12, "{c:?}");
        assert!((c.conversions.iter().sum::<f64>() - 8.0).abs() < 1e-12);
    }

    #[test]
    fn too_many_channels_is_a_clear_error() {
        let names: Vec<String> = (0..130).map(|i| format!("ch{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let j = Journeys::from_paths(&[(&refs, 1.0, 0.0, 0.0)]);
        let err = Shapley.attribute(&j).unwrap_err().to_string();
        assert!(err.contains("130 channels") && err.contains("group rare channels"), "{err}");
    }
}
