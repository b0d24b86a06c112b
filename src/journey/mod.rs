//! Journeys: each customer's ordered touches up to a conversion, held as
//! compact integer arrays.
//!
//! A [`Journeys`] is what every model reads. It stores all touches of all
//! journeys in one `Vec<ChannelId>` with offsets, plus per-journey weights, so
//! the models need no DataFrames and no strings. Journeys come in a canonical
//! order (customer id, then time) so that every sum over them is the same
//! whatever the order of the input rows.

pub mod aggregate;
pub mod build;
pub mod export;
pub mod runs;
pub mod segment;
pub mod transform;

pub use build::{
    ChannelFilter, DataTimes, JourneyConfig, JourneyMode, JourneyStats, OutsidePeriod, Period, build, build_after, build_owned,
    build_segment, from_paths,
};
pub use segment::{Dimension, Segment, Segments};

/// Index of a channel in [`Journeys::channels`]; channels are numbered in
/// byte-wise order of their names.
pub type ChannelId = u32;

/// One journey, borrowed from [`Journeys`].
#[derive(Debug, Clone, Copy)]
pub struct Journey<'a> {
    /// Channels touched, first touch first.
    pub touches: &'a [ChannelId],
    /// Touch times in epoch ms, parallel to `touches`; `None` for path input.
    pub times: Option<&'a [i64]>,
    /// Conversions closing this journey (1 for an event journey that converts,
    /// any count for a path row).
    pub conversions: f64,
    /// Revenue of those conversions.
    pub value: f64,
    /// Journeys with this path that did not convert (path rows; 1 for a
    /// trailing non-converting event journey).
    pub nulls: f64,
    /// Conversion time in epoch ms (event journeys that convert).
    pub converted_at: Option<i64>,
    /// Customer code, for event input.
    pub customer: Option<u32>,
    /// `--milestones`: for each milestone type in funnel order, the time of
    /// its latest conversion at or before this journey's conversion, if any.
    pub milestones: [Option<i64>; MAX_MILESTONES],
}

/// Milestone types a journey carries (W-shaped's lead and opportunity).
pub const MAX_MILESTONES: usize = 2;

impl Journey<'_> {
    /// Whether there is anything to attribute.
    pub fn converts(&self) -> bool {
        self.conversions > 0.0 || self.value > 0.0
    }
}

/// All journeys of an input, in canonical order.
#[derive(Debug, Clone, Default)]
pub struct Journeys {
    channels: Vec<String>,
    offsets: Vec<usize>,
    touches: Vec<ChannelId>,
    times: Option<Vec<i64>>,
    conversions: Vec<f64>,
    values: Vec<f64>,
    nulls: Vec<f64>,
    /// Conversion time per journey, [`NOT_CONVERTED`] for none: half the
    /// bytes of an `Option<i64>`, with millions of journeys.
    converted_at: Vec<i64>,
    customers: Option<(std::sync::Arc<crate::intern::customers::CustomerIds>, Vec<u32>)>,
    /// `--milestones`: per journey, see [`Journey::milestones`]
    /// ([`NOT_CONVERTED`] for none).
    milestones: Option<Vec<[i64; MAX_MILESTONES]>>,
}

/// The stored conversion time of a journey that did not convert: no parsed
/// time comes near it (it is 292 million years before 1970).
const NOT_CONVERTED: i64 = i64::MIN;

impl Journeys {
    /// An empty set over `channels` (sorted names); `timed` says whether
    /// journeys carry touch times.
    pub fn new(channels: Vec<String>, timed: bool) -> Self {
        debug_assert!(channels.windows(2).all(|w| w[0] < w[1]), "channels must be sorted and distinct");
        Journeys {
            channels,
            offsets: vec![0],
            times: timed.then(Vec::new),
            ..Default::default()
        }
    }

    /// Appends one journey. `times` must be given exactly when the set is timed.
    pub fn push(
        &mut self,
        touches: &[ChannelId],
        times: Option<&[i64]>,
        conversions: f64,
        value: f64,
        nulls: f64,
        converted_at: Option<i64>,
    ) {
        self.touches.extend_from_slice(touches);
        match (&mut self.times, times) {
            (Some(all), Some(t)) => all.extend_from_slice(t),
            (None, None) => {}
            _ => panic!("journey times must match whether the set is timed"),
        }
        self.offsets.push(self.touches.len());
        self.conversions.push(conversions);
        self.values.push(value);
        self.nulls.push(nulls);
        self.converted_at.push(converted_at.unwrap_or(NOT_CONVERTED));
    }

    /// Builds a timeless set from `(path, conversions, value, nulls)` rows,
    /// path as channel names: the shape of hand-written test cases.
    pub fn from_paths(rows: &[(&[&str], f64, f64, f64)]) -> Self {
        let mut names: Vec<String> = rows.iter().flat_map(|r| r.0.iter().map(|s| s.to_string())).collect();
        names.sort();
        names.dedup();
        let mut j = Journeys::new(names, false);
        for (path, c, v, n) in rows {
            let ids: Vec<ChannelId> = path.iter().map(|p| j.channel_id(p).expect("name was collected")).collect();
            j.push(&ids, None, *c, *v, *n, None);
        }
        j
    }

    /// Channel names, indexed by [`ChannelId`].
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The id of a channel name.
    pub fn channel_id(&self, name: &str) -> Option<ChannelId> {
        self.channels
            .binary_search_by(|c| c.as_str().cmp(name))
            .ok()
            .map(|i| i as ChannelId)
    }

    /// Number of journeys.
    pub fn len(&self) -> usize {
        self.conversions.len()
    }

    /// Whether there are no journeys.
    pub fn is_empty(&self) -> bool {
        self.conversions.is_empty()
    }

    /// Whether journeys carry touch times (event input) or not (path input).
    pub fn is_timed(&self) -> bool {
        self.times.is_some()
    }

    /// Total number of touches.
    pub fn touch_count(&self) -> usize {
        self.touches.len()
    }

    /// Journey `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Journey<'_> {
        let range = self.offsets[i]..self.offsets[i + 1];
        Journey {
            touches: &self.touches[range.clone()],
            times: self.times.as_ref().map(|t| &t[range]),
            conversions: self.conversions[i],
            value: self.values[i],
            nulls: self.nulls[i],
            converted_at: Some(self.converted_at[i]).filter(|&t| t != NOT_CONVERTED),
            customer: self.customers.as_ref().map(|c| c.1[i]),
            milestones: self
                .milestones
                .as_ref()
                .map_or([None; MAX_MILESTONES], |m| m[i].map(|t| Some(t).filter(|&t| t != NOT_CONVERTED))),
        }
    }

    /// Whether the journeys carry milestone times (`--milestones`).
    pub fn has_milestones(&self) -> bool {
        self.milestones.is_some()
    }

    /// Sets each converting journey's milestone times: for each milestone
    /// type, the latest of its customer's conversions of that type at or
    /// before the journey's conversion. Needs the customers (event input).
    pub fn attach_milestones(&mut self, m: &crate::input::Milestones) {
        let Some((_, owners)) = &self.customers else { return };
        let mut keys: Vec<(u32, u8, i64)> = (0..m.time.len()).map(|i| (m.customer[i], m.stage[i], m.time[i])).collect();
        keys.sort_unstable();
        let times = (0..self.len())
            .map(|j| {
                let mut out = [NOT_CONVERTED; MAX_MILESTONES];
                let at = self.converted_at[j];
                if at == NOT_CONVERTED {
                    return out;
                }
                for (stage, slot) in out.iter_mut().enumerate() {
                    let key = (owners[j], stage as u8, at);
                    let p = keys.partition_point(|&k| k <= key);
                    if let Some(&(c, s, t)) = p.checked_sub(1).map(|q| &keys[q])
                        && (c, s) == (key.0, key.1)
                    {
                        *slot = t;
                    }
                }
                out
            })
            .collect();
        self.milestones = Some(times);
    }

    /// Journeys in order.
    #[inline]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Journey<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The id of a customer code, when journeys come from events.
    pub fn customer_name(&self, code: u32) -> Option<&str> {
        self.customers.as_ref().map(|c| c.0.name(code))
    }

    /// Total conversions over all journeys.
    pub fn total_conversions(&self) -> f64 {
        self.add_totals((0.0, 0.0)).0
    }

    /// Total revenue over all journeys.
    pub fn total_value(&self) -> f64 {
        self.add_totals((0.0, 0.0)).1
    }

    /// `(conversions, revenue)` plus this set's, added journey by journey:
    /// blocks added one after another sum exactly as all journeys at once.
    pub fn add_totals(&self, (conversions, value): (f64, f64)) -> (f64, f64) {
        (
            self.conversions.iter().fold(conversions, |a, b| a + b),
            self.values.iter().fold(value, |a, b| a + b),
        )
    }

    /// The same journeys, each weighted `counts[i]` times (a bootstrap
    /// replicate): conversions, revenue and nulls scale, the touches stay.
    pub fn reweighted(&self, counts: &[u32]) -> Journeys {
        let mut out = self.clone();
        for (i, &k) in counts.iter().enumerate() {
            let k = f64::from(k);
            out.conversions[i] *= k;
            out.values[i] *= k;
            out.nulls[i] *= k;
        }
        out
    }

    /// Makes room for `journeys` more journeys of `touches` touches in all.
    fn reserve(&mut self, journeys: usize, touches: usize) {
        self.offsets.reserve(journeys);
        self.touches.reserve(touches);
        if let Some(t) = &mut self.times {
            t.reserve(touches);
        }
        self.conversions.reserve(journeys);
        self.values.reserve(journeys);
        self.nulls.reserve(journeys);
        self.converted_at.reserve(journeys);
    }

    /// Appends all journeys of `other` (same channels and timing).
    fn append(&mut self, other: Journeys) {
        let base = self.touches.len();
        self.offsets.extend(other.offsets[1..].iter().map(|o| o + base));
        self.touches.extend(other.touches);
        if let (Some(a), Some(b)) = (&mut self.times, other.times) {
            a.extend(b);
        }
        self.conversions.extend(other.conversions);
        self.values.extend(other.values);
        self.nulls.extend(other.nulls);
        self.converted_at.extend(other.converted_at);
        if let (Some(a), Some(b)) = (&mut self.milestones, other.milestones) {
            a.extend(b);
        }
    }

    /// Takes the first `n` journeys out (the rest stay); neither part keeps
    /// the customers.
    fn split_front(&mut self, n: usize) -> Journeys {
        fn front<T>(v: &mut Vec<T>, at: usize) -> Vec<T> {
            let tail = v.split_off(at);
            std::mem::replace(v, tail)
        }
        let cut = self.offsets[n];
        let mut offsets = front(&mut self.offsets, n);
        offsets.push(cut);
        self.offsets.iter_mut().for_each(|o| *o -= cut);
        self.customers = None;
        Journeys {
            channels: self.channels.clone(),
            offsets,
            touches: front(&mut self.touches, cut),
            times: self.times.as_mut().map(|t| front(t, cut)),
            conversions: front(&mut self.conversions, n),
            values: front(&mut self.values, n),
            nulls: front(&mut self.nulls, n),
            converted_at: front(&mut self.converted_at, n),
            customers: None,
            milestones: self.milestones.as_mut().map(|m| front(m, n)),
        }
    }
}

/// Journeys that arrive in parts (partitions of customers, out of core),
/// handed on in blocks of whole multiples of a block size: the models then
/// sum over the same work items as over all journeys at once.
#[derive(Debug)]
pub struct Feed {
    carry: Journeys,
    block: usize,
}

impl Feed {
    /// An empty feed of journeys over `channels` (sorted), cut in multiples of `block`.
    pub fn new(channels: Vec<String>, timed: bool, block: usize) -> Self {
        Feed {
            carry: Journeys::new(channels, timed),
            block: block.max(1),
        }
    }

    /// Adds the next part (same channels and timing); returns the journeys
    /// that now make whole blocks, if any. Customers are not kept.
    pub fn push(&mut self, part: Journeys) -> Option<Journeys> {
        debug_assert_eq!(part.channels, self.carry.channels, "parts share the channel list");
        self.carry.customers = None;
        self.carry.append(part);
        let whole = self.carry.len() / self.block * self.block;
        (whole > 0).then(|| self.carry.split_front(whole))
    }

    /// The journeys left (fewer than a block).
    pub fn finish(self) -> Journeys {
        self.carry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_hands_on_whole_blocks_and_keeps_every_journey_in_order() {
        let rows: Vec<(Vec<&str>, f64)> = (0..23).map(|i| (["a", "b", "c"][..1 + i % 3].to_vec(), i as f64)).collect();
        let part = |range: std::ops::Range<usize>| {
            let r: Vec<(&[&str], f64, f64, f64)> = rows[range].iter().map(|(p, v)| (p.as_slice(), 1.0, *v, 0.0)).collect();
            let mut j = Journeys::new(vec!["a".into(), "b".into(), "c".into()], false);
            j.append(Journeys::from_paths(&r));
            j
        };
        let mut feed = Feed::new(vec!["a".into(), "b".into(), "c".into()], false, 5);
        let mut got = Vec::new();
        for range in [0..3, 3..4, 4..16, 16..16, 16..23] {
            if let Some(block) = feed.push(part(range)) {
                assert_eq!(block.len() % 5, 0);
                got.push(block);
            }
        }
        let rest = feed.finish();
        assert_eq!(rest.len(), 3);
        got.push(rest);
        let flat: Vec<(Vec<u32>, f64)> = got.iter().flat_map(|b| b.iter().map(|j| (j.touches.to_vec(), j.value))).collect();
        let whole = part(0..23);
        let want: Vec<(Vec<u32>, f64)> = whole.iter().map(|j| (j.touches.to_vec(), j.value)).collect();
        assert_eq!(flat, want);
    }

    #[test]
    fn from_paths_sorts_channels_and_keeps_order_of_touches() {
        let j = Journeys::from_paths(&[(&["email", "Direct", "email"], 1.0, 10.0, 0.0), (&["search"], 0.0, 0.0, 2.0)]);
        assert_eq!(j.channels(), ["Direct", "email", "search"]);
        assert_eq!(j.get(0).touches, &[1, 0, 1]);
        assert_eq!(j.get(1).nulls, 2.0);
        assert_eq!(j.touch_count(), 4);
        assert!(!j.is_timed());
        assert!(j.get(0).converts() && !j.get(1).converts());
    }
}
