//! Details of the Markov model for `mta markov`: the chain's transition
//! probabilities, P(conversion), and each channel's removal effect.

use serde::Serialize;

use super::{InputSummary, ModelReport};
use crate::model::markov::{OrderScore, Solution};
use crate::model::{Details, ModelKind};

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
    /// The details of the Markov model's run in `report`, if it ran: its
    /// chain is not built or solved again (its credits name the channels,
    /// in channel id order).
    pub fn from_report(report: &super::Report) -> Option<Self> {
        let model = report.model(ModelKind::Markov)?;
        let Some(Details::Markov(solution)) = &model.details else {
            return None;
        };
        Some(Self::new(report.input.clone(), solution, model))
    }

    fn new(input: InputSummary, solution: &Solution, model: &ModelReport) -> Self {
        let (chain, effects) = (&solution.chain, &solution.effects);
        let channels: Vec<&str> = model.credits.iter().map(|c| &*c.channel).collect();
        let removal_effects = model
            .credits
            .iter()
            .enumerate()
            .map(|(i, credit)| RemovalEffect {
                channel: credit.channel.to_string(),
                removal_effect: effects.conversion[i],
                value_removal_effect: effects.value[i],
                conversions: credit.conversions,
                value: credit.value,
            })
            .collect();
        let name = |s: usize| {
            chain.states[s]
                .iter()
                .map(|&c| channels[c as usize])
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
        MarkovReport {
            input,
            order: solution.spec.order,
            keep_repeats: solution.spec.keep_repeats,
            states: chain.len(),
            p_conversion: effects.base.conversion,
            expected_value: effects.base.value,
            removal_effects,
            transitions,
            order_selection: solution.order_scores.clone(),
        }
    }

    /// The `n` most frequent channel states (by transition weight in and
    /// out; ties by name), sorted by name: what a heatmap has room for.
    pub fn top_states(&self, n: usize) -> Vec<&str> {
        let mut weight: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
        for t in &self.transitions {
            for st in [t.from.as_str(), t.to.as_str()] {
                if ![START, CONVERSION, NULL].contains(&st) {
                    *weight.entry(st).or_default() += t.count;
                }
            }
        }
        let mut states: Vec<(&str, f64)> = weight.into_iter().collect();
        states.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        states.truncate(n);
        let mut names: Vec<&str> = states.into_iter().map(|(s, _)| s).collect();
        names.sort_unstable();
        names
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::journey::JourneyStats;
    use crate::journey::Journeys;
    use crate::model::ModelConfig;
    use crate::report::Report;

    /// The Markov details of a report over `j`.
    pub(crate) fn markov_report(j: &Journeys) -> MarkovReport {
        let input = InputSummary::new("paths", &[], &JourneyStats::default(), 0);
        let report = Report::compute(input, j, &[ModelKind::Markov.build(&ModelConfig::default())]).unwrap();
        MarkovReport::from_report(&report).unwrap()
    }

    #[test]
    fn two_branch_example_in_full() {
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["a", "c"], 1.0, 10.0, 1.0)]);
        let r = markov_report(&j);
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

    #[test]
    fn the_report_reuses_the_solved_chain_of_the_run() {
        // `mta report`: the models run, then the Markov section. The chain of
        // 3 channels is solved once for P(conversion) and once per channel.
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["a", "c"], 1.0, 10.0, 1.0)]);
        let cfg = ModelConfig::default();
        let models: Vec<_> = [ModelKind::FirstClick, ModelKind::Markov].iter().map(|k| k.build(&cfg)).collect();
        let ((report, details), solves) = crate::model::markov::tests::counting_solves(|| {
            let input = InputSummary::new("paths", &[], &JourneyStats::default(), 0);
            let report = Report::compute(input, &j, &models).unwrap();
            let details = MarkovReport::from_report(&report).unwrap();
            (report, details)
        });
        assert_eq!(solves, 1 + 3);
        // The section shows the run's own credits.
        let markov = report.model(ModelKind::Markov).unwrap();
        for (effect, credit) in details.removal_effects.iter().zip(&markov.credits) {
            assert_eq!((effect.conversions, effect.value), (credit.conversions, credit.value));
        }
        assert!(MarkovReport::from_report(&Report::compute(report.input.clone(), &j, &models[..1]).unwrap()).is_none());
    }
}
