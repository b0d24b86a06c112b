//! Journey-level figures for the HTML report (`mta report`): the most
//! converting paths, touches per converting journey, and time from first
//! touch to conversion.
//!
//! Computed from [`Journeys`] (the attribution [`super::Report`] holds only
//! per-channel credits), in a fixed order; it never prints or formats.

use serde::Serialize;

use rayon::prelude::*;

use crate::journey::Journeys;
use crate::journey::aggregate::{PathGroup, by_path};
use crate::journey::export::path_text;

/// Paths shown in the top-paths table.
pub const TOP_PATHS: usize = 20;

/// Up to this many touches, every count has its bar; past it, the bars
/// are ranges ([`TOUCH_RANGES`]).
pub const MAX_TOUCH_BUCKET: usize = 15;

/// Lower bounds of the touch buckets when a journey has more than
/// [`MAX_TOUCH_BUCKET`] touches: one bar per count to 9, then ranges; the
/// last bucket holds everything longer.
const TOUCH_RANGES: [usize; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 50, 100, 200];

/// Upper bounds (days, exclusive) of the time-to-conversion buckets, up to
/// two years; a last bucket holds everything longer. The histogram ends at
/// the bucket of the longest journey.
const DAY_BOUNDS: [f64; 11] = [1.0, 2.0, 3.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0];

/// One path and how often it converts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStat {
    /// Channel names, first touch first, joined by ` > `.
    pub path: String,
    /// Conversions of the journeys with this path.
    pub conversions: f64,
    /// Journeys with this path (converting and not).
    pub journeys: f64,
    /// conversions / journeys (0 when there are no journeys).
    pub rate: f64,
}

/// One histogram bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    /// What the bar counts, e.g. `3` touches or `7–14 d`.
    pub label: String,
    /// Converting journeys in the bucket (weighted by conversions for path rows).
    pub journeys: f64,
}

/// Journey-level figures of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct JourneyOverview {
    /// The [`TOP_PATHS`] paths with most conversions (ties: more journeys, then path text).
    pub top_paths: Vec<PathStat>,
    /// Distinct paths in the input.
    pub distinct_paths: usize,
    /// Converting journeys by touches: `1`, `2`, ... up to `15+`; empty without conversions.
    pub touches_histogram: Vec<Bucket>,
    /// Converting journeys by days from first touch to conversion; empty for path input.
    pub days_to_conversion_histogram: Vec<Bucket>,
}

impl JourneyOverview {
    /// Aggregates `journeys`.
    pub fn compute(journeys: &Journeys) -> Self {
        let mut touches: Vec<f64> = Vec::new();
        let mut days = [0.0; DAY_BOUNDS.len() + 1];
        let mut any_touch_hist = false;
        for j in journeys.iter() {
            if j.touches.is_empty() || j.conversions <= 0.0 {
                continue;
            }
            any_touch_hist = true;
            let n = j.touches.len();
            if touches.len() <= n {
                touches.resize(n + 1, 0.0);
            }
            touches[n] += j.conversions;
            if let (Some(times), Some(at)) = (j.times, j.converted_at) {
                let d = (at - times[0]).max(0) as f64 / 86_400_000.0;
                let b = DAY_BOUNDS.iter().position(|&hi| d < hi).unwrap_or(DAY_BOUNDS.len());
                days[b] += j.conversions;
            }
        }
        let mut groups: Vec<_> = by_path(journeys).into_iter().filter(|g| !g.touches.is_empty()).collect();
        let distinct_paths = groups.len();
        // Most conversions first, then most journeys; only the paths that can
        // make the top need their text (the last tie-break).
        let weight = |g: &PathGroup<'_>| (g.conversions, g.conversions + g.nulls);
        let by_figures = |a: &PathGroup<'_>, b: &PathGroup<'_>| {
            let (a, b) = (weight(a), weight(b));
            b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1))
        };
        groups.par_sort_unstable_by(by_figures);
        let cut = match groups.get(TOP_PATHS.saturating_sub(1)) {
            Some(last) => TOP_PATHS + groups[TOP_PATHS..].iter().take_while(|g| by_figures(g, last).is_eq()).count(),
            None => groups.len(),
        };
        let mut paths: Vec<PathStat> = groups[..cut]
            .iter()
            .map(|g| {
                let n = g.conversions + g.nulls;
                PathStat {
                    path: path_text(journeys, g.touches),
                    conversions: g.conversions,
                    journeys: n,
                    rate: if n > 0.0 { g.conversions / n } else { 0.0 },
                }
            })
            .collect();
        paths.sort_by(|a, b| {
            b.conversions
                .total_cmp(&a.conversions)
                .then(b.journeys.total_cmp(&a.journeys))
                .then_with(|| a.path.cmp(&b.path))
        });
        paths.truncate(TOP_PATHS);
        let touches_histogram = if any_touch_hist { touch_buckets(&touches) } else { Vec::new() };
        let days_to_conversion_histogram = if journeys.is_timed() && any_touch_hist {
            // Up to the bucket of the longest journey: a year of data gets
            // its long tail, a week of data no row of empty bars.
            let last = days.iter().rposition(|&n| n > 0.0).unwrap_or(0);
            let mut lo = 0.0;
            days[..=last]
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let label = match DAY_BOUNDS.get(i) {
                        Some(&hi) if i == 0 => format!("< {hi} d"),
                        Some(&hi) => format!("{lo}–{hi} d"),
                        None => format!("≥ {lo} d"),
                    };
                    lo = DAY_BOUNDS.get(i).copied().unwrap_or(lo);
                    Bucket { label, journeys: n }
                })
                .collect()
        } else {
            Vec::new()
        };
        JourneyOverview {
            top_paths: paths,
            distinct_paths,
            touches_histogram,
            days_to_conversion_histogram,
        }
    }
}

/// Converting journeys by touches (`by_count[k]`: of `k` touches), up to
/// the longest: a bar per count up to [`MAX_TOUCH_BUCKET`] touches, else a
/// bar per count to 9 and ranges past it (`10–14`, ..., `200+`).
fn touch_buckets(by_count: &[f64]) -> Vec<Bucket> {
    let longest = by_count.iter().rposition(|&n| n > 0.0).unwrap_or(1).max(1);
    if longest <= MAX_TOUCH_BUCKET {
        return (1..=longest)
            .map(|k| Bucket {
                label: k.to_string(),
                journeys: by_count[k],
            })
            .collect();
    }
    let sum = |lo: usize, hi: usize| by_count[lo.min(by_count.len())..hi.min(by_count.len())].iter().sum::<f64>();
    let mut out = Vec::new();
    for (i, &lo) in TOUCH_RANGES.iter().enumerate() {
        if lo > longest {
            break;
        }
        let (label, hi) = match TOUCH_RANGES.get(i + 1) {
            Some(&next) if next == lo + 1 => (lo.to_string(), next),
            Some(&next) => (format!("{lo}–{}", next - 1), next),
            None => (format!("{lo}+"), usize::MAX),
        };
        out.push(Bucket {
            label,
            journeys: sum(lo, hi),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_paths_and_touch_histogram_by_hand() {
        let j = Journeys::from_paths(&[
            (&["a", "b"], 3.0, 30.0, 1.0),
            (&["b"], 1.0, 5.0, 3.0),
            (&["a", "b"], 1.0, 5.0, 0.0),
            (&["c"], 0.0, 0.0, 2.0),
        ]);
        let o = JourneyOverview::compute(&j);
        assert_eq!(o.distinct_paths, 3);
        assert_eq!(o.top_paths[0].path, "a > b");
        assert_eq!(
            (o.top_paths[0].conversions, o.top_paths[0].journeys, o.top_paths[0].rate),
            (4.0, 5.0, 0.8)
        );
        assert_eq!(o.top_paths[1].path, "b");
        assert_eq!(o.top_paths[2].rate, 0.0);
        let h: Vec<(&str, f64)> = o.touches_histogram.iter().map(|b| (b.label.as_str(), b.journeys)).collect();
        assert_eq!(h, [("1", 1.0), ("2", 4.0)]);
        assert!(o.days_to_conversion_histogram.is_empty(), "paths carry no times");
    }

    #[test]
    fn days_to_conversion_buckets() {
        let day = 86_400_000;
        let mut j = Journeys::new(vec!["a".into(), "b".into()], true);
        j.push(&[0, 1], Some(&[0, day]), 1.0, 5.0, 0.0, Some(3 * day + 1));
        j.push(&[1], Some(&[0]), 1.0, 5.0, 0.0, Some(day / 2));
        j.push(&[0], Some(&[0]), 0.0, 0.0, 1.0, None);
        let o = JourneyOverview::compute(&j);
        let h: Vec<(&str, f64)> = o
            .days_to_conversion_histogram
            .iter()
            .filter(|b| b.journeys > 0.0)
            .map(|b| (b.label.as_str(), b.journeys))
            .collect();
        assert_eq!(h, [("< 1 d", 1.0), ("3–7 d", 1.0)]);
        // The histogram ends at the longest journey's bucket.
        assert_eq!(o.days_to_conversion_histogram.last().unwrap().label, "3–7 d");
        assert_eq!(o.top_paths.len(), 3);
    }

    #[test]
    fn buckets_stretch_to_long_journeys_in_touches_and_days() {
        let day = 86_400_000;
        let mut j = Journeys::new(vec!["a".into()], true);
        // 120 touches over 400 days; 12 touches over 200 days; 3 touches in a day.
        for (n, days) in [(120usize, 400i64), (12, 200), (3, 0)] {
            let times: Vec<i64> = (0..n as i64).map(|k| k * days * day / n as i64).collect();
            j.push(&vec![0; n], Some(&times), 1.0, 1.0, 0.0, Some(days * day + 1));
        }
        let o = JourneyOverview::compute(&j);
        let touches: Vec<(&str, f64)> = o.touches_histogram.iter().map(|b| (b.label.as_str(), b.journeys)).collect();
        let labels: Vec<&str> = touches.iter().map(|t| t.0).collect();
        assert_eq!(
            labels,
            [
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10–14",
                "15–19",
                "20–29",
                "30–49",
                "50–99",
                "100–199"
            ]
        );
        assert_eq!(touches[2].1, 1.0);
        assert_eq!(touches[9].1, 1.0, "12 touches");
        assert_eq!(touches[14].1, 1.0, "120 touches");
        let days: Vec<(&str, f64)> = o
            .days_to_conversion_histogram
            .iter()
            .map(|b| (b.label.as_str(), b.journeys))
            .collect();
        assert_eq!(days.last().unwrap(), &("365–730 d", 1.0));
        assert!(days.contains(&("180–365 d", 1.0)));
        // Up to 15 touches, a bar per count.
        assert_eq!(
            touch_buckets(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]).len(),
            15
        );
    }

    #[test]
    fn ties_at_the_last_place_go_to_the_first_paths_by_text() {
        // One path ahead, then 30 tied paths: the top holds the leader and the
        // first 19 of the tied ones by text, whatever the order they came in.
        let names: Vec<String> = (0..30).rev().map(|i| format!("c{i:02}")).collect();
        let mut rows: Vec<(&[&str], f64, f64, f64)> = Vec::new();
        let refs: Vec<[&str; 1]> = names.iter().map(|n| [n.as_str()]).collect();
        for r in &refs {
            rows.push((r, 1.0, 1.0, 0.0));
        }
        rows.push((&["zz"], 5.0, 1.0, 0.0));
        let o = JourneyOverview::compute(&Journeys::from_paths(&rows));
        let top: Vec<&str> = o.top_paths.iter().map(|p| p.path.as_str()).collect();
        let want: Vec<String> = std::iter::once("zz".to_string())
            .chain((0..19).map(|i| format!("c{i:02}")))
            .collect();
        assert_eq!(top, want);
        assert_eq!(o.distinct_paths, 31);
    }
}
