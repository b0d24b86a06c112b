//! Events -> journeys, by the journey rules (README, "Journey rules"):
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

use super::{ChannelId, Journeys};
use crate::input::{Conversions, Events, PathTable};

/// Journey rules that take parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JourneyConfig {
    /// Touches more than this many ms before their conversion are dropped.
    pub lookback_ms: Option<i64>,
    /// Keep only the last N touches of each journey.
    pub max_touches: Option<usize>,
}

/// What journey building did, for the summary and for reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JourneyStats {
    /// Distinct customers with at least one touch (event input).
    pub customers: Option<u64>,
    /// Journeys built (converting and not).
    pub journeys: u64,
    /// Journeys that end in a conversion.
    pub converting_journeys: u64,
    /// Conversions attributed to journeys.
    pub conversions: f64,
    /// Revenue of those conversions.
    pub revenue: f64,
    /// Non-converting journeys (or path rows' null counts).
    pub nulls: f64,
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
    /// Earliest touch time (epoch ms).
    pub first_touch_ms: Option<i64>,
    /// Latest touch time (epoch ms).
    pub last_touch_ms: Option<i64>,
}

impl JourneyStats {
    fn add(&mut self, o: &JourneyStats) {
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
    }
}

/// Customers per parallel work item; fixed so results never depend on threads.
const CHUNK: usize = 4096;

/// Per-row conversion data as the segmenter sees it.
enum Conv<'a> {
    Inline {
        flag: &'a [bool],
        value: &'a [f64],
    },
    Separate {
        time: &'a [i64],
        value: &'a [f64],
        perm: &'a [u32],
        offsets: &'a [usize],
    },
}

/// Rebuilds journeys from touchpoint events.
pub fn build(events: &Events, cfg: &JourneyConfig) -> (Journeys, JourneyStats) {
    let (channels, channel_rank) = events.channels.sorted();
    let channel_names: Vec<String> = channels.iter().map(str::to_string).collect();
    let customer_rank = events.customers.sorted_ranks();
    let n_customers = customer_rank.len();

    let (touch_offsets, touch_perm) = bucket(&events.customer, &customer_rank, n_customers);
    let sep_buckets;
    let conv = match &events.conversions {
        Conversions::Inline { flag, value } => Conv::Inline { flag, value },
        Conversions::Separate { customer, time, value, .. } => {
            sep_buckets = bucket(customer, &customer_rank, n_customers);
            Conv::Separate {
                time,
                value,
                perm: &sep_buckets.1,
                offsets: &sep_buckets.0,
            }
        }
        Conversions::None => Conv::Inline { flag: &[], value: &[] },
    };
    // Customer code for each rank, to record who a journey belongs to.
    let mut code_of_rank = vec![0u32; n_customers];
    for (code, &r) in customer_rank.iter().enumerate() {
        code_of_rank[r as usize] = code as u32;
    }

    let ctx = Ctx {
        events,
        cfg,
        channel_rank: &channel_rank,
        touch_offsets: &touch_offsets,
        touch_perm: &touch_perm,
        conv,
        code_of_rank: &code_of_rank,
    };
    let starts: Vec<usize> = (0..n_customers).step_by(CHUNK).collect();
    let parts: Vec<(Journeys, Vec<u32>, JourneyStats)> = starts
        .par_iter()
        .map(|&start| ctx.chunk(start..(start + CHUNK).min(n_customers), channel_names.len()))
        .collect();

    let mut journeys = Journeys::new(channel_names, true);
    let mut owners = Vec::new();
    let mut stats = JourneyStats::default();
    for (part, who, s) in parts {
        journeys.append(part);
        owners.extend(who);
        stats.add(&s);
    }
    stats.customers = Some(touch_offsets.windows(2).filter(|w| w[1] > w[0]).count() as u64);
    stats.first_touch_ms = events.time.iter().min().copied();
    stats.last_touch_ms = events.time.iter().max().copied();
    journeys.customers = Some((events.customers.clone(), owners));
    (journeys, stats)
}

/// Counting sort of row indices by the rank of their customer.
fn bucket(customer: &[u32], rank: &[u32], n: usize) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; n + 1];
    for &c in customer {
        offsets[rank[c as usize] as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut perm = vec![0u32; customer.len()];
    for (row, &c) in customer.iter().enumerate() {
        let r = rank[c as usize] as usize;
        perm[next[r]] = row as u32;
        next[r] += 1;
    }
    (offsets, perm)
}

struct Ctx<'a> {
    events: &'a Events,
    cfg: &'a JourneyConfig,
    channel_rank: &'a [u32],
    touch_offsets: &'a [usize],
    touch_perm: &'a [u32],
    conv: Conv<'a>,
    code_of_rank: &'a [u32],
}

/// Scratch buffers and output of one chunk of customers.
struct Out {
    journeys: Journeys,
    owners: Vec<u32>,
    stats: JourneyStats,
    ids: Vec<ChannelId>,
    times: Vec<i64>,
}

impl Ctx<'_> {
    fn chunk(&self, customers: std::ops::Range<usize>, n_channels: usize) -> (Journeys, Vec<u32>, JourneyStats) {
        let _ = n_channels;
        let mut out = Out {
            journeys: Journeys::new(Vec::new(), true),
            owners: Vec::new(),
            stats: JourneyStats::default(),
            ids: Vec::new(),
            times: Vec::new(),
        };
        let mut rows: Vec<u32> = Vec::new();
        for rank in customers {
            let owner = self.code_of_rank[rank];
            rows.clear();
            rows.extend_from_slice(&self.touch_perm[self.touch_offsets[rank]..self.touch_offsets[rank + 1]]);
            self.sort_touches(&mut rows);
            match &self.conv {
                Conv::Inline { flag, value } => self.segment_inline(&rows, flag, value, owner, &mut out),
                Conv::Separate {
                    time,
                    value,
                    perm,
                    offsets,
                } => {
                    let mut convs: Vec<u32> = perm[offsets[rank]..offsets[rank + 1]].to_vec();
                    convs.sort_unstable_by(|&a, &b| {
                        let (a, b) = (a as usize, b as usize);
                        time[a].cmp(&time[b]).then(value[a].total_cmp(&value[b]))
                    });
                    self.segment_separate(&rows, &convs, time, value, owner, &mut out);
                }
            }
        }
        (out.journeys, out.owners, out.stats)
    }

    /// Orders one customer's touches: time, then non-converting first, then
    /// channel name, then value; never the input row order.
    fn sort_touches(&self, rows: &mut [u32]) {
        let ev = self.events;
        let (flag, value): (&[bool], &[f64]) = match &self.conv {
            Conv::Inline { flag, value } if !flag.is_empty() => (flag, value),
            _ => (&[], &[]),
        };
        rows.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            let mut ord = ev.time[a].cmp(&ev.time[b]);
            if ord.is_eq() && !flag.is_empty() {
                ord = flag[a].cmp(&flag[b]);
            }
            ord = ord.then(self.channel_rank[ev.channel[a] as usize].cmp(&self.channel_rank[ev.channel[b] as usize]));
            if ord.is_eq() && !value.is_empty() {
                ord = value[a].total_cmp(&value[b]);
            }
            ord
        });
    }

    fn segment_inline(&self, rows: &[u32], flag: &[bool], value: &[f64], owner: u32, out: &mut Out) {
        let mut start = 0;
        for (k, &row) in rows.iter().enumerate() {
            let row = row as usize;
            if flag.get(row).copied().unwrap_or(false) {
                let at = self.events.time[row];
                self.emit(&rows[start..=k], Some((at, value[row])), owner, out);
                start = k + 1;
            }
        }
        if start < rows.len() {
            self.emit(&rows[start..], None, owner, out);
        }
    }

    fn segment_separate(&self, rows: &[u32], convs: &[u32], time: &[i64], value: &[f64], owner: u32, out: &mut Out) {
        let mut p = 0;
        for &c in convs {
            let c = c as usize;
            let start = p;
            while p < rows.len() && self.events.time[rows[p] as usize] <= time[c] {
                p += 1;
            }
            self.emit(&rows[start..p], Some((time[c], value[c])), owner, out);
        }
        if p < rows.len() {
            self.emit(&rows[p..], None, owner, out);
        }
    }

    /// Applies lookback and max-touches to one segment and stores it; a
    /// conversion left without touches is counted as unattributed.
    fn emit(&self, mut seg: &[u32], conversion: Option<(i64, f64)>, owner: u32, out: &mut Out) {
        let time = &self.events.time;
        if let (Some((at, _)), Some(window)) = (conversion, self.cfg.lookback_ms) {
            let keep_from = seg.partition_point(|&r| at - time[r as usize] > window);
            out.stats.dropped_by_lookback += keep_from as u64;
            seg = &seg[keep_from..];
        }
        if let Some(max) = self.cfg.max_touches
            && seg.len() > max
        {
            out.stats.dropped_by_max_touches += (seg.len() - max) as u64;
            seg = &seg[seg.len() - max..];
        }
        if seg.is_empty() {
            if let Some((_, v)) = conversion {
                out.stats.unattributed_conversions += 1;
                out.stats.unattributed_value += v;
            }
            return;
        }
        out.ids.clear();
        out.times.clear();
        for &r in seg {
            out.ids.push(self.channel_rank[self.events.channel[r as usize] as usize]);
            out.times.push(time[r as usize]);
        }
        let (conversions, value, nulls, at) = match conversion {
            Some((at, v)) => (1.0, v, 0.0, Some(at)),
            None => (0.0, 0.0, 1.0, None),
        };
        out.journeys.push(&out.ids, Some(&out.times), conversions, value, nulls, at);
        out.owners.push(owner);
        out.stats.journeys += 1;
        out.stats.touches += seg.len() as u64;
        if conversion.is_some() {
            out.stats.converting_journeys += 1;
            out.stats.conversions += 1.0;
            out.stats.revenue += value;
        } else {
            out.stats.nulls += 1.0;
        }
    }
}

/// Turns path aggregate rows into journeys: channels renumbered by name,
/// `max_touches` applied, and identical paths merged (summed in sorted order,
/// so the sums do not depend on row order).
pub fn from_paths(table: &PathTable, cfg: &JourneyConfig) -> (Journeys, JourneyStats) {
    let (channels, rank) = table.channels.sorted();
    let mut stats = JourneyStats::default();
    let mut rows: Vec<(Vec<ChannelId>, f64, f64, f64)> = table
        .rows
        .iter()
        .map(|r| {
            let mut path: Vec<ChannelId> = r.path.iter().map(|&c| rank[c as usize]).collect();
            if let Some(max) = cfg.max_touches
                && path.len() > max
            {
                stats.dropped_by_max_touches += (path.len() - max) as u64;
                path.drain(..path.len() - max);
            }
            (path, r.conversions, r.value, r.nulls)
        })
        .collect();
    rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
            .then(a.3.total_cmp(&b.3))
    });

    let mut journeys = Journeys::new(channels.iter().map(str::to_string).collect(), false);
    let mut i = 0;
    while i < rows.len() {
        let (path, mut c, mut v, mut n) = rows[i].clone();
        let mut k = i + 1;
        while k < rows.len() && rows[k].0 == path {
            c += rows[k].1;
            v += rows[k].2;
            n += rows[k].3;
            k += 1;
        }
        journeys.push(&path, None, c, v, n, None);
        stats.journeys += 1;
        stats.touches += path.len() as u64;
        if c > 0.0 {
            stats.converting_journeys += 1;
        }
        stats.conversions += c;
        stats.revenue += v;
        stats.nulls += n;
        i = k;
    }
    (journeys, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Events;

    const DAY: i64 = 86_400_000;

    /// Events from `(customer, day, channel, converts, value)` rows, inline.
    fn inline(rows: &[(&str, i64, &str, bool, f64)]) -> Events {
        let mut ev = Events::default();
        let (mut flag, mut value) = (vec![], vec![]);
        for &(c, d, ch, conv, v) in rows {
            ev.customer.push(ev.customers.intern(c));
            ev.time.push(d * DAY);
            ev.channel.push(ev.channels.intern(ch));
            flag.push(conv);
            value.push(v);
        }
        ev.conversions = Conversions::Inline { flag, value };
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
            (4, 2, 2.0, 30.0)
        );
        assert_eq!(stats.customers, Some(2));
    }

    #[test]
    fn separate_conversions_take_touches_at_or_before_them() {
        let mut ev = inline(&[("a", 1, "s", false, 0.0), ("a", 2, "e", false, 0.0), ("a", 3, "d", false, 0.0)]);
        let z = ev.customers.intern("z");
        let a = ev.customers.intern("a");
        ev.conversions = Conversions::Separate {
            customer: vec![a, a, a, z],
            time: vec![2 * DAY, 2 * DAY, 10 * DAY, DAY],
            value: vec![5.0, 7.0, 1.0, 3.0],
            file: crate::input::FileStats {
                name: "c.csv".into(),
                rows: 4,
            },
        };
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
                max_touches: None,
            },
        );
        assert_eq!(paths(&j)[0].0, "edge>mid>buy");
        assert_eq!(stats.dropped_by_lookback, 1);
        let (j, stats) = build(
            &ev,
            &JourneyConfig {
                lookback_ms: None,
                max_touches: Some(2),
            },
        );
        assert_eq!(paths(&j)[0].0, "mid>buy");
        assert_eq!(stats.dropped_by_max_touches, 2);
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
            t.rows.push(crate::input::PathRow {
                path,
                conversions: c,
                value: v,
                nulls: n,
            });
        }
        let (j, stats) = from_paths(&t, &JourneyConfig::default());
        assert_eq!(paths(&j), [("x".into(), 0.0, 0.0), ("y>x".into(), 3.0, 5.0)]);
        assert_eq!(j.get(0).nulls, 4.0);
        assert_eq!(j.get(1).nulls, 1.0);
        assert_eq!((stats.conversions, stats.nulls), (3.0, 5.0));
    }
}
