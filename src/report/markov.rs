//! Details of the Markov model for `mta markov`: the chain's transition
//! probabilities, P(conversion), and each channel's removal effect.

use serde::Serialize;

use super::InputSummary;
use crate::error::Result;
use crate::journey::Journeys;
use crate::model::AttributionModel;
use crate::model::markov::{Chain, Markov, MarkovConfig, OrderScore};

/// State names used for the chain's fixed states.
pub const START: &str = "(start)";
/// The absorbing conversion state.
pub const CONVERSION: &str = "(conversion)";
/// The absorbing null state.
pub const NULL: &str = "(null)";

/// One channel's removal effect and credit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemovalEffect {
    /// Channel name.
    pub channel: String,
    /// 1 - P(conversion without the channel) / P(conversion).
    pub removal_effect: f64,
    /// The same on expected revenue.
    pub value_removal_effect: f64,
    /// Credited conversions (removal effects normalised to the total).
    pub conversions: f64,
    /// Credited revenue.
    pub value: f64,
}

/// One observed transition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// Source state (`(start)` or channels joined by ` > `).
    pub from: String,
    /// Target state (channels, `(conversion)` or `(null)`).
    pub to: String,
    /// count / total weight leaving `from`.
    pub probability: f64,
    /// Weight of journeys taking this transition.
    pub count: f64,
}

/// Everything `mta markov` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkovReport {
    /// The input summary.
    pub input: InputSummary,
    /// Channels per state.
    pub order: usize,
    /// Whether self-loops were kept.
    pub keep_repeats: bool,
    /// Number of channel states (start, conversion and null not counted).
    pub states: usize,
    /// P(a walk from start converts).
    pub p_conversion: f64,
    /// Expected revenue of a walk from start.
    pub expected_value: f64,
    /// Per channel, sorted by name.
    pub removal_effects: Vec<RemovalEffect>,
    /// Every observed transition, sorted by source then target.
    pub transitions: Vec<Transition>,
    /// With `--markov-order auto`: the score of every order considered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_selection: Option<Vec<OrderScore>>,
}

impl MarkovReport {
    /// Builds the chain of `journeys` and solves it.
    pub fn compute(input: InputSummary, journeys: &Journeys, cfg: MarkovConfig) -> Result<Self> {
        let chain = Chain::build(journeys, &cfg)?;
        let effects = chain.removal_effects(journeys.channels().len())?;
        let credits = Markov::new(cfg).attribute(journeys)?;
        let channels = journeys.channels();
        let removal_effects = channels
            .iter()
            .enumerate()
            .map(|(i, name)| RemovalEffect {
                channel: name.clone(),
                removal_effect: effects.conversion[i],
                value_removal_effect: effects.value[i],
                conversions: credits.conversions[i],
                value: credits.value[i],
            })
            .collect();
        let name = |s: usize| {
            chain.states[s]
                .iter()
                .map(|&c| channels[c as usize].as_str())
                .collect::<Vec<_>>()
                .join(" > ")
        };
        let mut transitions = Vec::new();
        let start_total: f64 = chain.start.iter().sum();
        for (s, &w) in chain.start.iter().enumerate() {
            if w > 0.0 {
                transitions.push(Transition {
                    from: START.into(),
                    to: name(s),
                    probability: w / start_total,
                    count: w,
                });
            }
        }
        let mut edges = chain.transitions().peekable();
        for s in 0..chain.len() {
            let out = chain.out_weight(s);
            while let Some(&(_, t, w)) = edges.peek().filter(|e| e.0 == s) {
                transitions.push(Transition {
                    from: name(s),
                    to: name(t),
                    probability: w / out,
                    count: w,
                });
                edges.next();
            }
            for (to, w) in [(CONVERSION, chain.conversion[s]), (NULL, chain.null[s])] {
                if w > 0.0 {
                    transitions.push(Transition {
                        from: name(s),
                        to: to.into(),
                        probability: w / out,
                        count: w,
                    });
                }
            }
        }
        Ok(MarkovReport {
            input,
            order: cfg.order,
            keep_repeats: cfg.keep_repeats,
            states: chain.len(),
            p_conversion: effects.base.conversion,
            expected_value: effects.base.value,
            removal_effects,
            transitions,
            order_selection: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneyStats;

    #[test]
    fn two_branch_example_in_full() {
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["a", "c"], 1.0, 10.0, 1.0)]);
        let input = InputSummary::new("paths", &[], &JourneyStats::default(), 0);
        let r = MarkovReport::compute(input, &j, MarkovConfig::default()).unwrap();
        assert_eq!(r.states, 3);
        assert!((r.p_conversion - 2.0 / 3.0).abs() < 1e-12);
        let t: Vec<(&str, &str, f64)> = r
            .transitions
            .iter()
            .map(|t| (t.from.as_str(), t.to.as_str(), t.probability))
            .collect();
        let want = [
            ("(start)", "a", 1.0),
            ("a", "b", 2.0 / 3.0),
            ("a", "c", 1.0 / 3.0),
            ("b", "(conversion)", 0.75),
            ("b", "(null)", 0.25),
            ("c", "(conversion)", 0.5),
            ("c", "(null)", 0.5),
        ];
        assert_eq!(t.len(), want.len());
        for (g, w) in t.iter().zip(want) {
            assert_eq!((g.0, g.1), (w.0, w.1));
            assert!((g.2 - w.2).abs() < 1e-12, "{g:?}");
        }
        assert!((r.removal_effects[1].removal_effect - 0.75).abs() < 1e-12);
        assert!((r.removal_effects[1].conversions - 1.5).abs() < 1e-12);
    }
}
