//! Path transforms (`--path-transform`), with the semantics of
//! google/fractribution (`unique`, `exposure`, `first`) and Snowplow's
//! attribution package (`remove_if_not_all`, `remove_if_last_and_not_all`),
//! so that journeys built there and here are the same.
//!
//! On fractribution's example journey D,A,B,B,C,D,C,C:
//!
//! | transform | result |
//! |---|---|
//! | `unique` | D,A,B,B,C,D,C,C (no change) |
//! | `exposure` | D,A,B,C,D,C: consecutive repeats collapsed |
//! | `first` | D,A,B,C: only each channel's first touch |
//! | `remove-if-not-all:D` | A,B,B,C,C,C: every D dropped, unless that empties the journey |
//! | `remove-if-last-and-not-all:C` | D,A,B,B,C,D: the trailing run of C dropped, unless the journey is only C |
//!
//! Transforms run in the order given, after `--lookback` and
//! `--max-touches`. A kept touch keeps its own time (the first of a run, the
//! first occurrence), so time-decay still works; no transform ever empties a
//! journey, so a converting journey keeps its conversion.

use std::str::FromStr;

use super::ChannelId;

/// One transform as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathTransform {
    /// No change.
    Unique,
    /// Consecutive touches of the same channel become one (the first).
    Exposure,
    /// Only the first touch of each channel is kept.
    First,
    /// Every touch of these channels is dropped, unless none would be left.
    RemoveIfNotAll(Vec<String>),
    /// The trailing run of touches of these channels is dropped, unless the
    /// journey has only such touches.
    RemoveIfLastAndNotAll(Vec<String>),
}

impl FromStr for PathTransform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let channels = |list: &str| -> Result<Vec<String>, String> {
            let names: Vec<String> = list.split('|').map(|c| c.trim().to_string()).collect();
            if names.iter().any(String::is_empty) {
                return Err(format!(
                    "`{s}` names an empty channel; write `{}:CHANNEL[|CHANNEL...]`",
                    s.split(':').next().unwrap_or(s)
                ));
            }
            Ok(names)
        };
        match s.trim().split_once(':') {
            None => match s.trim() {
                "unique" => Ok(PathTransform::Unique),
                "exposure" => Ok(PathTransform::Exposure),
                "first" => Ok(PathTransform::First),
                t @ ("remove-if-not-all" | "remove-if-last-and-not-all") => {
                    Err(format!("`{t}` needs channels: `{t}:CHANNEL[|CHANNEL...]`"))
                }
                _ => Err(format!(
                    "unknown path transform `{}`: expected `unique`, `exposure`, `first`, `remove-if-not-all:CHANNELS` or `remove-if-last-and-not-all:CHANNELS`",
                    s.trim()
                )),
            },
            Some(("remove-if-not-all", list)) => Ok(PathTransform::RemoveIfNotAll(channels(list)?)),
            Some(("remove-if-last-and-not-all", list)) => Ok(PathTransform::RemoveIfLastAndNotAll(channels(list)?)),
            Some((name, _)) => Err(format!(
                "path transform `{name}` takes no channels; only `remove-if-not-all` and `remove-if-last-and-not-all` do"
            )),
        }
    }
}

/// A transform with its channels resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Exposure,
    First,
    /// Sorted channel ids.
    RemoveIfNotAll(Vec<ChannelId>),
    /// Sorted channel ids.
    RemoveIfLastAndNotAll(Vec<ChannelId>),
}

/// Transforms ready to run on journeys of one channel numbering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transforms {
    steps: Vec<Step>,
}

impl Transforms {
    /// Resolves `list` against the channels (`id` looks a name up); returns
    /// the transforms and the channel names not found (they match nothing).
    pub fn resolve(list: &[PathTransform], id: impl Fn(&str) -> Option<ChannelId>) -> (Self, Vec<String>) {
        let mut unknown = Vec::new();
        let mut ids = |names: &[String]| {
            let mut found: Vec<ChannelId> = names
                .iter()
                .filter_map(|n| {
                    let got = id(n);
                    if got.is_none() && !unknown.contains(n) {
                        unknown.push(n.clone());
                    }
                    got
                })
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        };
        let steps = list
            .iter()
            .filter_map(|t| match t {
                PathTransform::Unique => None,
                PathTransform::Exposure => Some(Step::Exposure),
                PathTransform::First => Some(Step::First),
                PathTransform::RemoveIfNotAll(names) => Some(Step::RemoveIfNotAll(ids(names))),
                PathTransform::RemoveIfLastAndNotAll(names) => Some(Step::RemoveIfLastAndNotAll(ids(names))),
            })
            .collect();
        (Transforms { steps }, unknown)
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Applies every step to one journey's touches (and their times, kept
    /// in step), in place; returns how many touches were dropped.
    pub fn apply(&self, ids: &mut Vec<ChannelId>, mut times: Option<&mut Vec<i64>>) -> usize {
        let before = ids.len();
        for step in &self.steps {
            match step {
                Step::Exposure => {
                    let mut last = None;
                    compact(ids, times.as_deref_mut(), |c| last.replace(c) != Some(c));
                }
                Step::First if ids.len() <= 64 => {
                    // The kept touches so far are few: look among them.
                    let mut kept: Vec<ChannelId> = Vec::with_capacity(ids.len());
                    compact(ids, times.as_deref_mut(), |c| {
                        !kept.contains(&c) && {
                            kept.push(c);
                            true
                        }
                    });
                }
                Step::First => {
                    let mut seen = hashbrown::HashSet::with_capacity(ids.len());
                    compact(ids, times.as_deref_mut(), |c| seen.insert(c));
                }
                Step::RemoveIfNotAll(drop) => {
                    if ids.iter().any(|c| drop.binary_search(c).is_err()) {
                        compact(ids, times.as_deref_mut(), |c| drop.binary_search(&c).is_err());
                    }
                }
                Step::RemoveIfLastAndNotAll(drop) => {
                    let tail = ids.iter().rev().take_while(|c| drop.binary_search(c).is_ok()).count();
                    if tail < ids.len() {
                        let keep = ids.len() - tail;
                        ids.truncate(keep);
                        if let Some(t) = times.as_deref_mut() {
                            t.truncate(keep);
                        }
                    }
                }
            }
        }
        before - ids.len()
    }
}

/// Keeps, in order, the touches for which `keep(channel)` is true (called
/// once per touch, in order), and their times.
fn compact(ids: &mut Vec<ChannelId>, mut times: Option<&mut Vec<i64>>, mut keep: impl FnMut(ChannelId) -> bool) {
    let mut w = 0;
    for r in 0..ids.len() {
        if keep(ids[r]) {
            ids[w] = ids[r];
            if let Some(t) = times.as_deref_mut() {
                t[w] = t[r];
            }
            w += 1;
        }
    }
    ids.truncate(w);
    if let Some(t) = times {
        t.truncate(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fractribution's example, channels A=0, B=1, C=2, D=3.
    const EXAMPLE: [ChannelId; 8] = [3, 0, 1, 1, 2, 3, 2, 2];

    fn id(name: &str) -> Option<ChannelId> {
        ["A", "B", "C", "D"].iter().position(|n| *n == name).map(|i| i as ChannelId)
    }

    fn run(spec: &str, path: &[ChannelId]) -> Vec<ChannelId> {
        let list: Vec<PathTransform> = spec.split(',').map(|t| t.parse().unwrap()).collect();
        let (t, unknown) = Transforms::resolve(&list, id);
        assert!(unknown.is_empty());
        let mut ids = path.to_vec();
        let dropped = t.apply(&mut ids, None);
        assert_eq!(dropped, path.len() - ids.len());
        ids
    }

    fn names(ids: &[ChannelId]) -> String {
        ids.iter().map(|&c| ["A", "B", "C", "D"][c as usize]).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn fractribution_example() {
        assert_eq!(names(&run("unique", &EXAMPLE)), "D,A,B,B,C,D,C,C");
        assert_eq!(names(&run("exposure", &EXAMPLE)), "D,A,B,C,D,C");
        assert_eq!(names(&run("first", &EXAMPLE)), "D,A,B,C");
        assert_eq!(names(&run("remove-if-not-all:D", &EXAMPLE)), "A,B,B,C,C,C");
        assert_eq!(names(&run("remove-if-last-and-not-all:C", &EXAMPLE)), "D,A,B,B,C,D");
        // Order matters.
        assert_eq!(names(&run("exposure,remove-if-not-all:D", &EXAMPLE)), "A,B,C,C");
        assert_eq!(names(&run("remove-if-not-all:D,exposure", &EXAMPLE)), "A,B,C");
        // Several channels at once.
        assert_eq!(names(&run("remove-if-not-all:D|C", &EXAMPLE)), "A,B,B");
        assert_eq!(names(&run("remove-if-last-and-not-all:C|D", &EXAMPLE)), "D,A,B,B");
    }

    #[test]
    fn snowplows_examples_and_journeys_of_only_removed_channels() {
        // Target A, path A,B,A,A: remove-if-not-all gives B, remove-if-last-and-not-all A,B.
        assert_eq!(names(&run("remove-if-not-all:A", &[0, 1, 0, 0])), "B");
        assert_eq!(names(&run("remove-if-last-and-not-all:A", &[0, 1, 0, 0])), "A,B");
        // Never an empty journey.
        assert_eq!(names(&run("remove-if-not-all:A", &[0, 0])), "A,A");
        assert_eq!(names(&run("remove-if-last-and-not-all:A", &[0, 0])), "A,A");
    }

    #[test]
    fn times_follow_the_kept_touches() {
        let (t, _) = Transforms::resolve(&[PathTransform::Exposure, PathTransform::First], id);
        let mut ids = EXAMPLE.to_vec();
        let mut times: Vec<i64> = (10..18).collect();
        assert_eq!(t.apply(&mut ids, Some(&mut times)), 4);
        assert_eq!(names(&ids), "D,A,B,C");
        assert_eq!(times, [10, 11, 12, 14], "the first touch of each run and of each channel");
    }

    #[test]
    fn unknown_channels_are_reported_and_match_nothing() {
        let list = ["remove-if-not-all:D|Nope".parse().unwrap()];
        let (t, unknown) = Transforms::resolve(&list, id);
        assert_eq!(unknown, ["Nope"]);
        let mut ids = EXAMPLE.to_vec();
        t.apply(&mut ids, None);
        assert_eq!(names(&ids), "A,B,B,C,C,C");
    }

    #[test]
    fn bad_names_are_refused() {
        for (bad, says) in [
            ("exposures", "unknown path transform `exposures`"),
            ("remove-if-not-all", "needs channels"),
            ("remove-if-not-all:A|", "names an empty channel"),
            ("first:A", "takes no channels"),
        ] {
            let e = bad.parse::<PathTransform>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn long_journeys_keep_first_occurrences_too() {
        let long: Vec<ChannelId> = (0..1000).map(|k| [3, 0, 1, 1, 2][k % 5]).collect();
        assert_eq!(names(&run("first", &long)), "D,A,B,C");
        assert_eq!(run("exposure", &long).len(), 800);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn transformed(list: &[PathTransform], path: &[ChannelId]) -> Vec<ChannelId> {
            let (t, _) = Transforms::resolve(list, id);
            let mut ids = path.to_vec();
            t.apply(&mut ids, None);
            ids
        }

        fn any_transform() -> impl Strategy<Value = PathTransform> {
            prop_oneof![
                Just(PathTransform::Unique),
                Just(PathTransform::Exposure),
                Just(PathTransform::First),
                prop::sample::subsequence(vec!["A", "B", "C", "D"], 1..3)
                    .prop_map(|c| PathTransform::RemoveIfNotAll(c.into_iter().map(String::from).collect())),
                prop::sample::subsequence(vec!["A", "B", "C", "D"], 1..3)
                    .prop_map(|c| PathTransform::RemoveIfLastAndNotAll(c.into_iter().map(String::from).collect())),
            ]
        }

        proptest! {
            #[test]
            fn exposure_and_first_are_idempotent_and_first_implies_exposure(path in prop::collection::vec(0u32..4, 1..40)) {
                let once = transformed(&[PathTransform::Exposure], &path);
                prop_assert_eq!(&transformed(&[PathTransform::Exposure, PathTransform::Exposure], &path), &once);
                let first = transformed(&[PathTransform::First], &path);
                prop_assert_eq!(&transformed(&[PathTransform::First, PathTransform::First], &path), &first);
                prop_assert_eq!(&transformed(&[PathTransform::Exposure, PathTransform::First], &path), &first);
                prop_assert_eq!(&transformed(&[PathTransform::First, PathTransform::Exposure], &path), &first);
            }

            #[test]
            fn no_chain_of_transforms_empties_a_journey_or_adds_a_touch(
                path in prop::collection::vec(0u32..4, 1..40),
                list in prop::collection::vec(any_transform(), 1..5),
            ) {
                let out = transformed(&list, &path);
                prop_assert!(!out.is_empty());
                // What is left is a subsequence of the journey.
                let mut rest = path.iter();
                prop_assert!(out.iter().all(|c| rest.any(|p| p == c)));
            }
        }
    }
}
