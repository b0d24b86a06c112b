//! GA4's BigQuery export, read as it is: nested Parquet (`bq extract`,
//! Spark, pyarrow) or newline-delimited JSON, optionally gzipped.
//!
//! GA4 exports events, not touches: a touch is a session, a conversion is
//! an event of a chosen name, and a customer is a device (`user_pseudo_id`)
//! joined to its logged-in user. The rules are GA4's own where GA4 has one
//! (session source, `(direct)` / `(none)`, gclid as `google` / `cpc`); each
//! is stated in docs/GUIDE.md, and everything left out is counted.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::channels::{ChannelRules, Derivation, Traffic};
use crate::error::{Error, Location, Result, display_value};
use crate::input::rejects::{OnError, Reason, Rejection};
use crate::input::{ConversionTypes, Conversions, Events, FileStats, InputSpec, Source};
use crate::intern::Interner;
use crate::intern::customers;

/// Which id a GA4 customer is known by (`--ga4-identity`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Identity {
    /// Per device (`user_pseudo_id`), the last `user_id` it was seen with,
    /// so logged-out and logged-in visits join; the device id when it never
    /// logged in.
    #[default]
    UserId,
    /// `user_pseudo_id` only: one customer per device and browser.
    Pseudo,
}

/// What reading a GA4 export did, for the summary: every event is either
/// in a session (a touch), a conversion, or counted here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ga4Stats {
    /// Events read over all files.
    pub events: u64,
    /// Sessions (distinct `user_pseudo_id`, `ga_session_id`): the touches.
    pub sessions: u64,
    /// Distinct devices (`user_pseudo_id`).
    pub devices: u64,
    /// Devices joined to a `user_id` (with `--ga4-identity user-id`).
    pub devices_with_user_id: u64,
    /// Events without `user_pseudo_id` (consent mode's cookieless pings):
    /// no customer to tie them to, so left out.
    pub events_without_device: u64,
    /// Events without `ga_session_id` (often server-side): in no session.
    pub events_without_session: u64,
    /// Of those, conversion events: they still count as conversions.
    pub conversions_without_session: u64,
    /// Conversion events whose `transaction_id` an earlier one had: not counted again.
    pub repeated_transactions: u64,
}

/// The conversion event of a GA4 export when `--conversion-events` does
/// not name any (GA4's e-commerce purchase).
pub const DEFAULT_CONVERSION_EVENT: &str = "purchase";

/// A code meaning "absent" in the columns below.
const NONE: u32 = u32::MAX;

/// Every event of every file, columnar, with its texts interned.
#[derive(Default)]
struct Rows {
    devices: Interner,
    users: Interner,
    events: Interner,
    /// Distinct source / medium / campaign.
    traffic: TrafficSet,
    transactions: Interner,
    device: Vec<u32>,
    user: Vec<u32>,
    time_us: Vec<i64>,
    event: Vec<u32>,
    session: Vec<Option<i64>>,
    /// `collected_traffic_source.manual_*`, when `manual_source` is set.
    manual: Vec<u32>,
    /// Event params `source` / `medium` / `campaign`, when `source` is set.
    params: Vec<u32>,
    gclid: Vec<bool>,
    value: Vec<f64>,
    transaction: Vec<u32>,
    /// Events left out for want of a `user_pseudo_id`.
    without_device: u64,
}

/// One event as the formats hand it over, before interning.
#[derive(Default)]
struct Event<'a> {
    time_us: Option<i64>,
    name: Option<Cow<'a, str>>,
    device: Option<Cow<'a, str>>,
    user: Option<Cow<'a, str>>,
    session: Option<i64>,
    manual: [Option<Cow<'a, str>>; 3],
    params: [Option<Cow<'a, str>>; 3],
    gclid: bool,
    revenue: Option<f64>,
    param_value: Option<f64>,
    transaction: Option<Cow<'a, str>>,
}

/// A field that must be there, and what it should hold.
struct Missing {
    field: &'static str,
    expected: &'static str,
}

impl Rows {
    fn len(&self) -> usize {
        self.time_us.len()
    }

    /// Events read, those left out without a device included.
    fn read(&self) -> usize {
        self.len() + self.without_device as usize
    }

    /// Appends `e` (or counts it, without a device), or says which
    /// required field it lacks.
    fn push(&mut self, e: Event<'_>) -> std::result::Result<(), Missing> {
        let time_us = e.time_us.ok_or(Missing {
            field: "event_timestamp",
            expected: "an integer: microseconds since 1970-01-01 UTC",
        })?;
        let name = present(&e.name).ok_or(Missing {
            field: "event_name",
            expected: "an event name",
        })?;
        let Some(device) = present(&e.device) else {
            self.without_device += 1;
            return Ok(());
        };
        self.time_us.push(time_us);
        self.event.push(self.events.intern(name));
        self.device.push(self.devices.intern(device));
        self.user.push(present(&e.user).map_or(NONE, |u| self.users.intern(u)));
        self.session.push(e.session);
        self.manual.push(self.traffic.code(&e.manual));
        self.params.push(self.traffic.code(&e.params));
        self.gclid.push(e.gclid);
        self.value.push(e.revenue.or(e.param_value).unwrap_or(0.0));
        self.transaction
            .push(present(&e.transaction).map_or(NONE, |t| self.transactions.intern(t)));
        Ok(())
    }
}

/// A text that is there and not blank.
fn present<'s>(text: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Distinct traffic sources, each with a dense code.
#[derive(Default)]
struct TrafficSet {
    list: Vec<Traffic>,
    index: HashMap<Traffic, u32>,
}

impl TrafficSet {
    /// The code of a source / medium / campaign whose source is set, else [`NONE`].
    fn code(&mut self, parts: &[Option<Cow<'_, str>>; 3]) -> u32 {
        if present(&parts[0]).is_none() {
            return NONE;
        }
        let [source, medium, campaign] = parts.each_ref().map(|p| present(p).unwrap_or("").to_string());
        let t = Traffic { source, medium, campaign };
        if let Some(&code) = self.index.get(&t) {
            return code;
        }
        let code = self.list.len() as u32;
        self.list.push(t.clone());
        self.index.insert(t, code);
        code
    }
}

/// Reads GA4 export files into events: sessions as touches, conversion
/// events (`spec.conversion_events`, default [`DEFAULT_CONVERSION_EVENT`]) as conversions
/// typed by their event name.
pub fn load(spec: &InputSpec, identity: Identity) -> Result<Events> {
    let mut rows = Rows::default();
    let mut ev = Events::default();
    for source in &spec.sources {
        let name = source.name();
        let _reading = crate::input::source::Reading::start(&name);
        let bytes = source.read()?;
        let start = rows.read();
        let mut skipped = Vec::new();
        if bytes.starts_with(b"PAR1") {
            parquet::read(&name, &bytes, &mut rows, spec.on_error, &mut skipped)?;
        } else {
            json::read(source, &bytes, &mut rows, spec.on_error, &mut skipped)?;
        }
        ev.files.push(FileStats {
            name,
            rows: (rows.read() - start + skipped.len()) as u64,
            skipped: skipped.len() as u64,
            anonymous: 0,
        });
        ev.rejections.extend(skipped);
    }
    let purchase = [DEFAULT_CONVERSION_EVENT.to_string()];
    let wanted = spec.conversion_events.as_deref().unwrap_or(&purchase);
    let rules = spec.channel_rules.clone().unwrap_or_else(ChannelRules::ga4);
    ev.zone = spec.zone;
    ev.conversions_from = crate::input::ConversionsFrom::Events {
        column: "event_name".into(),
        asked: wanted.to_vec(),
        counts: super::events::event_counts(&rows.events, &rows.event),
    };
    assemble(rows, wanted, identity, Derivation::new(rules), ev)
}

/// Turns events into sessions and conversions (see the module docs).
fn assemble(rows: Rows, wanted: &[String], identity: Identity, derivation: Derivation, ev: Events) -> Result<Events> {
    let mut stats = Ga4Stats {
        events: rows.read() as u64,
        events_without_device: rows.without_device,
        devices: rows.devices.len() as u64,
        ..Ga4Stats::default()
    };
    let order = event_order(&rows);
    let device_user = device_users(&rows, &order, identity);
    stats.devices_with_user_id = device_user.iter().filter(|&&u| u != NONE).count() as u64;
    let walked = Walk::new(&rows, &order, wanted, &mut stats);
    stats.sessions = walked.sessions.len() as u64;
    Ok(into_events(&rows, &device_user, walked, derivation, ev, stats))
}

/// Events in time order; ties by device, event name and value, so that
/// nothing depends on the order of the files or of their rows (and `mta
/// sql --ga4` can order them the same way).
fn event_order(rows: &Rows) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        rows.time_us[a]
            .cmp(&rows.time_us[b])
            .then_with(|| rows.devices.name(rows.device[a]).cmp(rows.devices.name(rows.device[b])))
            .then_with(|| rows.events.name(rows.event[a]).cmp(rows.events.name(rows.event[b])))
            .then_with(|| rows.value[a].total_cmp(&rows.value[b]))
    });
    order
}

/// The customer of each device (`--ga4-identity user-id`): its last user
/// id (the greatest of those seen at that last time), else [`NONE`] (the
/// device is its own customer).
fn device_users(rows: &Rows, order: &[u32], identity: Identity) -> Vec<u32> {
    let mut device_user = vec![NONE; rows.devices.len()];
    if identity != Identity::UserId {
        return device_user;
    }
    let mut user_time = vec![i64::MIN; rows.devices.len()];
    for &i in order {
        let i = i as usize;
        let (d, u) = (rows.device[i] as usize, rows.user[i]);
        if u != NONE && (rows.time_us[i] > user_time[d] || device_user[d] == NONE || rows.users.name(u) > rows.users.name(device_user[d])) {
            device_user[d] = u;
            user_time[d] = rows.time_us[i];
        }
    }
    device_user
}

/// One session: its device, first event time, manual and param traffic
/// (with the times they were seen), and whether an event had a gclid.
struct Session {
    device: u32,
    start_us: i64,
    manual: (u32, i64),
    params: (u32, i64),
    gclid: bool,
}

/// What one walk over the events in order gives: the sessions, and the
/// conversions (device, time in ms, value) with their types.
struct Walk {
    sessions: Vec<Session>,
    conversions: Vec<(u32, i64, f64)>,
    types: ConversionTypes,
}

impl Walk {
    fn new(rows: &Rows, order: &[u32], wanted: &[String], stats: &mut Ga4Stats) -> Walk {
        let is_conversion: Vec<bool> = rows.events.iter().map(|e| wanted.iter().any(|w| w == e)).collect();
        let mut index: HashMap<(u32, i64), usize> = HashMap::new();
        let mut walk = Walk {
            sessions: Vec::new(),
            conversions: Vec::new(),
            types: ConversionTypes::default(),
        };
        let mut seen_transaction = vec![false; rows.transactions.len()];
        for &i in order {
            let i = i as usize;
            match rows.session[i] {
                Some(id) => {
                    let k = *index.entry((rows.device[i], id)).or_insert_with(|| {
                        walk.sessions.push(Session {
                            device: rows.device[i],
                            start_us: rows.time_us[i],
                            manual: (NONE, i64::MIN),
                            params: (NONE, i64::MIN),
                            gclid: false,
                        });
                        walk.sessions.len() - 1
                    });
                    let (s, time) = (&mut walk.sessions[k], rows.time_us[i]);
                    first_traffic(&rows.traffic, &mut s.manual, rows.manual[i], time);
                    first_traffic(&rows.traffic, &mut s.params, rows.params[i], time);
                    s.gclid |= rows.gclid[i];
                }
                None => stats.events_without_session += 1,
            }
            if !is_conversion[rows.event[i] as usize] {
                continue;
            }
            let t = rows.transaction[i];
            if t != NONE {
                if seen_transaction[t as usize] {
                    stats.repeated_transactions += 1;
                    continue;
                }
                seen_transaction[t as usize] = true;
            }
            if rows.session[i].is_none() {
                stats.conversions_without_session += 1;
            }
            walk.conversions
                .push((rows.device[i], rows.time_us[i].div_euclid(1000), rows.value[i]));
            walk.types.code.push(walk.types.names.intern(rows.events.name(rows.event[i])));
        }
        walk
    }
}

/// A session keeps the first traffic seen (`kept`: its code and time);
/// of two seen at the same time, the smaller (source, medium, campaign), a
/// rule that needs no file order.
fn first_traffic(traffic: &TrafficSet, kept: &mut (u32, i64), seen: u32, time: i64) {
    if seen != NONE && (kept.0 == NONE || (time == kept.1 && traffic.list[seen as usize] < traffic.list[kept.0 as usize])) {
        *kept = (seen, time);
    }
}

/// The sessions as touches (channels from their traffic by `derivation`)
/// and the conversions, with customers grouped.
fn into_events(rows: &Rows, device_user: &[u32], walk: Walk, mut derivation: Derivation, mut ev: Events, stats: Ga4Stats) -> Events {
    let customer_of = |device: u32| match device_user[device as usize] {
        NONE => rows.devices.name(device),
        user => rows.users.name(user),
    };
    // A session without traffic of its own: google / cpc with a gclid, else direct.
    let mut traffic = rows.traffic.list.clone();
    let google = traffic.len() as u32;
    traffic.push(Traffic::new("google", "cpc"));
    traffic.push(Traffic::new("(direct)", "(none)"));
    let mut ids = customers::RowIds::default();
    let mut traffic_of = Vec::with_capacity(walk.sessions.len());
    for s in &walk.sessions {
        ids.push(customer_of(s.device));
        ev.time.push(s.start_us.div_euclid(1000));
        traffic_of.push(match (s.manual.0, s.params.0) {
            (NONE, NONE) if s.gclid => google,
            (NONE, NONE) => google + 1,
            (NONE, p) => p,
            (m, _) => m,
        });
    }
    derivation.derive_traffic(&traffic, &traffic_of, &mut ev.channels, &mut ev.channel);
    ev.channel_mapping = Some(derivation.mappings());
    let touches = ids.len();
    for &(d, ..) in &walk.conversions {
        ids.push(customer_of(d));
    }
    let (mut codes, names) = customers::group(ids);
    ev.conversions = Conversions::Separate {
        customer: codes.split_off(touches),
        time: walk.conversions.iter().map(|c| c.1).collect(),
        value: walk.conversions.iter().map(|c| c.2).collect(),
        file: None,
    };
    ev.customer = codes;
    ev.customers = std::sync::Arc::new(names);
    ev.types = Some(walk.types);
    ev.ga4 = Some(stats);
    ev
}

/// A bad event: an error, or with `--on-error skip` a counted rejection.
#[allow(clippy::too_many_arguments)]
fn bad_event(
    path: &str,
    location: Location,
    row: u64,
    field: &str,
    found: &str,
    expected: &str,
    reason: Reason,
    on_error: OnError,
    skipped: &mut Vec<Rejection>,
) -> Result<()> {
    match on_error {
        OnError::Stop => Err(Error::Cell {
            path: path.into(),
            location,
            column: field.into(),
            found: display_value(found),
            expected: expected.into(),
        }),
        OnError::Skip => {
            skipped.push(Rejection {
                file: path.into(),
                line: match location {
                    Location::Line(l) => Some(l),
                    Location::Row(_) => None,
                },
                row,
                reason,
                column: field.into(),
                value: found.into(),
                detail: expected.into(),
                record: String::new(),
            });
            Ok(())
        }
    }
}

/// The reason a missing field is skipped under.
fn reason_of(field: &str) -> Reason {
    match field {
        "event_timestamp" => Reason::InvalidTimestamp,
        _ => Reason::MalformedRow,
    }
}

mod json {
    //! Newline-delimited JSON as `bq extract` writes it: INT64 as strings,
    //! missing and `null` fields alike.

    use super::*;

    #[derive(Deserialize)]
    struct Line<'a> {
        #[serde(borrow, default)]
        event_timestamp: Option<IntLike<'a>>,
        #[serde(borrow, default)]
        event_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        event_params: Option<Vec<Param<'a>>>,
        #[serde(borrow, default)]
        user_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        user_pseudo_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        collected_traffic_source: Option<Traffic<'a>>,
        #[serde(borrow, default)]
        ecommerce: Option<Ecommerce<'a>>,
    }

    #[derive(Deserialize)]
    struct Param<'a> {
        #[serde(borrow, default)]
        key: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        value: Option<Value<'a>>,
    }

    #[derive(Deserialize, Default)]
    struct Value<'a> {
        #[serde(borrow, default)]
        string_value: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        int_value: Option<IntLike<'a>>,
        #[serde(borrow, default)]
        float_value: Option<FloatLike<'a>>,
        #[serde(borrow, default)]
        double_value: Option<FloatLike<'a>>,
    }

    #[derive(Deserialize)]
    struct Traffic<'a> {
        #[serde(borrow, default)]
        manual_source: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        manual_medium: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        manual_campaign_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        gclid: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    struct Ecommerce<'a> {
        #[serde(borrow, default)]
        purchase_revenue: Option<FloatLike<'a>>,
        #[serde(borrow, default)]
        transaction_id: Option<Cow<'a, str>>,
    }

    /// An INT64: BigQuery writes it as a JSON string, others as a number.
    /// (A visitor rather than an untagged enum: serde buffers untagged
    /// values and builds an error for every variant that does not fit.)
    enum IntLike<'a> {
        Number(i64),
        Text(Cow<'a, str>),
    }

    /// A FLOAT64: a number, or text such as `"NaN"` or `"12.5"`.
    enum FloatLike<'a> {
        Number(f64),
        Text(Cow<'a, str>),
    }

    /// Accepts a JSON number or string, as `T`.
    struct NumberOrText<'a, T>(std::marker::PhantomData<(&'a (), T)>);

    /// What [`NumberOrText`] builds from either form.
    trait FromJson<'a>: Sized {
        fn number(n: f64, exact: Option<i64>) -> Self;
        fn text(t: Cow<'a, str>) -> Self;
    }

    impl<'a> FromJson<'a> for IntLike<'a> {
        fn number(n: f64, exact: Option<i64>) -> Self {
            match exact {
                Some(i) => IntLike::Number(i),
                None => IntLike::Text(Cow::Owned(n.to_string())),
            }
        }
        fn text(t: Cow<'a, str>) -> Self {
            IntLike::Text(t)
        }
    }

    impl<'a> FromJson<'a> for FloatLike<'a> {
        fn number(n: f64, _: Option<i64>) -> Self {
            FloatLike::Number(n)
        }
        fn text(t: Cow<'a, str>) -> Self {
            FloatLike::Text(t)
        }
    }

    impl<'de: 'a, 'a, T: FromJson<'a>> serde::de::Visitor<'de> for NumberOrText<'a, T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number, or a number as text")
        }
        fn visit_i64<E>(self, v: i64) -> std::result::Result<T, E> {
            Ok(T::number(v as f64, Some(v)))
        }
        fn visit_u64<E>(self, v: u64) -> std::result::Result<T, E> {
            Ok(T::number(v as f64, i64::try_from(v).ok()))
        }
        fn visit_f64<E>(self, v: f64) -> std::result::Result<T, E> {
            Ok(T::number(v, None))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<T, E> {
            Ok(T::text(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> std::result::Result<T, E> {
            Ok(T::text(Cow::Owned(v.to_string())))
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for IntLike<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            d.deserialize_any(NumberOrText(std::marker::PhantomData))
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for FloatLike<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            d.deserialize_any(NumberOrText(std::marker::PhantomData))
        }
    }

    impl IntLike<'_> {
        fn get(&self) -> std::result::Result<i64, String> {
            match self {
                IntLike::Number(n) => Ok(*n),
                IntLike::Text(t) => t.trim().parse().map_err(|_| t.to_string()),
            }
        }
    }

    impl FloatLike<'_> {
        fn get(&self) -> std::result::Result<f64, String> {
            match self {
                FloatLike::Number(n) => Ok(*n),
                FloatLike::Text(t) => t.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| t.to_string()),
            }
        }
    }

    /// A line that is not a usable event.
    enum Bad {
        /// Not a JSON object of the expected shape.
        Malformed(String),
        /// A field with a value that cannot be used.
        Field {
            field: &'static str,
            found: String,
            expected: &'static str,
            reason: Reason,
        },
    }

    /// A line's number, its bytes, and its event or what is wrong with it.
    type Parsed<'a> = (u64, &'a [u8], std::result::Result<Event<'a>, Bad>);

    /// Bytes per piece parsed on one thread; pieces end at a line end.
    const PIECE: usize = 1 << 20;

    /// Reads every line of `bytes` into `rows`: pieces of lines are parsed
    /// in parallel, a window at a time, then appended in file order (so
    /// the first bad line in the file is the one reported).
    pub(super) fn read(source: &Source, bytes: &[u8], rows: &mut Rows, on_error: OnError, skipped: &mut Vec<Rejection>) -> Result<()> {
        use rayon::prelude::*;

        let path = source.name();
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            None => {
                return Err(Error::Empty {
                    path,
                    what: "GA4 event (newline-delimited JSON or Parquet, as BigQuery exports them)",
                });
            }
            Some(b'{') => {}
            Some(_) => {
                let start = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]).to_string();
                return Err(Error::Malformed {
                    path,
                    location: Location::Line(1),
                    detail: format!(
                        "found `{}`, expected a GA4 BigQuery export: Parquet, or newline-delimited JSON with one event object a line",
                        display_value(&start)
                    ),
                });
            }
        }
        // Pieces of whole lines, each with the number of its first line.
        let mut pieces = Vec::new();
        let (mut at, mut line) = (0, 1u64);
        while at < bytes.len() {
            let end = match bytes[(at + PIECE).min(bytes.len())..].iter().position(|&b| b == b'\n') {
                Some(i) => (at + PIECE).min(bytes.len()) + i + 1,
                None => bytes.len(),
            };
            pieces.push((&bytes[at..end], line));
            line += bytes[at..end].iter().filter(|&&b| b == b'\n').count() as u64;
            at = end;
        }
        let window = 4 * rayon::current_num_threads();
        let mut row = 0u64;
        for batch in pieces.chunks(window) {
            let parsed: Vec<Vec<Parsed<'_>>> = batch
                .par_iter()
                .map(|&(piece, first_line)| {
                    piece
                        .split(|&b| b == b'\n')
                        .enumerate()
                        .map(|(i, l)| (first_line + i as u64, l.strip_suffix(b"\r").unwrap_or(l)))
                        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
                        .map(|(n, l)| (n, l, parse(l)))
                        .collect()
                })
                .collect();
            for (line_no, line, result) in parsed.into_iter().flatten() {
                row += 1;
                let at = Location::Line(line_no);
                let bad = match result {
                    Ok(e) => match rows.push(e) {
                        Ok(()) => continue,
                        Err(m) => Bad::Field {
                            field: m.field,
                            found: String::new(),
                            expected: m.expected,
                            reason: reason_of(m.field),
                        },
                    },
                    Err(b) => b,
                };
                match bad {
                    Bad::Field {
                        field,
                        found,
                        expected,
                        reason,
                    } => bad_event(&path, at, row, field, &found, expected, reason, on_error, skipped)?,
                    Bad::Malformed(detail) => match on_error {
                        OnError::Stop => {
                            return Err(Error::Malformed {
                                path,
                                location: at,
                                detail,
                            });
                        }
                        OnError::Skip => skipped.push(Rejection {
                            file: path.clone(),
                            line: Some(line_no),
                            row,
                            reason: Reason::MalformedRow,
                            column: String::new(),
                            value: String::new(),
                            detail,
                            record: String::from_utf8_lossy(line).into_owned(),
                        }),
                    },
                }
            }
        }
        Ok(())
    }

    /// One line as an event, or what is wrong with it.
    fn parse(line: &[u8]) -> std::result::Result<Event<'_>, Bad> {
        let parsed: Line<'_> = serde_json::from_slice(line).map_err(|e| {
            Bad::Malformed(format!(
                "not a GA4 event object at column {}: {}",
                e.column(),
                strip_position(&e.to_string())
            ))
        })?;
        let field = |field, found, expected, reason| Bad::Field {
            field,
            found,
            expected,
            reason,
        };
        let mut e = Event {
            name: parsed.event_name,
            device: parsed.user_pseudo_id,
            user: parsed.user_id,
            ..Event::default()
        };
        if let Some(t) = &parsed.event_timestamp {
            let expected = "an integer: microseconds since 1970-01-01 UTC";
            e.time_us = Some(
                t.get()
                    .map_err(|found| field("event_timestamp", found, expected, Reason::InvalidTimestamp))?,
            );
        }
        if let Some(t) = parsed.collected_traffic_source {
            e.gclid = present(&t.gclid).is_some();
            e.manual = [t.manual_source, t.manual_medium, t.manual_campaign_name];
        }
        if let Some(c) = parsed.ecommerce {
            if let Some(r) = &c.purchase_revenue {
                let bad = |found| field("ecommerce.purchase_revenue", found, "a revenue amount", Reason::InvalidValue);
                e.revenue = Some(r.get().map_err(bad)?);
            }
            e.transaction = c.transaction_id;
        }
        for p in parsed.event_params.into_iter().flatten() {
            let (Some(key), Some(v)) = (p.key, p.value) else { continue };
            match &*key {
                "ga_session_id" => {
                    let bad = |found| field("event_params.ga_session_id", found, "an integer session id", Reason::MalformedRow);
                    e.session = match (&v.int_value, present(&v.string_value)) {
                        (Some(i), _) => Some(i.get().map_err(bad)?),
                        (None, Some(s)) => Some(s.parse().map_err(|_| bad(s.to_string()))?),
                        (None, None) => None,
                    };
                }
                "source" => e.params[0] = v.string_value,
                "medium" => e.params[1] = v.string_value,
                "campaign" => e.params[2] = v.string_value,
                "value" => {
                    let bad = |found| field("event_params.value", found, "a revenue amount", Reason::InvalidValue);
                    let float = [&v.double_value, &v.float_value].into_iter().flatten().next();
                    e.param_value = match (float, &v.int_value) {
                        (Some(f), _) => Some(f.get().map_err(bad)?),
                        (None, Some(i)) => Some(i.get().map_err(bad)? as f64),
                        (None, None) => None,
                    };
                }
                _ => {}
            }
        }
        Ok(e)
    }

    /// serde_json's message without its own ` at line 1 column N`.
    fn strip_position(message: &str) -> &str {
        message.find(" at line ").map_or(message, |i| &message[..i])
    }
}

mod parquet {
    //! Nested Parquet through polars: lists of structs are read as their
    //! flat values plus offsets, never row by row as separate series.

    use polars::prelude::*;

    use super::*;

    /// A text column (or struct field), rechunked for indexing.
    struct Texts(Option<StringChunked>);

    impl Texts {
        fn get(&self, i: usize) -> Option<Cow<'_, str>> {
            self.0.as_ref().and_then(|ca| ca.get(i)).map(Cow::Borrowed)
        }
    }

    /// Reads one Parquet file into `rows`.
    pub(super) fn read(name: &str, bytes: &[u8], rows: &mut Rows, on_error: OnError, skipped: &mut Vec<Rejection>) -> Result<()> {
        const COLUMNS: [&str; 7] = [
            "event_timestamp",
            "event_name",
            "event_params",
            "user_id",
            "user_pseudo_id",
            "collected_traffic_source",
            "ecommerce",
        ];
        let frame = crate::input::format::parquet::read_frame(name, bytes, |header| {
            for required in ["event_timestamp", "event_name", "user_pseudo_id"] {
                if !header.iter().any(|h| h == required) {
                    return Err(Error::MissingColumn {
                        path: name.into(),
                        column: required.into(),
                        hint: "`--ga4` reads GA4's BigQuery export schema (`event_timestamp`, `event_name`, `event_params`, `user_pseudo_id`...)".into(),
                    });
                }
            }
            Ok(COLUMNS
                .iter()
                .filter(|c| header.iter().any(|h| h == *c))
                .map(|c| c.to_string())
                .collect())
        })?;
        let df = frame.df;
        let height = df.height();
        let cols = Columns { name, df: &df };
        let time = cols.numbers(cols.column("event_timestamp"), DataType::Int64, "event_timestamp")?;
        let time = time.as_ref().map(|s| s.i64().expect("cast to i64"));
        let event_name = cols.texts(cols.column("event_name"), "event_name")?;
        let device = cols.texts(cols.column("user_pseudo_id"), "user_pseudo_id")?;
        let user = cols.texts(cols.column("user_id"), "user_id")?;
        let traffic = cols.column("collected_traffic_source");
        let manual: Vec<Texts> = ["manual_source", "manual_medium", "manual_campaign_name"]
            .into_iter()
            .map(|f| cols.texts(cols.field(&traffic, "collected_traffic_source", f)?, f))
            .collect::<Result<_>>()?;
        let gclid = cols.texts(cols.field(&traffic, "collected_traffic_source", "gclid")?, "gclid")?;
        let ecommerce = cols.column("ecommerce");
        let revenue = cols.numbers(
            cols.field(&ecommerce, "ecommerce", "purchase_revenue")?,
            DataType::Float64,
            "ecommerce.purchase_revenue",
        )?;
        let revenue = revenue.as_ref().map(|s| s.f64().expect("cast to f64"));
        let transaction = cols.texts(cols.field(&ecommerce, "ecommerce", "transaction_id")?, "ecommerce.transaction_id")?;
        let params = Params::new(cols.column("event_params"), name)?;

        for i in 0..height {
            let row = i as u64 + 1;
            let mut e = Event {
                time_us: time.and_then(|t| t.get(i)),
                name: event_name.get(i),
                device: device.get(i),
                user: user.get(i),
                manual: [manual[0].get(i), manual[1].get(i), manual[2].get(i)],
                gclid: present(&gclid.get(i)).is_some(),
                revenue: revenue.and_then(|r| r.get(i)).filter(|v| v.is_finite()),
                transaction: transaction.get(i),
                ..Event::default()
            };
            params.fill(i, &mut e);
            if let Err(m) = rows.push(e) {
                bad_event(
                    name,
                    Location::Row(row),
                    row,
                    m.field,
                    "",
                    m.expected,
                    reason_of(m.field),
                    on_error,
                    skipped,
                )?;
            }
        }
        Ok(())
    }

    /// The columns of a GA4 Parquet file, as the reader wants them.
    struct Columns<'a> {
        name: &'a str,
        df: &'a DataFrame,
    }

    impl Columns<'_> {
        fn type_err(&self, column: &str, found: &DataType, expected: &str) -> Error {
            Error::ColumnType {
                path: self.name.into(),
                column: column.into(),
                found: found.to_string(),
                expected: expected.into(),
            }
        }

        /// A top-level column, if the file has it.
        fn column(&self, c: &str) -> Option<Series> {
            self.df.column(c).ok().map(|c| c.as_materialized_series().rechunk())
        }

        /// `s` as text (a missing or all-null column: none).
        fn texts(&self, s: Option<Series>, what: &str) -> Result<Texts> {
            match s {
                None => Ok(Texts(None)),
                Some(s) if s.dtype().is_null() => Ok(Texts(None)),
                Some(s) => {
                    let cast = s.cast(&DataType::String).map_err(|_| self.type_err(what, s.dtype(), "text"))?;
                    Ok(Texts(Some(cast.str().expect("cast to text").rechunk().into_owned())))
                }
            }
        }

        /// `s` as numbers of type `to`.
        fn numbers(&self, s: Option<Series>, to: DataType, what: &str) -> Result<Option<Series>> {
            match s {
                None => Ok(None),
                Some(s) if s.dtype().is_null() => Ok(None),
                Some(s) if s.dtype().is_primitive_numeric() || s.dtype().is_decimal() => {
                    s.cast(&to).map(Some).map_err(|_| self.type_err(what, s.dtype(), "a number"))
                }
                Some(s) => Err(self.type_err(what, s.dtype(), "a number")),
            }
        }

        /// Field `f` of the struct column `s` (named `parent`), if there.
        fn field(&self, s: &Option<Series>, parent: &str, f: &str) -> Result<Option<Series>> {
            match s {
                None => Ok(None),
                Some(s) => {
                    let st = s
                        .struct_()
                        .map_err(|_| self.type_err(parent, s.dtype(), "a struct (as GA4 exports it)"))?;
                    Ok(st.field_by_name(f).ok())
                }
            }
        }
    }

    /// `event_params`: the flat keys and values of every row's list.
    struct Params {
        /// Per row: its range of the flat values (empty for a null list).
        ranges: Vec<(usize, usize)>,
        key: Texts,
        string: Texts,
        int: Option<Int64Chunked>,
        float: Option<Float64Chunked>,
        double: Option<Float64Chunked>,
    }

    impl Params {
        fn new(column: Option<Series>, name: &str) -> Result<Params> {
            let empty = Params {
                ranges: Vec::new(),
                key: Texts(None),
                string: Texts(None),
                int: None,
                float: None,
                double: None,
            };
            let Some(s) = column else { return Ok(empty) };
            let type_err = || Error::ColumnType {
                path: name.into(),
                column: "event_params".into(),
                found: s.dtype().to_string(),
                expected: "a list of {key, value: {string_value, int_value, float_value, double_value}} (GA4's schema)".into(),
            };
            let list = s.list().map_err(|_| type_err())?;
            // One chunk (the column was rechunked); a null list may span
            // values in Arrow, so nulls get an empty range here.
            let mut ranges = Vec::with_capacity(list.len());
            if let Some(a) = list.downcast_iter().next() {
                let o = a.offsets().as_slice();
                for i in 0..list.len() {
                    let (start, end) = (o[i] as usize, o[i + 1] as usize);
                    ranges.push((start, if a.validity().is_some_and(|v| !v.get_bit(i)) { start } else { end }));
                }
            }
            let inner = list.get_inner();
            let st = inner.struct_().map_err(|_| type_err())?;
            let key = st.field_by_name("key").ok();
            let value = st.field_by_name("value").ok();
            let value = match &value {
                Some(v) => Some(v.struct_().map_err(|_| type_err())?.clone()),
                None => None,
            };
            let sub = |f: &str| {
                value
                    .as_ref()
                    .and_then(|v| v.field_by_name(f).ok())
                    .filter(|s| !s.dtype().is_null())
            };
            let text = |s: Option<Series>| -> Result<Texts> {
                match s {
                    None => Ok(Texts(None)),
                    Some(s) => Ok(Texts(Some(
                        s.cast(&DataType::String)
                            .map_err(|_| type_err())?
                            .str()
                            .expect("text")
                            .rechunk()
                            .into_owned(),
                    ))),
                }
            };
            let num =
                |s: Option<Series>, to: DataType| -> Result<Option<Series>> { s.map(|s| s.cast(&to).map_err(|_| type_err())).transpose() };
            Ok(Params {
                ranges,
                key: text(key)?,
                string: text(sub("string_value"))?,
                int: num(sub("int_value"), DataType::Int64)?.map(|s| s.i64().expect("i64").rechunk().into_owned()),
                float: num(sub("float_value"), DataType::Float64)?.map(|s| s.f64().expect("f64").rechunk().into_owned()),
                double: num(sub("double_value"), DataType::Float64)?.map(|s| s.f64().expect("f64").rechunk().into_owned()),
            })
        }

        /// Sets the session id, source / medium / campaign and value of row `i`.
        fn fill<'a>(&'a self, i: usize, e: &mut Event<'a>) {
            let (start, end) = self.ranges.get(i).copied().unwrap_or((0, 0));
            for j in start..end {
                let Some(key) = self.key.get(j) else { continue };
                let int = self.int.as_ref().and_then(|c| c.get(j));
                match &*key {
                    "ga_session_id" => {
                        e.session = int.or_else(|| self.string.get(j).and_then(|s| s.trim().parse().ok()));
                    }
                    "source" => e.params[0] = self.string.get(j),
                    "medium" => e.params[1] = self.string.get(j),
                    "campaign" => e.params[2] = self.string.get(j),
                    "value" => {
                        let double = self.double.as_ref().and_then(|c| c.get(j));
                        let float = self.float.as_ref().and_then(|c| c.get(j));
                        e.param_value = double.or(float).or(int.map(|i| i as f64)).filter(|v| v.is_finite());
                    }
                    _ => {}
                }
            }
        }
    }
}
