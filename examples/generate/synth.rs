//! Seeded synthetic multi-touch journeys, for tests, demos and benchmarks.
//!
//! Self-contained on purpose (std, chrono and polars only, no `mta`), so a bench
//! can pull it in with `#[path = "../examples/generate/synth.rs"] mod synth;`.
//!
//! Every customer draws from its own PRNG stream, derived from `(seed, index)`,
//! so the data is deterministic, customer `i` does not depend on how many
//! customers are generated, and the files can be streamed without holding the
//! whole population in memory.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::{self, JoinHandle};

use chrono::NaiveDate;
use polars::prelude::*;

/// The built-in channel names, most popular first; `channel_names` extends them.
pub const BUILTIN_CHANNELS: [&str; 10] = [
    "Paid Search",
    "Organic Search",
    "Email",
    "Direct",
    "Display",
    "Social",
    "Affiliate",
    "Referral",
    "Video",
    "Push",
];

/// Source, medium and campaign spellings of each built-in channel (two
/// each), for `events-utm.csv`: GA4's default channel group maps them back
/// (Social to Organic Social, Affiliate to Affiliates, Video to Organic
/// Video, Push to Mobile Push Notifications); extra channels are referrals.
const UTM: [[(&str, &str, &str); 2]; 10] = [
    [("google", "cpc", "brand"), ("bing", "cpc", "generic")],
    [("google", "organic", ""), ("duckduckgo", "organic", "")],
    [("newsletter", "email", "weekly"), ("crm", "email", "")],
    [("(direct)", "(none)", ""), ("", "", "")],
    [("gdn", "display", "spring"), ("adnet", "banner", "")],
    [("facebook", "referral", ""), ("t.co", "social", "")],
    [("partner", "affiliate", "deals"), ("coupons", "affiliate", "")],
    [("blog.example", "referral", ""), ("news.example", "referral", "")],
    [("youtube", "referral", ""), ("vimeo.com", "referral", "")],
    [("app", "push", "reminder"), ("app", "web-push", "")],
];

/// Upper bound on `Config::channels` (the CLI's `--channels` limit); the per-journey set
/// of channels seen is kept as a `u32` bitmask.
pub const MAX_CHANNELS: usize = 26;

/// Popularity of the built-in channels (percent); extra channels get `EXTRA_WEIGHT`.
const WEIGHTS: [u32; 10] = [22, 20, 14, 12, 9, 8, 5, 4, 3, 3];
const EXTRA_WEIGHT: u32 = 2;
/// Log-odds added to the conversion probability once a channel is in the journey.
const LIFTS: [f64; 10] = [0.6, 0.4, 0.9, 0.8, -0.2, 0.0, 0.5, 0.6, 0.1, 0.3];
/// Log-odds of converting before any channel lift; calibrated for ~0.25 conversions
/// per customer with the default 10 channels.
const BASE_LOGIT: f64 = -3.42;
/// Chance that a touch repeats the previous touch's channel (email sequences, retargeting).
const REPEAT_PROB: f64 = 0.2;
/// Mean number of touches per customer (geometric, at least 1).
const MEAN_TOUCHES: f64 = 3.0;
const MAX_TOUCHES: usize = 60;
/// Gaps between touches are log-uniform in this range (seconds): 1 minute to 3 weeks.
const MIN_GAP: f64 = 60.0;
const MAX_GAP: f64 = 21.0 * 86_400.0;
/// Revenue is lognormal with this median and log-scale sigma.
const REVENUE_MEDIAN: f64 = 60.0;
const REVENUE_SIGMA: f64 = 0.8;
/// Rows per Parquet row group.
const PARQUET_BATCH: usize = 1 << 19;

/// What to generate; the same value always yields the same data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of customers (ids `c0000000` upwards).
    pub customers: usize,
    /// PRNG seed: different seeds give different data.
    pub seed: u64,
    /// Number of channels, `1..=MAX_CHANNELS`.
    pub channels: usize,
}

/// One marketing touch, the unit row of `touchpoints.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touch {
    /// UTC epoch seconds; strictly increasing within a customer.
    pub time: i64,
    /// Index into `channel_names(cfg.channels)`.
    pub channel: u16,
}

/// Touches up to and including a conversion (or the trailing non-converting run),
/// the unit that `paths.csv` aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    /// Never empty.
    pub touches: Vec<Touch>,
    /// Whether the journey ends with a conversion at its last touch.
    pub converted: bool,
    /// Revenue in currency units, rounded to cents; 0 when not converted.
    pub value: f64,
}

/// All journeys of one customer, in time order.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    /// `c` and a zero-padded index, so ids sort in generation order.
    pub id: String,
    /// Converting journeys first, at most one trailing non-converting journey.
    pub journeys: Vec<Journey>,
}

/// Totals of a `write_all` run, for the CLI's summary line and for sanity checks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    /// Customers written.
    pub customers: usize,
    /// Journeys (rows aggregated into `paths.csv`).
    pub journeys: u64,
    /// Rows of `touchpoints.csv` and `events.csv`.
    pub touchpoints: u64,
    /// Rows of `conversions.csv`.
    pub conversions: u64,
    /// Total revenue, summed exactly in cents.
    pub revenue: f64,
    /// Rows of `paths.csv`.
    pub distinct_paths: usize,
}

/// Channel names for `k` channels: the built-in ten, then `Channel 11`, `Channel 12`...
pub fn channel_names(k: usize) -> Vec<String> {
    (0..k)
        .map(|i| match BUILTIN_CHANNELS.get(i) {
            Some(name) => (*name).to_string(),
            None => format!("Channel {}", i + 1),
        })
        .collect()
}

/// Streams the customers of `cfg` in id order; deterministic in `cfg`.
///
/// Panics if `cfg.channels` is not in `1..=MAX_CHANNELS`.
pub fn generate(cfg: &Config) -> impl Iterator<Item = Customer> + use<> {
    let model = Model::new(cfg);
    let seed = cfg.seed;
    let width = id_width(cfg.customers);
    let mut scratch = Scratch::default();
    (0..cfg.customers).map(move |index| {
        model.simulate(seed, index, &mut scratch);
        scratch.to_customer(index, width)
    })
}

/// Customer `index` of `cfg` alone (the same as the `index`-th item of `generate`),
/// for random access without generating its predecessors.
pub fn customer(cfg: &Config, index: usize) -> Customer {
    let mut scratch = Scratch::default();
    Model::new(cfg).simulate(cfg.seed, index, &mut scratch);
    scratch.to_customer(index, id_width(cfg.customers))
}

/// Writes `touchpoints.csv`, `conversions.csv`, `events.csv`, `events-utm.csv`
/// (the events with source / medium / campaign instead of the channel), `paths.csv` and, when
/// `parquet`, `events.parquet` and `touchpoints.parquet` into `dir` (which must exist),
/// streaming customer by customer. Errors name the file.
///
/// Panics if `cfg.channels` is not in `1..=MAX_CHANNELS`.
pub fn write_all(cfg: &Config, dir: &Path, parquet: bool) -> io::Result<Summary> {
    let model = Model::new(cfg);
    let names = channel_names(cfg.channels);
    let width = id_width(cfg.customers);

    let mut touch_out = CsvOut::create(dir, "touchpoints.csv", b"customer_id,timestamp,channel\n")?;
    let mut conv_out = CsvOut::create(dir, "conversions.csv", b"customer_id,timestamp,value\n")?;
    let mut event_out = CsvOut::create(dir, "events.csv", b"customer_id,timestamp,channel,conversion,value\n")?;
    let mut utm_out = CsvOut::create(
        dir,
        "events-utm.csv",
        b"customer_id,timestamp,source,medium,campaign,conversion,value\n",
    )?;
    let mut pq = if parquet { Some(ParquetOut::create(dir)?) } else { None };

    let mut summary = Summary {
        customers: cfg.customers,
        ..Summary::default()
    };
    let mut paths: HashMap<Box<[u16]>, PathAgg, FxBuild> = HashMap::default();
    let mut revenue_cents: i64 = 0;
    let mut scratch = Scratch::default();
    let mut ts = TimeFormat::default();
    let mut id = Vec::with_capacity(width + 1);

    for index in 0..cfg.customers {
        model.simulate(cfg.seed, index, &mut scratch);
        write_id(&mut id, index, width);
        let id_str = std::str::from_utf8(&id).expect("ids are ASCII");
        let mut start = 0;
        for &(end, cents) in &scratch.ends {
            for k in start..end {
                let stamp = ts.format(scratch.times[k]);
                let name = names[scratch.chans[k] as usize].as_bytes();
                let row = &mut touch_out.row;
                row.extend_from_slice(&id);
                row.push(b',');
                row.extend_from_slice(stamp);
                row.push(b',');
                row.extend_from_slice(name);
                row.push(b'\n');
                let row = &mut event_out.row;
                row.extend_from_slice(&id);
                row.push(b',');
                row.extend_from_slice(stamp);
                row.push(b',');
                row.extend_from_slice(name);
                let converting = match cents {
                    Some(c) if k + 1 == end => {
                        row.extend_from_slice(b",1,");
                        push_cents(row, c);
                        Some(c)
                    }
                    _ => {
                        row.extend_from_slice(b",0,");
                        None
                    }
                };
                row.push(b'\n');
                let chan = scratch.chans[k] as usize;
                let extra;
                let (source, medium, campaign) = match UTM.get(chan) {
                    Some(spellings) => spellings[(index + k) % 2],
                    None => {
                        extra = format!("channel{chan}");
                        (extra.as_str(), "referral", "")
                    }
                };
                let row = &mut utm_out.row;
                row.extend_from_slice(&id);
                row.push(b',');
                row.extend_from_slice(stamp);
                for part in [source, medium, campaign] {
                    row.push(b',');
                    row.extend_from_slice(part.as_bytes());
                }
                match converting {
                    Some(c) => {
                        row.extend_from_slice(b",1,");
                        push_cents(row, c);
                    }
                    None => row.extend_from_slice(b",0,"),
                }
                row.push(b'\n');
                if let Some(pq) = pq.as_mut() {
                    pq.push(id_str, scratch.times[k] * 1000, &names[scratch.chans[k] as usize], converting);
                }
            }
            if let Some(c) = cents {
                let row = &mut conv_out.row;
                row.extend_from_slice(&id);
                row.push(b',');
                row.extend_from_slice(ts.format(scratch.times[end - 1]));
                row.push(b',');
                push_cents(row, c);
                row.push(b'\n');
                summary.conversions += 1;
                revenue_cents += c;
            }
            let key = &scratch.chans[start..end];
            let agg = match paths.get_mut(key) {
                Some(agg) => agg,
                None => paths.entry(key.into()).or_default(),
            };
            match cents {
                Some(c) => {
                    agg.conversions += 1;
                    agg.cents += c;
                }
                None => agg.nulls += 1,
            }
            summary.journeys += 1;
            start = end;
        }
        summary.touchpoints += scratch.times.len() as u64;
        touch_out.flush_row()?;
        event_out.flush_row()?;
        utm_out.flush_row()?;
        conv_out.flush_row()?;
        if let Some(pq) = pq.as_mut()
            && pq.len >= PARQUET_BATCH
        {
            pq.flush()?;
        }
    }
    touch_out.finish()?;
    event_out.finish()?;
    utm_out.finish()?;
    conv_out.finish()?;
    if let Some(pq) = pq {
        pq.finish()?;
    }

    summary.distinct_paths = write_paths(dir, &names, paths)?;
    summary.revenue = revenue_cents as f64 / 100.0;
    Ok(summary)
}

/// Writes `paths.csv`, sorted by path string; returns the number of rows.
fn write_paths(dir: &Path, names: &[String], paths: HashMap<Box<[u16]>, PathAgg, FxBuild>) -> io::Result<usize> {
    let mut rows: Vec<(String, PathAgg)> = paths
        .into_iter()
        .map(|(key, agg)| {
            let mut path = String::new();
            for (i, &c) in key.iter().enumerate() {
                if i > 0 {
                    path.push_str(" > ");
                }
                path.push_str(&names[c as usize]);
            }
            (path, agg)
        })
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut path_out = CsvOut::create(dir, "paths.csv", b"path,total_conversions,total_conversion_value,total_null\n")?;
    for (path, agg) in &rows {
        let row = &mut path_out.row;
        row.extend_from_slice(path.as_bytes());
        row.push(b',');
        push_u64(row, agg.conversions);
        row.push(b',');
        push_cents(row, agg.cents);
        row.push(b',');
        push_u64(row, agg.nulls);
        row.push(b'\n');
        path_out.flush_row()?;
    }
    path_out.finish()?;
    Ok(rows.len())
}

/// Width of the zero-padded customer number: at least 7 digits, more if needed
/// so that all ids of a run have the same length and sort in index order.
fn id_width(customers: usize) -> usize {
    digits(customers.saturating_sub(1)).max(7)
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

fn write_id(out: &mut Vec<u8>, index: usize, width: usize) {
    out.clear();
    out.push(b'c');
    out.resize(1 + digits(index).max(width), b'0');
    let mut n = index;
    for slot in out[1..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `cents` (non-negative) as `units.cc`.
fn push_cents(out: &mut Vec<u8>, cents: i64) {
    let c = cents.unsigned_abs();
    push_u64(out, c / 100);
    out.extend_from_slice(&[b'.', b'0' + (c % 100 / 10) as u8, b'0' + (c % 10) as u8]);
}

/// RFC 3339 UTC formatter with the date part cached per day.
#[derive(Default)]
struct TimeFormat {
    day: Option<i64>,
    buf: [u8; 20],
}

impl TimeFormat {
    fn format(&mut self, secs: i64) -> &[u8; 20] {
        let day = secs.div_euclid(86_400);
        if self.day != Some(day) {
            let (y, m, d) = civil_from_days(day);
            let y = y as u32;
            self.buf[..11].copy_from_slice(&[
                b'0' + (y / 1000 % 10) as u8,
                b'0' + (y / 100 % 10) as u8,
                b'0' + (y / 10 % 10) as u8,
                b'0' + (y % 10) as u8,
                b'-',
                b'0' + (m / 10) as u8,
                b'0' + (m % 10) as u8,
                b'-',
                b'0' + (d / 10) as u8,
                b'0' + (d % 10) as u8,
                b'T',
            ]);
            self.buf[19] = b'Z';
            self.day = Some(day);
        }
        let s = secs.rem_euclid(86_400) as u32;
        let (h, mi, se) = (s / 3600, s / 60 % 60, s % 60);
        self.buf[11..19].copy_from_slice(&[
            b'0' + (h / 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (mi / 10) as u8,
            b'0' + (mi % 10) as u8,
            b':',
            b'0' + (se / 10) as u8,
            b'0' + (se % 10) as u8,
        ]);
        &self.buf
    }
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A CSV file being written, with a row buffer filled by the caller.
struct CsvOut {
    path: PathBuf,
    out: BufWriter<File>,
    row: Vec<u8>,
}

impl CsvOut {
    fn create(dir: &Path, name: &str, header: &[u8]) -> io::Result<Self> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| with_path(&path, e))?;
        let mut out = CsvOut {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            row: Vec::new(),
        };
        out.row.extend_from_slice(header);
        out.flush_row()?;
        Ok(out)
    }

    fn flush_row(&mut self) -> io::Result<()> {
        let result = self.out.write_all(&self.row);
        self.row.clear();
        result.map_err(|e| with_path(&self.path, e))
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| with_path(&self.path, e))
    }
}

fn with_path(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

fn polars_err(path: &Path, err: PolarsError) -> io::Error {
    io::Error::other(format!("{}: {err}", path.display()))
}

/// Empties `v` for the next batch, keeping its capacity class.
fn take_batch<T>(v: &mut Vec<T>) -> Vec<T> {
    std::mem::replace(v, Vec::with_capacity(PARQUET_BATCH))
}

/// `events.parquet` and `touchpoints.parquet`: batches are built on the generating
/// thread and encoded on a writer thread, so Parquet encoding overlaps CSV output.
struct ParquetOut {
    len: usize,
    ids: StringChunkedBuilder,
    times: Vec<i64>,
    channels: StringChunkedBuilder,
    conversions: Vec<bool>,
    values: Vec<Option<f64>>,
    sender: Option<SyncSender<(usize, [Column; 5])>>,
    worker: Option<JoinHandle<io::Result<()>>>,
}

impl ParquetOut {
    fn create(dir: &Path) -> io::Result<Self> {
        let events_path = dir.join("events.parquet");
        let touch_path = dir.join("touchpoints.parquet");
        let time_type = DataType::Datetime(TimeUnit::Milliseconds, None);
        let touch_schema = Schema::from_iter([
            Field::new("customer_id".into(), DataType::String),
            Field::new("timestamp".into(), time_type),
            Field::new("channel".into(), DataType::String),
        ]);
        let mut event_schema = touch_schema.clone();
        event_schema.with_column("conversion".into(), DataType::Boolean);
        event_schema.with_column("value".into(), DataType::Float64);
        let open = |path: &Path, schema: &Schema| {
            let file = File::create(path).map_err(|e| with_path(path, e))?;
            ParquetWriter::new(file).batched(schema).map_err(|e| polars_err(path, e))
        };
        let mut events = open(&events_path, &event_schema)?;
        let mut touches = open(&touch_path, &touch_schema)?;
        // Two batches in flight bound memory while keeping both threads busy.
        let (sender, receiver) = sync_channel::<(usize, [Column; 5])>(2);
        let worker = thread::spawn(move || -> io::Result<()> {
            for (len, [ids, times, channels, conversions, values]) in receiver {
                DataFrame::new(len, vec![ids.clone(), times.clone(), channels.clone()])
                    .and_then(|df| touches.write_batch(&df))
                    .map_err(|e| polars_err(&touch_path, e))?;
                DataFrame::new(len, vec![ids, times, channels, conversions, values])
                    .and_then(|df| events.write_batch(&df))
                    .map_err(|e| polars_err(&events_path, e))?;
            }
            touches.finish().map_err(|e| polars_err(&touch_path, e))?;
            events.finish().map_err(|e| polars_err(&events_path, e))?;
            Ok(())
        });
        Ok(ParquetOut {
            len: 0,
            ids: StringChunkedBuilder::new("customer_id".into(), PARQUET_BATCH),
            times: Vec::with_capacity(PARQUET_BATCH),
            channels: StringChunkedBuilder::new("channel".into(), PARQUET_BATCH),
            conversions: Vec::with_capacity(PARQUET_BATCH),
            values: Vec::with_capacity(PARQUET_BATCH),
            sender: Some(sender),
            worker: Some(worker),
        })
    }

    fn push(&mut self, id: &str, millis: i64, channel: &str, cents: Option<i64>) {
        self.ids.append_value(id);
        self.times.push(millis);
        self.channels.append_value(channel);
        self.conversions.push(cents.is_some());
        self.values.push(cents.map(|c| c as f64 / 100.0));
        self.len += 1;
    }

    /// Hands the current batch to the writer thread.
    fn flush(&mut self) -> io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        let len = std::mem::take(&mut self.len);
        let fresh = |name: &str| StringChunkedBuilder::new(name.into(), PARQUET_BATCH);
        let ids = std::mem::replace(&mut self.ids, fresh("customer_id")).finish().into_column();
        let channels = std::mem::replace(&mut self.channels, fresh("channel")).finish().into_column();
        let times = Int64Chunked::from_vec("timestamp".into(), take_batch(&mut self.times))
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column();
        let conversions = Column::new("conversion".into(), take_batch(&mut self.conversions));
        let values = Column::new("value".into(), take_batch(&mut self.values));
        let sender = self.sender.as_ref().expect("sender lives until finish");
        if sender.send((len, [ids, times, channels, conversions, values])).is_err() {
            // The writer thread stopped early: its result holds the error.
            return self.join();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        self.join()
    }

    fn join(&mut self) -> io::Result<()> {
        self.sender = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the Parquet writer thread panicked")),
            None => Err(io::Error::other("the Parquet writer thread already stopped")),
        }
    }
}

#[derive(Default, Clone, Copy)]
struct PathAgg {
    conversions: u64,
    cents: i64,
    nulls: u64,
}

/// FxHash-style hasher for the path table (keys are short `u16` slices).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = BuildHasherDefault<FxHasher>;

/// One customer's draws in flat form: touch times and channels, and journey ends
/// (exclusive touch index, revenue in cents if the journey converts).
#[derive(Default)]
struct Scratch {
    times: Vec<i64>,
    chans: Vec<u16>,
    ends: Vec<(usize, Option<i64>)>,
}

impl Scratch {
    fn to_customer(&self, index: usize, width: usize) -> Customer {
        let mut id = Vec::new();
        write_id(&mut id, index, width);
        let mut start = 0;
        let journeys = self
            .ends
            .iter()
            .map(|&(end, cents)| {
                let touches = (start..end)
                    .map(|k| Touch {
                        time: self.times[k],
                        channel: self.chans[k],
                    })
                    .collect();
                start = end;
                Journey {
                    touches,
                    converted: cents.is_some(),
                    value: cents.unwrap_or(0) as f64 / 100.0,
                }
            })
            .collect();
        Customer {
            id: String::from_utf8(id).expect("ids are ASCII"),
            journeys,
        }
    }
}

/// Precomputed model parameters for a channel count.
struct Model {
    /// Cumulative popularity weights.
    cumulative: Vec<u32>,
    total_weight: u32,
    lifts: Vec<f64>,
    start: i64,
    span: u64,
}

impl Model {
    fn new(cfg: &Config) -> Self {
        assert!(
            (1..=MAX_CHANNELS).contains(&cfg.channels),
            "channels must be in 1..={MAX_CHANNELS}, got {}",
            cfg.channels
        );
        let mut cumulative = Vec::with_capacity(cfg.channels);
        let mut total_weight = 0;
        let mut lifts = Vec::with_capacity(cfg.channels);
        for i in 0..cfg.channels {
            total_weight += WEIGHTS.get(i).copied().unwrap_or(EXTRA_WEIGHT);
            cumulative.push(total_weight);
            lifts.push(LIFTS.get(i).copied().unwrap_or(0.1 * ((i % 5) as f64) - 0.1));
        }
        let epoch = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .expect("valid date")
                .and_utc()
                .timestamp()
        };
        let start = epoch(2025, 1, 1);
        let span = (epoch(2025, 4, 1) - start) as u64;
        Model {
            cumulative,
            total_weight,
            lifts,
            start,
            span,
        }
    }

    fn pick_channel(&self, rng: &mut Rng) -> u16 {
        let r = rng.below(u64::from(self.total_weight)) as u32;
        self.cumulative.iter().position(|&c| r < c).expect("r < total weight") as u16
    }

    /// Draws customer `index` into `out`.
    fn simulate(&self, seed: u64, index: usize, out: &mut Scratch) {
        out.times.clear();
        out.chans.clear();
        out.ends.clear();
        let mut rng = Rng::for_stream(seed, index as u64);
        let stay = 1.0 - 1.0 / MEAN_TOUCHES;
        let n = (1.0 + (rng.open01().ln() / stay.ln()).floor()).min(MAX_TOUCHES as f64) as usize;
        let (gap_lo, gap_hi) = (MIN_GAP.ln(), MAX_GAP.ln());
        let mut time = self.start + rng.below(self.span) as i64;
        let mut seen: u32 = 0;
        let mut logit = BASE_LOGIT;
        let mut channel = 0;
        for k in 0..n {
            if k > 0 {
                time += ((gap_lo + rng.uniform() * (gap_hi - gap_lo)).exp() as i64).max(1);
            }
            if k == 0 || rng.uniform() >= REPEAT_PROB {
                channel = self.pick_channel(&mut rng);
            }
            out.times.push(time);
            out.chans.push(channel);
            if seen & (1 << channel) == 0 {
                seen |= 1 << channel;
                logit += self.lifts[channel as usize];
            }
            if rng.uniform() < 1.0 / (1.0 + (-logit).exp()) {
                let value = (REVENUE_MEDIAN.ln() + REVENUE_SIGMA * rng.normal()).exp();
                let cents = ((value * 100.0).round() as i64).max(1);
                out.ends.push((k + 1, Some(cents)));
                seen = 0;
                logit = BASE_LOGIT;
            }
        }
        if out.ends.last().is_none_or(|&(end, _)| end < n) {
            out.ends.push((n, None));
        }
    }
}

/// xoshiro256** seeded through splitmix64.
struct Rng([u64; 4]);

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// Independent stream `stream` of `seed`.
    fn for_stream(seed: u64, stream: u64) -> Self {
        let mut key = seed;
        let mut state = splitmix64(&mut key) ^ stream;
        Rng([
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
        ])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`, safe for `ln`.
    fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is negligible for small `n`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Standard normal by Box-Muller (one of the pair is discarded to keep state simple).
    fn normal(&mut self) -> f64 {
        let r = (-2.0 * self.open01().ln()).sqrt();
        r * (std::f64::consts::TAU * self.uniform()).cos()
    }
}
