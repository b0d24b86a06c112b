//! Events -> journeys, by the journey rules (docs/GUIDE.md, "Journey rules"):
//!
//! - Per customer, touches are ordered by timestamp; ties are broken by
//!   content, never by row order: at equal times non-converting touches come
//!   before a converting one, then by channel name, then by value.
//! - Each conversion closes a journey of the customer's touches at or before
//!   the conversion time and after the previous conversion. With inline
//!   conversions the converting touch is the journey's last touch.
//! - Touches after the last conversion form one non-converting journey.
//! - `lookback` drops touches older than the window before their conversion;
//!   `max_touches` keeps the last N touches of every journey.
//! - A conversion left with no touch is counted as unattributed.
//!
//! Grouping is a counting sort by customer (linear); only each customer's own
//! touches are sorted. Customers are processed in parallel in fixed-size
//! chunks and concatenated in order, so the result does not depend on the
//! number of threads.

use rayon::prelude::*;
use serde::Serialize;

use super::transform::{PathTransform, Transforms};
use super::{ChannelId, Journeys};
use crate::input::{Conversions, Events, PathTable};

/// How a customer's touches become journeys (`--journey-mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum JourneyMode {
    /// Each conversion closes the journey of the touches since the previous one; the touches after the last conversion form a non-converting journey.
    #[default]
    Split,
    /// Each conversion's journey is every touch within `--lookback` before it, earlier conversions or not (fractribution, Snowplow); only customers who never convert have a non-converting journey.
    Window,
}

/// Journey rules that take parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JourneyConfig {
    /// How touches become journeys.
    pub mode: JourneyMode,
    /// Touches more than this many ms before their conversion are dropped.
    pub lookback_ms: Option<i64>,
    /// Keep only the last N touches of each journey.
    pub max_touches: Option<usize>,
    /// Path transforms, applied in order after the two above.
    pub transforms: Vec<PathTransform>,
    /// `--from` / `--to`: the journeys to keep, by conversion time (or, for a
    /// non-converting journey, its last touch time).
    pub period: Period,
    /// `--include-channels` / `--exclude-channels`: touches dropped before
    /// journeys are built.
    pub channel_filter: Option<ChannelFilter>,
    /// `--session-gap`: rows of one visit become one touch (see
    /// `keep_touches`), in ms.
    pub session_gap_ms: Option<i64>,
}

/// An analysis period, `[from, to)` in epoch ms; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// First instant in the period.
    pub from_ms: Option<i64>,
    /// First instant after the period (exclusive, so that `--from` of one
    /// report and `--to` of the previous can be the same date).
    pub to_ms: Option<i64>,
}

impl Period {
    /// Whether the period is the whole time line.
    pub fn is_open(&self) -> bool {
        self.from_ms.is_none() && self.to_ms.is_none()
    }

    /// Whether `ms` falls in the period.
    pub fn contains(&self, ms: i64) -> bool {
        self.from_ms.is_none_or(|f| ms >= f) && self.to_ms.is_none_or(|t| ms < t)
    }
}

/// Channels to keep or drop, by name (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFilter {
    /// `true`: keep only these channels (`--include-channels`); `false`:
    /// drop them (`--exclude-channels`).
    pub include: bool,
    /// The names as given.
    pub names: Vec<String>,
}

impl ChannelFilter {
    /// Which of `channels` (sorted names) to keep, and the given names that
    /// match none of them.
    fn resolve(&self, channels: &[String]) -> (Vec<bool>, Vec<String>) {
        let wanted: Vec<String> = self.names.iter().map(|n| n.trim().to_lowercase()).collect();
        let lowered: Vec<String> = channels.iter().map(|c| c.to_lowercase()).collect();
        let keep = lowered.iter().map(|c| wanted.contains(c) == self.include).collect();
        let unknown = self
            .names
            .iter()
            .zip(&wanted)
            .filter(|(_, w)| !lowered.contains(w))
            .map(|(n, _)| n.clone())
            .collect();
        (keep, unknown)
    }
}

/// Journeys that `--from` / `--to` removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct OutsidePeriod {
    /// Journeys removed (converting and not).
    pub journeys: u64,
    /// Conversions among them.
    pub conversions: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// What journey building did, for the summary and for reconciliation. It
/// is serialized as part of the input summary (JSON `input`), in this
/// order; the names and times are carried beside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JourneyStats {
    /// Distinct customers with at least one touch (event input).
    pub customers: Option<u64>,
    /// Path aggregates: distinct paths after merging duplicate rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinct_paths: Option<u64>,
    /// Journeys (converting and not). For path aggregates, the journeys
    /// the rows stand for: conversions + nulls, not the number of rows.
    #[serde(serialize_with = "crate::format::serialize_count")]
    pub journeys: f64,
    /// Journeys that end in a conversion (for path aggregates, the conversions).
    #[serde(serialize_with = "crate::format::serialize_count")]
    pub converting_journeys: f64,
    /// Non-converting journeys (or path rows' null counts).
    #[serde(rename = "non_converting")]
    pub nulls: f64,
    /// Conversions attributed to journeys.
    pub conversions: f64,
    /// Revenue of those conversions.
    pub revenue: f64,
    /// Conversions with no touch before them (after lookback).
    pub unattributed_conversions: u64,
    /// Revenue of the unattributed conversions.
    pub unattributed_value: f64,
    /// Touches kept in journeys.
    pub touches: u64,
    /// Touches dropped by `--lookback`.
    pub dropped_by_lookback: u64,
    /// Touches dropped by `--max-touches`.
    pub dropped_by_max_touches: u64,
    /// Touches dropped by `--path-transform`.
    pub dropped_by_transforms: u64,
    /// `--journey-mode window`: touches in no conversion's window (nor in a
    /// non-converting customer's); `None` in split mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_windows: Option<u64>,
    /// Touches dropped by `--include-channels` / `--exclude-channels`.
    pub dropped_by_channel_filter: u64,
    /// `--session-gap`: rows merged into the first touch of their visit.
    pub merged_into_visits: u64,
    /// Channels named by `--path-transform` that the input does not have.
    #[serde(skip)]
    pub unknown_transform_channels: Vec<String>,
    /// Channels named by those flags that the input does not have.
    #[serde(skip)]
    pub unknown_filter_channels: Vec<String>,
    /// What `--from` / `--to` removed; `None` without them.
    #[serde(skip)]
    pub outside_period: Option<OutsidePeriod>,
    /// The first and last touch and conversion.
    #[serde(skip)]
    pub times: DataTimes,
}

/// The first and last touch and conversion of the data (epoch ms),
/// serialized as RFC 3339 UTC texts (`first_touch`, `last_touch`,
/// `first_conversion`, `last_conversion`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DataTimes {
    /// Earliest touch.
    pub first_touch: Option<i64>,
    /// Latest touch.
    pub last_touch: Option<i64>,
    /// Earliest conversion (in the period or not).
    pub first_conversion: Option<i64>,
    /// Latest conversion (in the period or not).
    pub last_conversion: Option<i64>,
}

impl DataTimes {
    /// The data's first and last instant: from the first touch or
    /// conversion to the last touch or conversion.
    pub fn span(&self) -> Option<(i64, i64)> {
        let first = self.first_touch.into_iter().chain(self.first_conversion).min()?;
        let last = self.last_touch.into_iter().chain(self.last_conversion).max()?;
        Some((first, last))
    }
}

impl Serialize for DataTimes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let text = |ms: Option<i64>| ms.map(crate::input::time::format_ms);
        let mut out = s.serialize_struct("DataTimes", 4)?;
        out.serialize_field("first_touch", &text(self.first_touch))?;
        out.serialize_field("last_touch", &text(self.last_touch))?;
        out.serialize_field("first_conversion", &text(self.first_conversion))?;
        out.serialize_field("last_conversion", &text(self.last_conversion))?;
        out.end()
    }
}

impl JourneyStats {
    /// Adds the counts of `o` (journeys, conversions, dropped touches);
    /// customers, times and names stay.
    pub fn add(&mut self, o: &JourneyStats) {
        self.journeys += o.journeys;
        self.converting_journeys += o.converting_journeys;
        self.conversions += o.conversions;
        self.revenue += o.revenue;
        self.nulls += o.nulls;
        self.unattributed_conversions += o.unattributed_conversions;
        self.unattributed_value += o.unattributed_value;
        self.touches += o.touches;
        self.dropped_by_lookback += o.dropped_by_lookback;
        self.dropped_by_max_touches += o.dropped_by_max_touches;
        self.dropped_by_transforms += o.dropped_by_transforms;
        if let Some(n) = o.outside_windows {
            *self.outside_windows.get_or_insert(0) += n;
        }
        self.dropped_by_channel_filter += o.dropped_by_channel_filter;
        self.merged_into_visits += o.merged_into_visits;
        if let Some(o) = o.outside_period {
            let p = self.outside_period.get_or_insert_default();
            p.journeys += o.journeys;
            p.conversions += o.conversions;
            p.revenue += o.revenue;
        }
    }
}

/// The channel id of a touch that a channel filter drops (no channel has
/// it: ids are positions in a list).
const DROPPED: ChannelId = ChannelId::MAX;

/// One touch as journey building needs it, gathered next to the customer's
/// other touches so that the per-customer work reads memory sequentially.
#[derive(Debug, Clone, Copy)]
struct Touch {
    time: i64,
    value: f64,
    /// Channel id in name order.
    channel: ChannelId,
    /// Inline mode: this touch is a conversion.
    converts: bool,
}

/// One conversion: from a separate file, or a converting touch.
#[derive(Debug, Clone, Copy)]
struct Conversion {
    time: i64,
    value: f64,
    /// Inline conversions: where its journey ends (exclusive) among the
    /// customer's sorted, kept touches: just after the converting touch, or
    /// where it stood when a channel filter dropped it.
    end: Option<usize>,
}

/// Rebuilds journeys from touchpoint events.
pub fn build(events: &Events, cfg: &JourneyConfig) -> (Journeys, JourneyStats) {
    build_segment(events, cfg, None)
}

/// Rebuilds the journeys of one segment (`--by`): only conversions `c`
/// with `segment_of[c] == segment` close journeys, `segment_of` being
/// parallel to the inline rows or to the separate conversions. An inline
/// conversion of another segment stays as an ordinary touch.
pub fn build_segment(events: &Events, cfg: &JourneyConfig, segment: Option<(&[u32], u32)>) -> (Journeys, JourneyStats) {
    build_in(events, cfg, segment, JourneyStats::default())
}

/// [`build`] on the next partition of customers (out of core), its
/// statistics added to `before`, those of the partitions before it: in the
/// same order as over all customers at once, so the sums are the same.
pub fn build_after(events: &Events, cfg: &JourneyConfig, before: JourneyStats) -> (Journeys, JourneyStats) {
    build_in(events, cfg, None, before)
}

/// [`build`] that frees the events' per-row columns (see
/// [`Events::release_rows`]) once every customer's journeys are built and
/// before they are joined into one [`Journeys`]: that join held the rows,
/// the journeys in pieces and the joined journeys at once, the peak of a
/// run. Returns the events without their rows, for the summary.
pub fn build_owned(mut events: Events, cfg: &JourneyConfig) -> (Journeys, JourneyStats, Events) {
    // Inline values: only the converting rows' are kept (the others are
    // never credited), a double per row less while journeys are built.
    let converting = match &mut events.conversions {
        Conversions::Inline { flag, value } => Some(ConvertingValues::new(flag, std::mem::take(value))),
        _ => None,
    };
    let staged = stage(&events, cfg, None, JourneyStats::default(), converting.as_ref());
    drop(converting);
    events.release_rows();
    let (mut journeys, stats) = staged.join();
    if let Some(m) = &events.milestones {
        journeys.attach_milestones(m);
    }
    (journeys, stats, events)
}

fn build_in(events: &Events, cfg: &JourneyConfig, segment: Option<(&[u32], u32)>, before: JourneyStats) -> (Journeys, JourneyStats) {
    let (mut journeys, stats) = stage(events, cfg, segment, before, None).join();
    if let Some(m) = &events.milestones {
        journeys.attach_milestones(m);
    }
    (journeys, stats)
}

/// The values of the converting rows of inline conversions, in row order,
/// found by a row's rank among them.
struct ConvertingValues {
    values: Vec<f64>,
    rows: crate::marks::Marks,
}

impl ConvertingValues {
    fn new(flag: &[bool], value: Vec<f64>) -> Self {
        let values = flag.iter().zip(value).filter(|(f, _)| **f).map(|(_, v)| v).collect();
        ConvertingValues {
            values,
            rows: crate::marks::Marks::of_flags(flag),
        }
    }

    /// The value of row `row`, which converts.
    fn get(&self, row: usize) -> f64 {
        self.values[self.rows.rank(row)]
    }
}

/// Journeys of some customers, their owners and statistics.
type Built = (Journeys, Vec<u32>, JourneyStats);

/// Hash buckets of customers built in parallel before they are appended
/// to the whole (of 4096): a sixty-fourth of the journeys held twice.
const WAVE: usize = 64;

/// Journeys built per hash bucket of customers, not yet finished.
struct Staged {
    /// The journeys of every bucket, their owners and statistics.
    whole: Built,
    channel_names: Vec<String>,
    customers: std::sync::Arc<crate::intern::customers::CustomerIds>,
    /// Statistics of the run so far (partitions before this one), and the
    /// customers with touches in this one.
    before: JourneyStats,
    customers_here: u64,
    touch_range: (Option<i64>, Option<i64>),
    conversion_range: (Option<i64>, Option<i64>),
    window_mode: bool,
    open_period: bool,
    unknown_transform_channels: Vec<String>,
    unknown_filter_channels: Vec<String>,
}

impl Staged {
    /// One [`Journeys`] of the pieces, in bucket order.
    fn join(self) -> (Journeys, JourneyStats) {
        let (mut journeys, owners, built) = self.whole;
        journeys.channels = self.channel_names;
        let customers_before = self.before.customers;
        let mut stats = built;
        stats.customers = Some(customers_before.unwrap_or(0) + self.customers_here);
        if self.window_mode {
            stats.outside_windows.get_or_insert(0);
        }
        stats.unknown_transform_channels = self.unknown_transform_channels;
        stats.unknown_filter_channels = self.unknown_filter_channels;
        if !self.open_period {
            stats.outside_period.get_or_insert_default();
        }
        let before = self.before.times;
        stats.times = DataTimes {
            first_touch: self.touch_range.0.into_iter().chain(before.first_touch).min(),
            last_touch: self.touch_range.1.into_iter().chain(before.last_touch).max(),
            first_conversion: self.conversion_range.0.into_iter().chain(before.first_conversion).min(),
            last_conversion: self.conversion_range.1.into_iter().chain(before.last_conversion).max(),
        };
        journeys.customers = Some((self.customers, owners));
        (journeys, stats)
    }
}

/// Every customer's journeys, built in parallel per hash bucket.
///
/// `converting`: the inline values as kept by [`build_owned`] (the events'
/// own per-row values are gone then).
fn stage(
    events: &Events,
    cfg: &JourneyConfig,
    segment: Option<(&[u32], u32)>,
    before: JourneyStats,
    converting: Option<&ConvertingValues>,
) -> Staged {
    let order = ChannelOrder::new(events, cfg);
    let (transforms, unknown) = resolve(&cfg.transforms, &order.names);
    // Customer codes are already in canonical order (see input::customers).
    let n_customers = events.customers.len();
    let flag: &[bool] = match &events.conversions {
        Conversions::Inline { flag, .. } => flag,
        _ => &[],
    };
    // Rows grouped by customer as 4-byte row numbers, each touch gathered
    // when its customer's journeys are built: grouping the 24-byte touches
    // themselves held two copies of them at once, the peak of a run. (Row
    // numbers fit: 2^32 rows would need over 100 GB of typed columns.)
    let (touch_offsets, touch_rows) = bucket(&events.customer, n_customers, |row| row as u32);
    let gather = Gather {
        events,
        cfg,
        transforms: &transforms,
        segment,
        converting,
        flag,
        channel_rank: &order.rank,
        renumber: order.renumber.as_deref(),
        touch_offsets: &touch_offsets,
        touch_rows: &touch_rows,
        separate: separate_conversions(events, segment, n_customers),
    };
    let conversions = match &gather.separate {
        Some((_, all)) => all.len(),
        None => flag.iter().filter(|&&f| f).count(),
    };
    // Work items are the customers' hash buckets: the float sums of the
    // statistics then come out the same when customers are read in
    // partitions of whole buckets (out of core).
    let chunks: Vec<std::ops::Range<usize>> = events.customers.buckets().collect();
    let mut whole = (Journeys::new(Vec::new(), true), Vec::new(), before.clone());
    // The whole is reserved for what the buckets can yield (in split mode
    // at most: each touch once; a journey per conversion plus one per
    // customer); pages that stay unused are never touched.
    whole.0.reserve(n_customers + conversions, touch_rows.len());
    whole.1.reserve(n_customers + conversions);
    in_waves(&chunks, &mut whole, |chunk| gather.bucket(chunk));
    Staged {
        whole,
        channel_names: order.names,
        customers: events.customers.clone(),
        before,
        customers_here: touch_offsets.windows(2).filter(|w| w[1] > w[0]).count() as u64,
        touch_range: (events.time.iter().copied().min(), events.time.iter().copied().max()),
        conversion_range: conversion_range(events, segment),
        window_mode: cfg.mode == JourneyMode::Window,
        open_period: cfg.period.is_open(),
        unknown_transform_channels: unknown,
        unknown_filter_channels: order.unknown_filter,
    }
}

/// Channels in name order, as journeys number them: a filtered-out channel
/// leaves the list (no row of zeros in the results) and its touches go
/// before journeys are built. Touches keep their rank among all channels
/// until sorted, so that ties are ordered as without the filter, and are
/// renumbered (`renumber`) after.
struct ChannelOrder {
    /// Each input channel code's rank among all channels by name.
    rank: Vec<ChannelId>,
    /// The names kept, in name order.
    names: Vec<String>,
    /// With a channel filter: each rank's new id, [`DROPPED`] for a filtered one.
    renumber: Option<Vec<ChannelId>>,
    /// Channels the filter names that the input does not have.
    unknown_filter: Vec<String>,
}

impl ChannelOrder {
    fn new(events: &Events, cfg: &JourneyConfig) -> Self {
        let (channels, rank) = events.channels.sorted();
        let mut names: Vec<String> = channels.iter().map(str::to_string).collect();
        let Some(f) = &cfg.channel_filter else {
            return ChannelOrder {
                rank,
                names,
                renumber: None,
                unknown_filter: Vec::new(),
            };
        };
        let (keep, unknown_filter) = f.resolve(&names);
        let mut new_id = Vec::with_capacity(keep.len());
        let mut next = 0;
        for &k in &keep {
            new_id.push(if k { next } else { DROPPED });
            next += ChannelId::from(k);
        }
        let mut k = keep.iter();
        names.retain(|_| *k.next().expect("one flag per channel"));
        ChannelOrder {
            rank,
            names,
            renumber: Some(new_id),
            unknown_filter,
        }
    }
}

/// Separate conversions grouped by customer (those of the segment, with one).
fn separate_conversions(events: &Events, segment: Option<(&[u32], u32)>, n_customers: usize) -> Option<(Vec<usize>, Vec<Conversion>)> {
    let Conversions::Separate { customer, time, value, .. } = &events.conversions else {
        return None;
    };
    let selected = |i: usize| segment.is_none_or(|(of, s)| of[i] == s);
    let rows: Option<Vec<usize>> = segment.map(|_| (0..customer.len()).filter(|&i| selected(i)).collect());
    let of: Option<Vec<u32>> = rows.as_ref().map(|r| r.iter().map(|&i| customer[i]).collect());
    let row = |k: usize| rows.as_ref().map_or(k, |r| r[k]);
    Some(bucket(of.as_deref().unwrap_or(customer), n_customers, |k| Conversion {
        time: time[row(k)],
        value: value[row(k)],
        end: None,
    }))
}

/// What building one bucket of customers reads: the events, grouped by
/// customer, and the rules.
struct Gather<'a> {
    events: &'a Events,
    cfg: &'a JourneyConfig,
    transforms: &'a Transforms,
    segment: Option<(&'a [u32], u32)>,
    converting: Option<&'a ConvertingValues>,
    /// Inline conversion flags (empty with separate conversions).
    flag: &'a [bool],
    channel_rank: &'a [ChannelId],
    renumber: Option<&'a [ChannelId]>,
    /// `touch_rows[touch_offsets[c]..touch_offsets[c + 1]]`: customer c's rows.
    touch_offsets: &'a [usize],
    touch_rows: &'a [u32],
    /// Separate conversions by customer: offsets and conversions.
    separate: Option<(Vec<usize>, Vec<Conversion>)>,
}

impl Gather<'_> {
    /// Row `row` as a touch. A touch that does not convert carries no
    /// value: only a conversion's is credited, and touches alike but for it
    /// are interchangeable.
    fn touch(&self, row: usize) -> Touch {
        let flagged = self.flag.get(row).copied().unwrap_or(false);
        let value = match (flagged, self.converting) {
            (false, _) => 0.0,
            (true, Some(c)) => c.get(row),
            (true, None) => match &self.events.conversions {
                Conversions::Inline { value, .. } => value[row],
                _ => 0.0,
            },
        };
        Touch {
            time: self.events.time[row],
            value,
            channel: self.channel_rank[self.events.channel[row] as usize],
            converts: flagged && self.segment.is_none_or(|(of, s)| of[row] == s),
        }
    }

    /// The journeys of the customers of `chunk`, their owners and statistics.
    fn bucket(&self, chunk: std::ops::Range<usize>) -> Built {
        let (offsets, rows) = (self.touch_offsets, self.touch_rows);
        let mut out = Out::new(self.cfg, self.transforms);
        // Room for what the bucket usually yields (in split mode at most:
        // each touch once; a journey per conversion plus one per
        // customer): grown by doubling, the pieces held a third more
        // than their journeys while all of them were alive.
        let mine_rows = &rows[offsets[chunk.start]..offsets[chunk.end]];
        let inline_conversions = match self.flag.is_empty() {
            true => 0,
            false => mine_rows.iter().filter(|&&r| self.flag[r as usize]).count(),
        };
        let separate_conversions = self.separate.as_ref().map_or(0, |(o, _)| o[chunk.end] - o[chunk.start]);
        let journeys = chunk.len() + inline_conversions + separate_conversions;
        out.journeys.reserve(journeys, mine_rows.len());
        out.owners.reserve(journeys);
        let mut mine: Vec<Touch> = Vec::new();
        let mut convs: Vec<Conversion> = Vec::new();
        let bucket_end = offsets[chunk.end];
        let mut ahead = offsets[chunk.start];
        for customer in chunk {
            mine.clear();
            // The rows of the customers a little further on are announced
            // to the memory system: each is a random place in the per-row
            // columns, and waiting for them one by one was a fifth of a run.
            let upto = (offsets[customer + 1] + PREFETCH_ROWS).min(bucket_end);
            for &row in &rows[ahead.max(offsets[customer])..upto.max(ahead)] {
                let row = row as usize;
                prefetch(&self.events.time, row);
                prefetch(&self.events.channel, row);
                prefetch(self.flag, row);
            }
            ahead = upto.max(ahead);
            mine.extend(
                rows[offsets[customer]..offsets[customer + 1]]
                    .iter()
                    .map(|&row| self.touch(row as usize)),
            );
            sort_touches(&mut mine);
            out.owner = customer as u32;
            convs.clear();
            if let Some((offsets, all)) = &self.separate {
                convs.extend_from_slice(&all[offsets[customer]..offsets[customer + 1]]);
                convs.sort_unstable_by(|a, b| a.time.cmp(&b.time).then(a.value.total_cmp(&b.value)));
            }
            let gap = self.cfg.session_gap_ms;
            let (kept, merged) = keep_touches(&mut mine, &mut convs, self.renumber, gap, self.separate.is_none());
            out.stats.dropped_by_channel_filter += (mine.len() - kept - merged) as u64;
            out.stats.merged_into_visits += merged as u64;
            mine.truncate(kept);
            match self.cfg.mode {
                JourneyMode::Split => out.split(&mine, &convs),
                JourneyMode::Window => out.window(&mine, &convs),
            }
        }
        (out.journeys, out.owners, out.stats)
    }
}

/// Builds the buckets of `chunks` in parallel a wave at a time, each wave
/// appended to `whole` at once (the pieces of all buckets and their join
/// were two copies of every journey, the peak of a run), while the next
/// wave is built (the append is a copy on one thread). Statistics add up
/// in bucket order, as over partitions out of core (float sums in the same
/// order).
fn in_waves(chunks: &[std::ops::Range<usize>], whole: &mut Built, build: impl Fn(std::ops::Range<usize>) -> Built + Sync) {
    let append = |whole: &mut Built, parts: Vec<Built>| {
        for (part, owners, stats) in parts {
            whole.0.append(part);
            whole.1.extend(owners);
            whole.2.add(&stats);
        }
    };
    let mut built = Vec::new();
    for wave in chunks.chunks(WAVE) {
        let done = std::mem::take(&mut built);
        built = rayon::join(|| wave.par_iter().cloned().map(&build).collect(), || append(whole, done)).0;
    }
    append(whole, built);
}

/// The earliest and latest time of the conversions of `events` (of the
/// segment, with one).
fn conversion_range(events: &Events, segment: Option<(&[u32], u32)>) -> (Option<i64>, Option<i64>) {
    let selected = |i: usize| segment.is_none_or(|(of, s)| of[i] == s);
    let times: Box<dyn Iterator<Item = i64> + '_> = match &events.conversions {
        Conversions::Inline { flag, .. } => Box::new((0..flag.len()).filter(|&i| flag[i] && selected(i)).map(|i| events.time[i])),
        Conversions::Separate { time, .. } => Box::new((0..time.len()).filter(|&i| selected(i)).map(|i| time[i])),
        Conversions::None => Box::new(std::iter::empty()),
    };
    times.fold((None, None), |(lo, hi): (Option<i64>, Option<i64>), t| {
        (Some(lo.map_or(t, |l| l.min(t))), Some(hi.map_or(t, |h| h.max(t))))
    })
}

/// Keeps a customer's sorted touches, in place, and returns how many are
/// kept and how many were merged into a visit:
///
/// - with `gap` (`--session-gap`), a touch of the same channel as the
///   touch before it, less than `gap` after the customer's previous row
///   (that touch, or a conversion between them), continues its visit: it
///   is merged into the visit's first touch (a different channel always
///   starts a new touch);
/// - a touch of a filtered channel (`renumber` gives [`DROPPED`]) is dropped.
///
/// With `inline` conversions, a converting touch pushes its conversion
/// onto `convs`, merged or dropped or not, its journey ending where the
/// touch stood; otherwise `convs` holds the separate conversions, sorted,
/// which count as rows for the gap (a conversion ahead of a touch at the
/// same time comes after it, as in journey order).
fn keep_touches(
    touches: &mut [Touch],
    convs: &mut Vec<Conversion>,
    renumber: Option<&[ChannelId]>,
    gap: Option<i64>,
    inline: bool,
) -> (usize, usize) {
    let (mut kept, mut merged) = (0, 0);
    let mut prev: Option<Touch> = None;
    let separate = if inline { 0 } else { convs.len() };
    let (mut next_conversion, mut last_conversion) = (0, i64::MIN);
    for k in 0..touches.len() {
        let mut t = touches[k];
        while next_conversion < separate && convs[next_conversion].time < t.time {
            last_conversion = convs[next_conversion].time;
            next_conversion += 1;
        }
        let continues = match (gap, prev) {
            (Some(gap), Some(p)) => p.channel == t.channel && t.time - p.time.max(last_conversion) < gap,
            _ => false,
        };
        prev = Some(t);
        if let Some(new_id) = renumber {
            t.channel = new_id[t.channel as usize];
        }
        if continues {
            merged += 1;
        } else if t.channel != DROPPED {
            touches[kept] = t;
            kept += 1;
        }
        if t.converts && inline {
            convs.push(Conversion {
                time: t.time,
                value: t.value,
                end: Some(kept),
            });
        }
    }
    (kept, merged)
}

/// Rows ahead of the one being gathered whose touch is prefetched.
const PREFETCH_ROWS: usize = 48;

/// Asks for `items[i]` to be brought into cache (no effect where the
/// platform has no prefetch instruction, or past the end).
#[inline(always)]
fn prefetch<T>(items: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = items.get(i) {
        // SAFETY: a prefetch only hints the cache; it cannot fault or
        // change memory, and the address is that of a live element.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((item as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, i);
}

/// Counting sort by customer code: `offsets[c]..offsets[c + 1]` of the
/// returned records are customer `c`'s rows, in row order, made by `make(row)`.
///
/// Two passes, because one scatter straight to the final position is a
/// random write per row into hundreds of megabytes: first into
/// `PARTS` ranges of customers (as many sequential write streams), then
/// within each range, which fits in cache. Both run in parallel: the first
/// over pieces of rows, each writing to its own place in every range (so
/// rows stay in order), the second over the ranges.
fn bucket<T: Copy + Default + Send + Sync>(customer: &[u32], n: usize, make: impl Fn(usize) -> T + Sync) -> (Vec<usize>, Vec<T>) {
    const PARTS: usize = 256;
    const PIECE_ROWS: usize = 1 << 18;
    let rows = customer.len();
    let per_part = n.div_ceil(PARTS).max(1);
    let part_of = |c: u32| c as usize / per_part;
    // Pass 1: into the ranges, rows in order.
    let (staged, lens) = crate::scatter::scatter(
        rows,
        PARTS,
        PIECE_ROWS,
        |row| part_of(customer[row]),
        |row| (customer[row], make(row)),
    );
    let mut part_start = vec![0usize; PARTS + 1];
    for p in 0..PARTS {
        part_start[p + 1] = part_start[p] + lens[p];
    }
    // Pass 2: within each range, to the final positions (stable); each
    // range also writes its customers' offsets.
    let mut out = vec![T::default(); rows];
    let mut offsets = vec![0usize; n + 1];
    let dsts = crate::scatter::split_by_mut(&mut out, &lens);
    let customers: Vec<usize> = (0..PARTS).map(|p| ((p + 1) * per_part).min(n) - (p * per_part).min(n)).collect();
    let ends = crate::scatter::split_by_mut(&mut offsets[1..], &customers);
    dsts.into_par_iter().zip(ends).enumerate().for_each(|(p, (dst, ends))| {
        let (base, first) = (part_start[p], (p * per_part).min(n));
        let src = &staged[base..part_start[p + 1]];
        for &(c, _) in src {
            ends[c as usize - first] += 1;
        }
        let mut pos = Vec::with_capacity(ends.len());
        let mut at = 0;
        for end in ends.iter_mut() {
            pos.push(at);
            at += *end;
            *end = base + at;
        }
        for &(c, t) in src {
            let k = c as usize - first;
            dst[pos[k]] = t;
            pos[k] += 1;
        }
    });
    (offsets, out)
}

impl Default for Touch {
    fn default() -> Self {
        Touch {
            time: 0,
            value: 0.0,
            channel: 0,
            converts: false,
        }
    }
}

impl Default for Conversion {
    fn default() -> Self {
        Conversion {
            time: 0,
            value: 0.0,
            end: None,
        }
    }
}

/// Orders one customer's touches: time, then non-converting first, then
/// channel name, then value; never the input row order.
fn sort_touches(touches: &mut [Touch]) {
    touches.sort_unstable_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then(a.converts.cmp(&b.converts))
            .then(a.channel.cmp(&b.channel))
            .then(a.value.total_cmp(&b.value))
    });
}

/// Journeys of one chunk of customers, and scratch space.
struct Out<'a> {
    cfg: &'a JourneyConfig,
    transforms: &'a Transforms,
    journeys: Journeys,
    owners: Vec<u32>,
    stats: JourneyStats,
    owner: u32,
    ids: Vec<ChannelId>,
    times: Vec<i64>,
}

impl<'a> Out<'a> {
    fn new(cfg: &'a JourneyConfig, transforms: &'a Transforms) -> Self {
        Out {
            cfg,
            transforms,
            journeys: Journeys::new(Vec::new(), true),
            owners: Vec::new(),
            stats: JourneyStats::default(),
            owner: 0,
            ids: Vec::new(),
            times: Vec::new(),
        }
    }

    /// `--journey-mode split`: each conversion closes the touches since the
    /// previous one (inline: up to its converting touch; separate: at or
    /// before its time); the touches after the last one form a
    /// non-converting journey.
    fn split(&mut self, touches: &[Touch], convs: &[Conversion]) {
        let mut p = 0;
        for c in convs {
            let start = p;
            p = match c.end {
                Some(e) => e,
                None => p + touches[p..].partition_point(|t| t.time <= c.time),
            };
            if self.cfg.period.contains(c.time) {
                self.emit(&touches[start..p], Some((c.time, c.value)));
            } else {
                self.outside_period(&touches[start..p], Some(c.value));
            }
        }
        if let Some(last) = touches[p..].last() {
            if self.cfg.period.contains(last.time) {
                self.emit(&touches[p..], None);
            } else {
                self.outside_period(&touches[p..], None);
            }
        }
    }

    /// `--journey-mode window`: each conversion's journey is every touch
    /// at or before it and within the lookback, earlier conversions or not;
    /// a customer who never converts has one non-converting journey of the
    /// touches within the lookback before the last touch. Touches in no
    /// window are counted.
    fn window(&mut self, touches: &[Touch], convs: &[Conversion]) {
        let since = |touches: &[Touch], at: i64| match self.cfg.lookback_ms {
            Some(w) => touches.partition_point(|t| at - t.time > w),
            None => 0,
        };
        let (mut covered, mut covered_to, mut converted) = (0, 0, false);
        for c in convs {
            let end = c.end.unwrap_or_else(|| touches.partition_point(|t| t.time <= c.time));
            let start = since(&touches[..end], c.time);
            if !self.cfg.period.contains(c.time) {
                self.outside_period(&touches[start..end], Some(c.value));
                continue;
            }
            converted = true;
            // Windows come in order of their ends: what one adds to the
            // covered touches is its part after the ends before it.
            covered += end.saturating_sub(start.max(covered_to));
            covered_to = covered_to.max(end);
            self.emit(&touches[start..end], Some((c.time, c.value)));
        }
        // No conversion in the period: the customer's journey is the
        // non-converting one, if its last touch is in the period.
        if !converted && let Some(last) = touches.last() {
            let start = since(touches, last.time);
            if self.cfg.period.contains(last.time) {
                covered = touches.len() - start;
                self.emit(&touches[start..], None);
            } else {
                self.outside_period(&touches[start..], None);
            }
        }
        *self.stats.outside_windows.get_or_insert(0) += (touches.len() - covered) as u64;
    }

    /// Counts a journey that `--from` / `--to` removed (`conversion`: its value).
    fn outside_period(&mut self, seg: &[Touch], conversion: Option<f64>) {
        let p = self.stats.outside_period.get_or_insert_default();
        if !seg.is_empty() || conversion.is_none() {
            p.journeys += 1;
        }
        if let Some(v) = conversion {
            p.conversions += 1;
            p.revenue += v;
        }
    }

    /// Applies lookback and max-touches to one segment and stores it; a
    /// conversion left without touches is counted as unattributed.
    fn emit(&mut self, mut seg: &[Touch], conversion: Option<(i64, f64)>) {
        if let (Some((at, _)), Some(window)) = (conversion, self.cfg.lookback_ms) {
            let keep_from = seg.partition_point(|t| at - t.time > window);
            self.stats.dropped_by_lookback += keep_from as u64;
            seg = &seg[keep_from..];
        }
        if let Some(max) = self.cfg.max_touches
            && seg.len() > max
        {
            self.stats.dropped_by_max_touches += (seg.len() - max) as u64;
            seg = &seg[seg.len() - max..];
        }
        if seg.is_empty() {
            if let Some((_, v)) = conversion {
                self.stats.unattributed_conversions += 1;
                self.stats.unattributed_value += v;
            }
            return;
        }
        self.ids.clear();
        self.times.clear();
        self.ids.extend(seg.iter().map(|t| t.channel));
        self.times.extend(seg.iter().map(|t| t.time));
        if !self.transforms.is_empty() {
            self.stats.dropped_by_transforms += self.transforms.apply(&mut self.ids, Some(&mut self.times)) as u64;
        }
        let (conversions, value, nulls, at) = match conversion {
            Some((at, v)) => (1.0, v, 0.0, Some(at)),
            None => (0.0, 0.0, 1.0, None),
        };
        self.journeys.push(&self.ids, Some(&self.times), conversions, value, nulls, at);
        self.owners.push(self.owner);
        self.stats.journeys += 1.0;
        self.stats.touches += self.ids.len() as u64;
        if conversion.is_some() {
            self.stats.converting_journeys += 1.0;
            self.stats.conversions += 1.0;
            self.stats.revenue += value;
        } else {
            self.stats.nulls += 1.0;
        }
    }
}

/// The path transforms against channels named `names` (sorted: an id is a position).
fn resolve(list: &[PathTransform], names: &[String]) -> (Transforms, Vec<String>) {
    Transforms::resolve(list, |name| {
        names.binary_search_by(|c| c.as_str().cmp(name)).ok().map(|i| i as ChannelId)
    })
}

/// Turns path aggregate rows into journeys: channels renumbered by name,
/// `max_touches` applied, and identical paths merged by
/// [`super::aggregate::by_path`] (so the sums do not depend on row order).
pub fn from_paths(table: &PathTable, cfg: &JourneyConfig) -> (Journeys, JourneyStats) {
    let (channels, rank) = table.channels.sorted();
    let names: Vec<String> = channels.iter().map(str::to_string).collect();
    let (transforms, unknown) = resolve(&cfg.transforms, &names);
    let mut stats = JourneyStats {
        unknown_transform_channels: unknown,
        ..JourneyStats::default()
    };
    let mut rows = Journeys::new(names.clone(), false);
    let mut ids = Vec::new();
    for i in 0..table.len() {
        let (path, c, v, n) = table.row(i);
        let keep = cfg.max_touches.map_or(path.len(), |m| path.len().min(m));
        stats.dropped_by_max_touches += (path.len() - keep) as u64;
        ids.clear();
        ids.extend(path[path.len() - keep..].iter().map(|&c| rank[c as usize]));
        stats.dropped_by_transforms += transforms.apply(&mut ids, None) as u64;
        rows.push(&ids, None, c, v, n, None);
    }
    let mut journeys = Journeys::new(names, false);
    let groups = super::aggregate::by_path(&rows);
    stats.distinct_paths = Some(groups.len() as u64);
    for g in groups {
        journeys.push(g.touches, None, g.conversions, g.value, g.nulls, None);
        stats.journeys += g.conversions + g.nulls;
        stats.converting_journeys += g.conversions;
        stats.touches += g.touches.len() as u64;
        stats.conversions += g.conversions;
        stats.revenue += g.value;
        stats.nulls += g.nulls;
    }
    (journeys, stats)
}

#[cfg(test)]
pub(crate) mod tests {

    #[test]
    fn bucket_groups_rows_by_customer_in_row_order() {
        // Over several pieces of rows and ranges of customers; customer 7
        // has no rows.
        for (rows, n) in [(0usize, 0usize), (5, 3), (600_000, 1000), (300_000, 70_001)] {
            let customer: Vec<u32> = (0..rows as u64)
                .map(|i| ((i.wrapping_mul(2_654_435_761) >> 7) % n as u64) as u32)
                .map(|c| if c == 7 { 8 } else { c })
                .collect();
            let (offsets, out) = super::bucket(&customer, n, |row| row as u32);
            assert_eq!(offsets.len(), n + 1);
            let mut expected: Vec<u32> = (0..rows as u32).collect();
            expected.sort_by_key(|&r| customer[r as usize]);
            assert_eq!(out, expected, "{rows} rows, {n} customers");
            for c in 0..n {
                assert!(out[offsets[c]..offsets[c + 1]].iter().all(|&r| customer[r as usize] as usize == c));
            }
            if n > 7 {
                assert_eq!(offsets[7], offsets[8]);
            }
        }
    }

    use super::*;
    use crate::input::Events;

    const DAY: i64 = 86_400_000;
    const MINUTE: i64 = 60_000;

    /// A touch `minute`s in, of channel `channel`.
    fn touch(minute: i64, channel: ChannelId, converts: bool) -> Touch {
        Touch {
            time: minute * MINUTE,
            value: if converts { 10.0 } else { 0.0 },
            channel,
            converts,
        }
    }

    /// (minute, channel) of the touches kept.
    fn kept(touches: &[Touch], n: usize) -> Vec<(i64, ChannelId)> {
        touches[..n].iter().map(|t| (t.time / MINUTE, t.channel)).collect()
    }

    #[test]
    fn a_visit_is_one_touch_at_its_first_row() {
        let gap = Some(30 * MINUTE);
        // Each row less than 30 minutes after the one before: one visit,
        // though it lasts 40 minutes; 35 minutes later a new one.
        let mut t = [touch(0, 0, false), touch(20, 0, false), touch(40, 0, false), touch(75, 0, false)];
        let mut convs = Vec::new();
        assert_eq!(keep_touches(&mut t, &mut convs, None, gap, true), (2, 2));
        assert_eq!(kept(&t, 2), [(0, 0), (75, 0)]);
        // A different channel always starts a new touch, and so does the
        // same channel after it.
        let mut t = [touch(0, 0, false), touch(1, 1, false), touch(2, 0, false)];
        assert_eq!(keep_touches(&mut t, &mut convs, None, gap, true), (3, 0));
        // Without a gap nothing is merged.
        let mut t = [touch(0, 0, false), touch(1, 0, false)];
        assert_eq!(keep_touches(&mut t, &mut convs, None, None, true), (2, 0));
    }

    #[test]
    fn a_conversion_row_in_a_visit_stays_a_conversion() {
        // Inline: the converting row at minute 10 continues the visit of
        // minute 0; its conversion ends its journey after the visit's touch.
        let mut t = [touch(0, 0, false), touch(10, 0, true), touch(15, 1, false)];
        let mut convs = Vec::new();
        assert_eq!(keep_touches(&mut t, &mut convs, None, Some(30 * MINUTE), true), (2, 1));
        assert_eq!(kept(&t, 2), [(0, 0), (15, 1)]);
        assert_eq!(convs.len(), 1);
        assert_eq!((convs[0].time, convs[0].value, convs[0].end), (10 * MINUTE, 10.0, Some(1)));
    }

    #[test]
    fn a_separate_conversion_is_a_row_of_the_visit() {
        // Touches at 0 and 50, a conversion at 30: 50 is 20 minutes after
        // the customer's previous row, so the visit goes on.
        let conversion = |minute: i64| Conversion {
            time: minute * MINUTE,
            value: 5.0,
            end: None,
        };
        let gap = Some(30 * MINUTE);
        let mut t = [touch(0, 0, false), touch(50, 0, false)];
        let mut convs = vec![conversion(30)];
        assert_eq!(keep_touches(&mut t, &mut convs, None, gap, false), (1, 1));
        assert_eq!(convs.len(), 1, "separate conversions are left as they are");
        // A conversion at the touch's own time comes after it: no bridge.
        let mut t = [touch(0, 0, false), touch(50, 0, false)];
        let mut convs = vec![conversion(50)];
        assert_eq!(keep_touches(&mut t, &mut convs, None, gap, false), (2, 0));
    }

    #[test]
    fn channels_of_a_visit_are_compared_before_the_filter() {
        // Channel 1 is filtered out: its rows still separate the visits of
        // channel 0, and its merged rows count as merged, not dropped.
        let renumber = [0, DROPPED];
        let mut t = [touch(0, 0, false), touch(5, 1, false), touch(6, 1, false), touch(10, 0, false)];
        let mut convs = Vec::new();
        assert_eq!(keep_touches(&mut t, &mut convs, Some(&renumber), Some(30 * MINUTE), true), (2, 1));
        assert_eq!(kept(&t, 2), [(0, 0), (10, 0)]);
    }

    /// Events from `(customer, day, channel, converts, value)` rows, inline
    /// (shared with the export tests).
    pub(crate) fn inline(rows: &[(&str, i64, &str, bool, f64)]) -> Events {
        with_conversions(rows, None)
    }

    /// Events with touch rows and, if given, `(customer, day, value)` conversions in a separate file.
    fn with_conversions(rows: &[(&str, i64, &str, bool, f64)], convs: Option<&[(&str, i64, f64)]>) -> Events {
        let mut ev = Events::default();
        let mut ids = crate::intern::customers::RowIds::default();
        let (mut flag, mut value) = (vec![], vec![]);
        for &(c, d, ch, conv, v) in rows {
            ids.push(c);
            ev.time.push(d * DAY);
            ev.channel.push(ev.channels.intern(ch));
            flag.push(conv);
            value.push(v);
        }
        for &(c, _, _) in convs.unwrap_or(&[]) {
            ids.push(c);
        }
        let (mut codes, names) = crate::intern::customers::group(ids);
        ev.conversions = match convs {
            None => Conversions::Inline { flag, value },
            Some(list) => Conversions::Separate {
                customer: codes.split_off(rows.len()),
                time: list.iter().map(|c| c.1 * DAY).collect(),
                value: list.iter().map(|c| c.2).collect(),
                file: Some(crate::input::FileStats {
                    name: "c.csv".into(),
                    rows: list.len() as u64,
                    skipped: 0,
                    anonymous: 0,
                }),
            },
        };
        ev.customer = codes;
        ev.customers = std::sync::Arc::new(names);
        ev
    }

    fn paths(j: &Journeys) -> Vec<(String, f64, f64)> {
        j.iter()
            .map(|x| {
                let names: Vec<&str> = x.touches.iter().map(|&c| j.channels()[c as usize].as_str()).collect();
                (names.join(">"), x.conversions, x.value)
            })
            .collect()
    }

    #[test]
    fn converting_values_are_found_by_rank_across_blocks_of_64_rows() {
        let flag: Vec<bool> = (0..300u32).map(|i| (i * 7919) % 5 == 0 || i == 63 || i == 64).collect();
        let value: Vec<f64> = (0..300).map(f64::from).collect();
        let c = ConvertingValues::new(&flag, value.clone());
        assert_eq!(c.values.len(), flag.iter().filter(|&&f| f).count());
        for row in (0..300).filter(|&r| flag[r]) {
            assert_eq!(c.get(row), value[row], "row {row}");
        }
    }

    #[test]
    fn splits_at_each_conversion_and_keeps_the_trailing_touches() {
        let ev = inline(&[
            ("b", 3, "x", false, 0.0),
            ("a", 2, "e", true, 10.0),
            ("a", 1, "s", false, 0.0),
            ("a", 5, "d", true, 20.0),
            ("a", 9, "s", false, 0.0),
            ("a", 4, "e", false, 0.0),
        ]);
        let (j, stats) = build(&ev, &JourneyConfig::default());
        // Customers in id order (a before b), each in time order.
        assert_eq!(
            paths(&j),
            [
                ("s>e".into(), 1.0, 10.0),
                ("e>d".into(), 1.0, 20.0),
                ("s".into(), 0.0, 0.0),
                ("x".into(), 0.0, 0.0)
            ]
        );
        assert_eq!(j.get(0).converted_at, Some(2 * DAY));
        assert_eq!(j.customer_name(j.get(3).customer.unwrap()), Some("b"));
        assert_eq!(
            (stats.journeys, stats.converting_journeys, stats.conversions, stats.revenue),
            (4.0, 2.0, 2.0, 30.0)
        );
        assert_eq!(stats.customers, Some(2));
    }

    #[test]
    fn separate_conversions_take_touches_at_or_before_them() {
        let ev = with_conversions(
            &[("a", 1, "s", false, 0.0), ("a", 2, "e", false, 0.0), ("a", 3, "d", false, 0.0)],
            Some(&[("a", 2, 5.0), ("a", 2, 7.0), ("a", 10, 1.0), ("z", 1, 3.0)]),
        );
        let (j, stats) = build(&ev, &JourneyConfig::default());
        // Two conversions at day 2: the first (lower value) takes s>e, the
        // second finds no touch left; z has no touches at all.
        assert_eq!(paths(&j), [("s>e".into(), 1.0, 5.0), ("d".into(), 1.0, 1.0)]);
        assert_eq!(stats.unattributed_conversions, 2);
        assert_eq!(stats.unattributed_value, 10.0);
    }

    #[test]
    fn lookback_keeps_the_edge_and_max_touches_keeps_the_last() {
        let ev = inline(&[
            ("a", 0, "old", false, 0.0),
            ("a", 1, "edge", false, 0.0),
            ("a", 5, "mid", false, 0.0),
            ("a", 31, "buy", true, 1.0),
        ]);
        let (j, stats) = build(
            &ev,
            &JourneyConfig {
                lookback_ms: Some(30 * DAY),
                ..JourneyConfig::default()
            },
        );
        assert_eq!(paths(&j)[0].0, "edge>mid>buy");
        assert_eq!(stats.dropped_by_lookback, 1);
        let (j, stats) = build(
            &ev,
            &JourneyConfig {
                max_touches: Some(2),
                ..JourneyConfig::default()
            },
        );
        assert_eq!(paths(&j)[0].0, "mid>buy");
        assert_eq!(stats.dropped_by_max_touches, 2);
    }

    #[test]
    fn transforms_run_after_lookback_and_max_touches_and_keep_times_and_conversion() {
        // b,a,a,b,c converts on c; max-touches 4 keeps a,a,b,c; first keeps a,b,c.
        let ev = inline(&[
            ("x", 1, "b", false, 0.0),
            ("x", 2, "a", false, 0.0),
            ("x", 3, "a", false, 0.0),
            ("x", 4, "b", false, 0.0),
            ("x", 5, "c", true, 9.0),
            ("y", 1, "a", false, 0.0),
            ("y", 2, "a", true, 1.0),
        ]);
        let cfg = JourneyConfig {
            max_touches: Some(4),
            transforms: vec!["first".parse().unwrap(), "remove-if-last-and-not-all:a".parse().unwrap()],
            ..JourneyConfig::default()
        };
        let (j, stats) = build(&ev, &cfg);
        assert_eq!(paths(&j), [("a>b>c".into(), 1.0, 9.0), ("a".into(), 1.0, 1.0)]);
        assert_eq!(j.get(0).times.unwrap(), [2 * DAY, 4 * DAY, 5 * DAY]);
        assert_eq!((stats.dropped_by_max_touches, stats.dropped_by_transforms), (1, 2));
        // y's journey is only `a`: the removal would empty it, so it stays, converting.
        assert_eq!((j.get(1).conversions, j.get(1).touches.len()), (1.0, 1));
        assert_eq!(stats.touches, 4);
    }

    #[test]
    fn ties_put_the_conversion_last_then_order_by_channel() {
        let ev = inline(&[("a", 1, "z", true, 1.0), ("a", 1, "m", false, 0.0), ("a", 1, "b", false, 0.0)]);
        let (j, _) = build(&ev, &JourneyConfig::default());
        assert_eq!(paths(&j)[0].0, "b>m>z");
    }

    #[test]
    fn path_rows_are_merged_in_sorted_order() {
        let mut t = PathTable::default();
        let (x, y) = (t.channels.intern("y"), t.channels.intern("x"));
        for (path, c, v, n) in [(vec![x, y], 1.0, 2.0, 0.0), (vec![y], 0.0, 0.0, 4.0), (vec![x, y], 2.0, 3.0, 1.0)] {
            t.push(&path, c, v, n);
        }
        let (j, stats) = from_paths(&t, &JourneyConfig::default());
        assert_eq!(paths(&j), [("x".into(), 0.0, 0.0), ("y>x".into(), 3.0, 5.0)]);
        assert_eq!(j.get(0).nulls, 4.0);
        assert_eq!(j.get(1).nulls, 1.0);
        assert_eq!((stats.conversions, stats.nulls), (3.0, 5.0));
        // Three rows, two distinct paths, standing for 3 + 5 journeys.
        assert_eq!(stats.distinct_paths, Some(2));
        assert_eq!((stats.journeys, stats.converting_journeys), (8.0, 3.0));
    }

    #[test]
    fn window_mode_gives_each_conversion_its_lookback_even_across_earlier_conversions() {
        // A repeat buyer: conversions on day 5 (Display) and day 10 (Email);
        // with a 6-day lookback the windows [-1, 5] and [4, 10] share Display.
        // Customer y never converts: its journey is the 6 days before its last touch.
        let rows = [
            ("x", 1, "Search", false, 0.0),
            ("x", 3, "Email", false, 0.0),
            ("x", 5, "Display", true, 50.0),
            ("x", 8, "Social", false, 0.0),
            ("x", 10, "Email", true, 20.0),
            ("x", 12, "Push", false, 0.0),
            ("y", 1, "A", false, 0.0),
            ("y", 20, "B", false, 0.0),
            ("y", 22, "C", false, 0.0),
        ];
        let cfg = JourneyConfig {
            mode: JourneyMode::Window,
            lookback_ms: Some(6 * DAY),
            ..JourneyConfig::default()
        };
        let (j, stats) = build(&inline(&rows), &cfg);
        assert_eq!(
            paths(&j),
            [
                ("Search>Email>Display".into(), 1.0, 50.0),
                ("Display>Social>Email".into(), 1.0, 20.0),
                ("B>C".into(), 0.0, 0.0)
            ]
        );
        assert_eq!(j.get(2).nulls, 1.0);
        // x's Push (after its last conversion) and y's A (older than the lookback).
        assert_eq!(stats.outside_windows, Some(2));
        assert_eq!((stats.journeys, stats.converting_journeys, stats.touches), (3.0, 2.0, 8));
        // The same conversions from a separate file: the same windows.
        let touches: Vec<_> = rows.iter().map(|&(c, d, ch, _, _)| (c, d, ch, false, 0.0)).collect();
        let (j2, stats2) = build(&with_conversions(&touches, Some(&[("x", 5, 50.0), ("x", 10, 20.0)])), &cfg);
        assert_eq!(paths(&j2), paths(&j));
        assert_eq!(stats2.outside_windows, Some(2));
        // Split mode keeps its rules, and counts no windows.
        let (split, s) = build(&inline(&rows), &JourneyConfig::default());
        assert_eq!(paths(&split)[1].0, "Social>Email");
        assert_eq!(s.outside_windows, None);
    }

    #[test]
    fn period_keeps_journeys_by_conversion_time_or_last_touch() {
        // x converts on day 5 and day 12; y never converts, last touch day 9;
        // z's last touch is day 20. Period [day 6, day 15).
        let rows = [
            ("x", 1, "A", false, 0.0),
            ("x", 5, "B", true, 10.0),
            ("x", 3, "C", false, 0.0),
            ("x", 12, "D", true, 7.0),
            ("x", 16, "E", false, 0.0),
            ("y", 2, "A", false, 0.0),
            ("y", 9, "B", false, 0.0),
            ("z", 8, "C", false, 0.0),
            ("z", 20, "D", false, 0.0),
        ];
        let cfg = JourneyConfig {
            period: Period {
                from_ms: Some(6 * DAY),
                to_ms: Some(15 * DAY),
            },
            ..JourneyConfig::default()
        };
        let (j, stats) = build(&inline(&rows), &cfg);
        // Kept: x's day-12 conversion (D alone: B closed the journey before),
        // y's non-converting journey (its touch on day 2 counts though before --from).
        assert_eq!(paths(&j), [("D".into(), 1.0, 7.0), ("A>B".into(), 0.0, 0.0)]);
        // Removed: x's day-5 conversion, x's trailing E (day 16), z (last touch day 20).
        let p = stats.outside_period.unwrap();
        assert_eq!((p.journeys, p.conversions, p.revenue), (3, 1, 10.0));
        assert_eq!((stats.conversions, stats.revenue), (1.0, 7.0));
        // `--to` is exclusive: a conversion on day 12 is out of [6, 12).
        let cfg12 = JourneyConfig {
            period: Period {
                from_ms: Some(6 * DAY),
                to_ms: Some(12 * DAY),
            },
            ..JourneyConfig::default()
        };
        let (j, _) = build(&inline(&rows), &cfg12);
        assert_eq!(paths(&j), [("A>B".into(), 0.0, 0.0)]);
        // Without a period nothing is counted as outside it.
        assert_eq!(build(&inline(&rows), &JourneyConfig::default()).1.outside_period, None);
    }

    #[test]
    fn period_in_window_mode_makes_customers_without_a_conversion_in_it_non_converting() {
        // x converts on day 5 only (before the period): x is a non-converting
        // customer of the period, its journey the lookback before its last touch.
        let rows = [
            ("x", 1, "A", false, 0.0),
            ("x", 5, "B", true, 10.0),
            ("x", 8, "C", false, 0.0),
            ("x", 9, "D", false, 0.0),
            ("w", 7, "A", false, 0.0),
            ("w", 10, "B", true, 3.0),
        ];
        let cfg = JourneyConfig {
            mode: JourneyMode::Window,
            lookback_ms: Some(5 * DAY),
            period: Period {
                from_ms: Some(6 * DAY),
                to_ms: None,
            },
            ..JourneyConfig::default()
        };
        let (j, stats) = build(&inline(&rows), &cfg);
        assert_eq!(paths(&j), [("B>C>D".into(), 0.0, 0.0), ("A>B".into(), 1.0, 3.0)]);
        let p = stats.outside_period.unwrap();
        assert_eq!((p.journeys, p.conversions, p.revenue), (1, 1, 10.0));
        // x's A (day 1) is older than the lookback before day 9.
        assert_eq!(stats.outside_windows, Some(1));
    }

    #[test]
    fn channel_filter_drops_touches_but_keeps_their_conversions() {
        // a's conversion is on a Direct touch: excluding Direct leaves the
        // conversion with the touches before it; b converts on Direct alone.
        let rows = [
            ("a", 1, "Email", false, 0.0),
            ("a", 2, "direct", false, 0.0),
            ("a", 3, "Search", false, 0.0),
            ("a", 4, "Direct", true, 5.0),
            ("a", 6, "Email", false, 0.0),
            ("a", 7, "Search", true, 2.0),
            ("b", 1, "Direct", true, 9.0),
        ];
        let exclude = |names: &[&str]| JourneyConfig {
            channel_filter: Some(ChannelFilter {
                include: false,
                names: names.iter().map(|n| n.to_string()).collect(),
            }),
            ..JourneyConfig::default()
        };
        let (j, stats) = build(&inline(&rows), &exclude(&["DIRECT", "TV"]));
        assert_eq!(paths(&j), [("Email>Search".into(), 1.0, 5.0), ("Email>Search".into(), 1.0, 2.0)]);
        // Case-insensitive: both `Direct` and `direct`; 3 touches dropped.
        assert_eq!(stats.dropped_by_channel_filter, 3);
        assert_eq!((stats.unattributed_conversions, stats.unattributed_value), (1, 9.0));
        assert_eq!(stats.unknown_filter_channels, ["TV"]);
        // Including is the complement.
        let include = JourneyConfig {
            channel_filter: Some(ChannelFilter {
                include: true,
                names: vec!["email".into(), "search".into()],
            }),
            ..JourneyConfig::default()
        };
        let (ji, si) = build(&inline(&rows), &include);
        assert_eq!(paths(&ji), paths(&j));
        assert_eq!(si.dropped_by_channel_filter, 3);
        // Two conversions at one time, the first (by channel) on a dropped
        // touch: each still closes its own journey, in order.
        let tie = [
            ("c", 1, "Email", false, 0.0),
            ("c", 2, "Affiliate", true, 1.0),
            ("c", 2, "Search", true, 4.0),
        ];
        let (jt, st) = build(&inline(&tie), &exclude(&["affiliate"]));
        assert_eq!(paths(&jt), [("Email".into(), 1.0, 1.0), ("Search".into(), 1.0, 4.0)]);
        assert_eq!(st.unattributed_conversions, 0);
        // Separate conversions: only the touches go.
        let touches: Vec<_> = rows.iter().map(|&(c, d, ch, _, _)| (c, d, ch, false, 0.0)).collect();
        let (js, ss) = build(&with_conversions(&touches, Some(&[("a", 4, 5.0)])), &exclude(&["direct"]));
        assert_eq!(paths(&js), [("Email>Search".into(), 1.0, 5.0), ("Email>Search".into(), 0.0, 0.0)]);
        assert_eq!(ss.dropped_by_channel_filter, 3);
    }
}
