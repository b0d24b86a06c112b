//! Journeys turned back into rows, for `mta paths` and `mta journeys`: the
//! path aggregates other tools (and `mta attribute --paths`) read, and one
//! row per rebuilt journey for inspecting the journey rules.
//!
//! This module decides what the rows hold and their order (path text, or
//! customer id then journey number, both byte order), so that the output
//! never depends on the canonical hash order of customers. It formats
//! nothing but the path text; it never prints.

use std::io;

use rayon::prelude::*;

use super::aggregate::PathSums;
use super::{ChannelId, Journeys};
use crate::error::{Error, Result, display_value};

/// The separator between channels in a path text: the default `--sep` of
/// `mta attribute --paths`, and ChannelAttribution's convention.
pub const PATH_SEP: &str = " > ";

/// The character a path reader splits at (`--sep` is trimmed before use).
const SEP_CHAR: char = '>';

/// One path aggregate row: `path,total_conversions,total_conversion_value,total_null`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRow {
    /// Channel names, first touch first, joined by ` > `.
    pub path: String,
    /// Conversions of the journeys with this path.
    pub total_conversions: f64,
    /// Revenue of those conversions.
    pub total_conversion_value: f64,
    /// Journeys with this path that did not convert.
    pub total_null: f64,
}

/// One rebuilt journey of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyRow<'a> {
    /// Customer id as written in the input.
    pub customer_id: &'a str,
    /// 1-based number of the journey among its customer's journeys, in time order.
    pub journey: u64,
    /// Channels touched (after `--lookback` and `--max-touches`), first touch
    /// first; the text is joined by [`push_path_text`] as rows are written.
    pub touches: &'a [super::ChannelId],
    /// Whether the journey ends in a conversion.
    pub converted: bool,
    /// Revenue of the conversion (0 when the journey does not convert).
    pub value: f64,
    /// Time of the first touch, epoch milliseconds.
    pub first_touch_at: i64,
    /// Time of the conversion, epoch milliseconds (`None` when the journey does not convert).
    pub converted_at: Option<i64>,
}

/// A channel name that a path text cannot carry: the path reader would split
/// it into several channels.
#[derive(Debug, thiserror::Error)]
#[error(
    "channel `{}` contains `>`, which separates the channels of a path{}\n\n\
     hint: `mta attribute --paths` would read it as several channels; rename the channel in the input (e.g. replace `>` with `/`)",
    display_value(channel),
    if *others > 0 { format!(" (and {others} more channels do)") } else { String::new() }
)]
pub struct SeparatorInChannel {
    /// The first such channel, in name order.
    pub channel: String,
    /// How many other channels contain it.
    pub others: usize,
}

/// Aggregates journeys by path ([`super::aggregate::by_path`]), rows
/// sorted by path text. Fails when a channel that appears in a journey
/// contains `>`.
pub fn path_rows(journeys: &Journeys) -> std::result::Result<Vec<PathRow>, SeparatorInChannel> {
    check_separator(journeys)?;
    Ok(rows_of_groups(super::aggregate::by_path(journeys), journeys.channels()))
}

/// [`path_rows`] of journeys that came a group of customers at a time
/// ([`PathSums`], out of core).
pub fn path_rows_of_sums(sums: &PathSums, channels: &[String]) -> std::result::Result<Vec<PathRow>, SeparatorInChannel> {
    let groups = sums.groups();
    check_paths(channels, groups.iter().map(|g| g.touches))?;
    Ok(rows_of_groups(groups, channels))
}

fn rows_of_groups(groups: Vec<super::aggregate::PathGroup<'_>>, channels: &[String]) -> Vec<PathRow> {
    let mut rows: Vec<PathRow> = groups
        .into_iter()
        .map(|g| {
            let mut path = String::new();
            push_path_text(&mut path, channels, g.touches);
            PathRow {
                path,
                total_conversions: g.conversions,
                total_conversion_value: g.value,
                total_null: g.nulls,
            }
        })
        .collect();
    // Channel ids follow name order, but a sequence of ids does not sort like
    // the joined text (`A > B` vs `A!`), so sort by what the reader sees.
    rows.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    rows
}

/// One row per journey, sorted by customer id (byte order), then journey
/// number. Needs event input: path aggregates have no customers or times.
pub fn journey_rows(journeys: &Journeys) -> Result<Vec<JourneyRow<'_>>> {
    let (names, order) = named_order(journeys)?;
    let mut rows = Vec::with_capacity(order.len());
    let mut number = 0;
    for (k, &i) in order.iter().enumerate() {
        number = if k > 0 && names[order[k - 1]] == names[i] { number + 1 } else { 1 };
        rows.push(row_of(names[i], number, &journeys.get(i)));
    }
    Ok(rows)
}

/// The order of [`journey_rows`], for writing the journeys of one group of
/// customers as a sorted run (out of core, see [`super::runs`]).
pub fn journey_order(journeys: &Journeys) -> Result<Vec<usize>> {
    Ok(named_order(journeys)?.1)
}

/// Each journey's customer id, and the journeys sorted by it.
fn named_order(journeys: &Journeys) -> Result<(Vec<&str>, Vec<usize>)> {
    let needs_events = || {
        Error::usage(
            "journey rows need touchpoint events: path aggregates have no customers or times",
            "read the touchpoint events instead of `--paths`",
        )
    };
    if !journeys.is_timed() {
        return Err(needs_events());
    }
    let mut names = Vec::with_capacity(journeys.len());
    for j in journeys.iter() {
        names.push(j.customer.and_then(|c| journeys.customer_name(c)).ok_or_else(needs_events)?);
    }
    let mut order: Vec<usize> = (0..journeys.len()).collect();
    // Stable: a customer's journeys are contiguous and in time order already.
    order.par_sort_by(|&a, &b| names[a].cmp(names[b]));
    Ok((names, order))
}

/// The row of journey `j`, number `journey` of customer `customer_id`.
fn row_of<'a>(customer_id: &'a str, journey: u64, j: &super::Journey<'a>) -> JourneyRow<'a> {
    JourneyRow {
        customer_id,
        journey,
        touches: j.touches,
        converted: j.conversions > 0.0,
        value: j.value,
        first_touch_at: j.times.expect("timed journeys carry touch times")[0],
        converted_at: j.converted_at,
    }
}

/// Journey rows in output order, one at a time: from memory, or merged
/// from sorted runs on disk (out of core), so the writer never holds them all.
pub trait JourneyRowSource {
    /// Calls `f` with every row, in order.
    fn for_each_row(&self, f: &mut dyn FnMut(&JourneyRow<'_>) -> io::Result<()>) -> io::Result<()>;
}

impl JourneyRowSource for Vec<JourneyRow<'_>> {
    fn for_each_row(&self, f: &mut dyn FnMut(&JourneyRow<'_>) -> io::Result<()>) -> io::Result<()> {
        self.iter().try_for_each(f)
    }
}

/// The rows of journeys written as runs in [`journey_order`], merged.
pub struct MergedRows(std::sync::Mutex<Option<super::runs::Merge>>);

impl MergedRows {
    /// Merges `runs`, each written in [`journey_order`].
    pub fn new(runs: super::runs::Runs) -> io::Result<Self> {
        let merge = runs.merge(|a, b| a.customer_id.cmp(&b.customer_id))?;
        Ok(MergedRows(std::sync::Mutex::new(Some(merge))))
    }
}

impl JourneyRowSource for MergedRows {
    fn for_each_row(&self, f: &mut dyn FnMut(&JourneyRow<'_>) -> io::Result<()>) -> io::Result<()> {
        let merge = self.0.lock().expect("rows are produced by one caller").take();
        let Some(merge) = merge else {
            return Err(io::Error::other("the merged journey rows were already written"));
        };
        let (mut previous, mut number) = (String::new(), 0);
        merge.for_each(|j| {
            number = if number > 0 && previous == j.customer_id { number + 1 } else { 1 };
            if number == 1 {
                previous.clone_from(&j.customer_id);
            }
            f(&row_of(&j.customer_id, number, &j.view()))
        })
    }
}

/// Channel names joined by [`PATH_SEP`].
pub fn path_text(journeys: &Journeys, touches: &[super::ChannelId]) -> String {
    let mut s = String::new();
    push_path_text(&mut s, journeys.channels(), touches);
    s
}

/// Appends the names of `touches` joined by [`PATH_SEP`] to `buf`.
pub fn push_path_text(buf: &mut String, channels: &[String], touches: &[super::ChannelId]) {
    for (k, &c) in touches.iter().enumerate() {
        if k > 0 {
            buf.push_str(PATH_SEP);
        }
        buf.push_str(&channels[c as usize]);
    }
}

/// Fails on the first channel (by name) that appears in a journey and
/// contains the path separator; channels whose touches were all dropped
/// (`--lookback`, `--max-touches`) do not count.
fn check_separator(journeys: &Journeys) -> std::result::Result<(), SeparatorInChannel> {
    check_paths(journeys.channels(), journeys.iter().map(|j| j.touches))
}

/// [`check_separator`] of the channels used in `paths`.
fn check_paths<'t>(channels: &[String], paths: impl Iterator<Item = &'t [ChannelId]>) -> std::result::Result<(), SeparatorInChannel> {
    let bad: Vec<usize> = channels
        .iter()
        .enumerate()
        .filter(|(_, name)| name.contains(SEP_CHAR))
        .map(|(i, _)| i)
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let mut used = vec![false; channels.len()];
    for touches in paths {
        for &c in touches {
            used[c as usize] = true;
        }
    }
    let bad: Vec<usize> = bad.into_iter().filter(|&i| used[i]).collect();
    match bad.first() {
        None => Ok(()),
        Some(&first) => Err(SeparatorInChannel {
            channel: channels[first].clone(),
            others: bad.len() - 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::build::tests::inline as events;
    use crate::journey::{JourneyConfig, build};

    const DAY: i64 = 86_400_000;

    fn row(path: &str, c: f64, v: f64, n: f64) -> PathRow {
        PathRow {
            path: path.into(),
            total_conversions: c,
            total_conversion_value: v,
            total_null: n,
        }
    }

    #[test]
    fn identical_paths_are_merged_and_rows_sorted_by_text() {
        let j = Journeys::from_paths(&[
            (&["b", "a"], 1.0, 10.0, 0.0),
            (&["a"], 0.0, 0.0, 1.0),
            (&["b", "a"], 2.0, 5.5, 1.0),
            (&["a", "b"], 0.0, 0.0, 3.0),
            (&["a"], 1.0, 2.0, 0.0),
        ]);
        assert_eq!(
            path_rows(&j).unwrap(),
            [row("a", 1.0, 2.0, 1.0), row("a > b", 0.0, 0.0, 3.0), row("b > a", 3.0, 15.5, 1.0)]
        );
    }

    #[test]
    fn rows_sort_by_the_text_not_by_channel_ids() {
        // Ids follow names: "A" 0, "A\u{1}" 1, "A!" 2, "X" 3, so by ids
        // [A, X] comes first; by text "A\u{1}" does (U+0001 < the space of ` > `).
        let j = Journeys::from_paths(&[(&["A!"], 1.0, 0.0, 0.0), (&["A", "X"], 1.0, 0.0, 0.0), (&["A\u{1}"], 1.0, 0.0, 0.0)]);
        let paths: Vec<String> = path_rows(&j).unwrap().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["A\u{1}", "A > X", "A!"]);
    }

    #[test]
    fn a_channel_with_the_separator_is_refused() {
        let j = Journeys::from_paths(&[(&["Search>Brand", "Email"], 1.0, 0.0, 0.0), (&["a>b"], 0.0, 0.0, 1.0)]);
        let err = path_rows(&j).unwrap_err();
        assert_eq!(err.channel, "Search>Brand");
        assert_eq!(err.others, 1);
        assert!(
            err.to_string().starts_with(
                "channel `Search>Brand` contains `>`, which separates the channels of a path (and 1 more channels do)\n\nhint: "
            ),
            "{err}"
        );
    }

    #[test]
    fn journey_rows_number_each_customers_journeys_in_time_order() {
        let ev = events(&[
            ("zoe", 4, "Direct", true, 7.5),
            ("amy", 3, "Email", true, 20.0),
            ("amy", 1, "Search", false, 0.0),
            ("amy", 6, "Social", false, 0.0),
            ("zoe", 2, "Email", false, 0.0),
            ("amy", 5, "Email", true, 10.0),
            ("bo", 9, "Display", false, 0.0),
        ]);
        let (j, _) = build(&ev, &JourneyConfig::default());
        let rows = journey_rows(&j).unwrap();
        // (customer, number, path, touches, converted, value), then (first touch, conversion) times.
        let brief: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    (
                        r.customer_id,
                        r.journey,
                        path_text(&j, r.touches),
                        r.touches.len(),
                        r.converted,
                        r.value,
                    ),
                    (r.first_touch_at, r.converted_at),
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                (("amy", 1, "Search > Email".into(), 2, true, 20.0), (DAY, Some(3 * DAY))),
                (("amy", 2, "Email".into(), 1, true, 10.0), (5 * DAY, Some(5 * DAY))),
                (("amy", 3, "Social".into(), 1, false, 0.0), (6 * DAY, None)),
                (("bo", 1, "Display".into(), 1, false, 0.0), (9 * DAY, None)),
                (("zoe", 1, "Email > Direct".into(), 2, true, 7.5), (2 * DAY, Some(4 * DAY))),
            ]
        );
        // The same journeys aggregate into paths with every weight kept.
        assert_eq!(
            path_rows(&j).unwrap(),
            [
                row("Display", 0.0, 0.0, 1.0),
                row("Email", 1.0, 10.0, 0.0),
                row("Email > Direct", 1.0, 7.5, 0.0),
                row("Search > Email", 1.0, 20.0, 0.0),
                row("Social", 0.0, 0.0, 1.0)
            ]
        );
    }

    #[test]
    fn journey_rows_need_events() {
        let j = Journeys::from_paths(&[(&["a"], 1.0, 0.0, 0.0)]);
        let err = journey_rows(&j).unwrap_err();
        assert!(err.is_usage());
        assert!(err.to_string().contains("need touchpoint events"), "{err}");
    }
}
