//! Input: touchpoint exports (CSV, gzip CSV or Parquet, files or stdin),
//! separate conversion files, GA4 exports, path aggregates, transition
//! counts, costs and result files.
//!
//! This stage owns polars and the file formats (`format`), and one reader
//! per kind of file (`read`). It hands on plain columnar arrays with
//! customers and channels interned into dense codes (`crate::intern`,
//! channels derived by `crate::channels` where the input has none) in
//! [`Events`] and [`PathTable`]; it does not order rows or build journeys,
//! which is the journey stage's job. Out of core, its rows go to partition
//! files by customer (`spill`, `parted`). It never prints: anything the
//! user should hear comes back as data.

pub mod accounts;
pub mod conversion_types;
pub mod expand;
pub mod format;
mod parted;
pub mod progress;
pub mod read;
pub mod rejects;
mod source;
pub mod spill;

pub use conversion_types::{ConversionTypes, RemovedByType};
pub use format::encoding::{self, Encoding};
pub use format::schema::{self, ColumnMap};
pub use format::table::parse_flag;
pub use format::time::{self, TimeFormat, Zone};
pub use parted::Parted;
pub use read::events::check_conversions;
pub use read::paths::PathTable;
pub use read::{costs, effects, ga4, lift, paths, results, transitions, truth};
pub use rejects::{OnError, Reason, Rejection};
pub use source::{Source, with_input_being_read};

use std::path::PathBuf;

use crate::error::Result;
use crate::intern::Interner;

/// Everything needed to read touchpoints (and conversions) into [`Events`].
#[derive(Debug, Clone, Default)]
pub struct InputSpec {
    /// Touchpoint files, concatenated in order; empty means stdin.
    pub sources: Vec<Source>,
    /// A separate conversions file (`customer_id,timestamp[,value]`).
    pub conversions: Option<ConversionsFile>,
    /// Column names.
    pub columns: ColumnMap,
    /// How the CSV text is written.
    pub dialect: Dialect,
    /// Timestamp format.
    pub time_format: TimeFormat,
    /// Zone of timestamps written without an offset.
    pub zone: Zone,
    /// Stop at the first bad row, or skip bad rows.
    pub on_error: OnError,
    /// Channels from source / medium / campaign by these rules, read and
    /// checked before any event (`--channel-rules`); `None`: the channel
    /// column, or GA4's rules when the input has none but has source and
    /// medium columns.
    pub channel_rules: Option<crate::channels::ChannelRules>,
    /// `--conversion-events`: rows whose event (column `columns.event`) is
    /// one of these are conversions of that type; the other rows are touches.
    pub conversion_events: Option<Vec<String>>,
    /// `--accounts` / `--account-col`: rows keyed by their person's
    /// account (`None`: by the customer id).
    pub accounts: Option<accounts::AccountSpec>,
    /// `--milestones`: conversion types, in funnel order, that end no
    /// journey but mark positions (W-shaped, full-path).
    pub milestones: Option<Vec<String>>,
    /// `--conversion-types`: keep only the conversions of these types.
    pub conversion_types: Option<Vec<String>>,
    /// `--ga4`: the sources are GA4 BigQuery export files, read with this
    /// identity rule (column names and the CSV dialect do not apply).
    pub ga4: Option<ga4::Identity>,
    /// `--memory-limit` / `--temp-dir`: when the typed columns would not
    /// fit, rows go to partition files on disk (`None`: always in memory).
    pub out_of_core: Option<OutOfCore>,
    /// The touch files may lack the conversion flag column (then no row
    /// converts): `mta channels` maps touches and needs no conversions.
    pub touches_only: bool,
    /// Bytes per CSV chunk (`None`: the default, or `MTA_CSV_CHUNK_BYTES`):
    /// fuzzing and tests cut small inputs into many chunks with it.
    pub chunk_bytes: Option<usize>,
}

impl InputSpec {
    /// Bytes per CSV chunk.
    fn chunk_bytes(&self) -> usize {
        self.chunk_bytes.filter(|&n| n > 0).unwrap_or_else(format::chunks::chunk_bytes)
    }
}

/// A separate conversions file and how it is written: a CRM export keeps
/// its own columns, delimiter, encoding, number and time formats beside a
/// web export (`--conv-*`, each the touch files' setting by default).
#[derive(Debug, Clone)]
pub struct ConversionsFile {
    /// Where it is read from.
    pub source: Source,
    /// Its column names.
    pub columns: ConversionColumns,
    /// How its text is written.
    pub dialect: Dialect,
    /// How its times are written.
    pub time_format: TimeFormat,
}

/// The column names of a conversions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionColumns {
    /// Customer id column.
    pub customer: String,
    /// Conversion time column.
    pub timestamp: String,
    /// Revenue column.
    pub value: String,
    /// Whether the user named the revenue column: then it must exist.
    pub value_required: bool,
    /// Conversion type column.
    pub conversion_type: String,
    /// Whether the user named the type column: then it must exist.
    pub type_required: bool,
    /// `--conversion-id-col`: rows with the same id are one conversion.
    pub id: Option<String>,
}

/// `--conversion-id-col`: what merging the conversions file's rows by
/// their id did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct MergedIds {
    /// The id column.
    pub column: String,
    /// Rows left out as repeats of an earlier row's id.
    pub rows_merged: u64,
    /// Conversions that had more than one row.
    pub conversions: u64,
    /// Of those, conversions whose rows list different values (the
    /// earliest row's counts).
    pub values_differ: u64,
}

/// `--milestones`: conversions of the milestone types (a lead, an
/// opportunity), which end no journey but mark the touches that led to
/// them for the W-shaped and full-path models.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Milestones {
    /// The milestone types, in funnel order, as asked.
    pub types: Vec<String>,
    /// Per milestone conversion: customer code.
    pub customer: Vec<u32>,
    /// Its time, epoch ms.
    pub time: Vec<i64>,
    /// Its type's position in `types`.
    pub stage: Vec<u8>,
}

impl Milestones {
    /// Conversions of each milestone type, in funnel order.
    pub fn counts(&self) -> Vec<MilestoneCount> {
        self.types
            .iter()
            .enumerate()
            .map(|(k, t)| MilestoneCount {
                milestone: t.clone(),
                conversions: self.stage.iter().filter(|&&s| usize::from(s) == k).count() as u64,
            })
            .collect()
    }
}

/// One milestone type's conversions, for the summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MilestoneCount {
    /// The type, as `--milestones` names it.
    pub milestone: String,
    /// Its conversions.
    pub conversions: u64,
}

/// When and where an input goes out of core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfCore {
    /// Memory a run may use, in bytes.
    pub limit: u64,
    /// Where the partition files go (`None`: the system temp dir).
    pub temp_dir: Option<PathBuf>,
}

impl OutOfCore {
    /// Typed columns held while reading, at most: a quarter of the limit,
    /// as building journeys from them takes about three times as much again.
    fn read_budget(&self) -> u64 {
        self.limit / 4
    }
}

/// How CSV text is written: what differs between exports of the same data
/// (a German Excel file: `;`, Windows-1252, `1.234,50`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dialect {
    /// Field delimiter; detected from the header when `None`.
    pub delimiter: Option<u8>,
    /// Text encoding (a UTF-16 byte-order mark overrides it).
    pub encoding: Encoding,
    /// Amounts in text use a decimal comma and `.` between thousands.
    pub decimal_comma: bool,
}

/// Rows read from one file, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    /// File name as given.
    pub name: String,
    /// Data rows read (header excluded), skipped ones included.
    pub rows: u64,
    /// Rows skipped by `--on-error skip`.
    pub skipped: u64,
    /// Rows without a customer id (visitors not yet identified), left out.
    pub anonymous: u64,
}

/// Where conversions come from.
#[derive(Debug, Clone, Default)]
pub enum Conversions {
    /// A flag on the touch at which the customer converted, with its revenue.
    Inline {
        /// Per row: whether this touch is a conversion.
        flag: Vec<bool>,
        /// Per row: revenue (meaningful where `flag` is set).
        value: Vec<f64>,
    },
    /// A separate file of conversion events.
    Separate {
        /// Customer code (same codes as the touches).
        customer: Vec<u32>,
        /// Conversion time, epoch ms.
        time: Vec<i64>,
        /// Revenue.
        value: Vec<f64>,
        /// Stats of the conversions file (`None`: conversion events of the
        /// touchpoint files).
        file: Option<FileStats>,
    },
    /// No conversions at all (only journeys); kept for completeness.
    #[default]
    None,
}

/// Touchpoint rows in columnar form, with interned customers and channels.
#[derive(Debug, Default)]
pub struct Events {
    /// Customer ids, in the canonical order of [`customers::group`] (code = position).
    pub customers: std::sync::Arc<crate::intern::customers::CustomerIds>,
    /// Channel names (codes in first-appearance order).
    pub channels: Interner,
    /// Per touch: customer code.
    pub customer: Vec<u32>,
    /// Per touch: time in UTC epoch milliseconds.
    pub time: Vec<i64>,
    /// Per touch: channel code.
    pub channel: Vec<u32>,
    /// The conversions.
    pub conversions: Conversions,
    /// Per touchpoint file: rows read.
    pub files: Vec<FileStats>,
    /// Inline mode: non-converting rows that carried a value (ignored, reported).
    pub ignored_values: u64,
    /// Rows skipped by `--on-error skip`, in file order (conversions file last).
    pub rejections: Vec<Rejection>,
    /// With channel rules: every distinct source / medium / campaign and the
    /// channel it was given (`mta channels`).
    pub channel_mapping: Option<Vec<crate::channels::Mapping>>,
    /// What the user should hear about how the input was read.
    pub notes: Vec<String>,
    /// The conversions' types, when the input has them.
    pub types: Option<ConversionTypes>,
    /// What `--conversion-types` removed.
    pub removed_by_type: Option<RemovedByType>,
    /// Conversions read of each type (before `--conversion-types`).
    pub conversions_by_type: Option<std::collections::BTreeMap<String, u64>>,
    /// Their revenue, per type.
    pub revenue_by_type: Option<std::collections::BTreeMap<String, f64>>,
    /// `--ga4`: what reading the export did with its events.
    pub ga4: Option<ga4::Ga4Stats>,
    /// Conversions on rows without a customer id (left out), and their revenue.
    pub anonymous_conversions: u64,
    /// See `anonymous_conversions`.
    pub anonymous_value: f64,
    /// `--order-col`: conversions repeating an earlier one's order id, left out.
    pub repeated_orders: u64,
    /// Conversion rows of the conversions file dated without a time of
    /// day, read as the end of their day.
    pub date_only_conversions: u64,
    /// `--conversion-id-col`: rows merged into one conversion per id.
    pub merged_ids: Option<MergedIds>,
    /// `--accounts` / `--account-col`: what keying rows by account did.
    pub accounts: Option<accounts::AccountStats>,
    /// `--milestones`: the milestone conversions, taken out of the
    /// conversions (they end no journey) and kept for their times.
    pub milestones: Option<Milestones>,
    /// How conversions were told apart, for the error when there are none.
    pub conversions_from: ConversionsFrom,
    /// `--timezone`: the zone the user reads dates in.
    pub zone: Zone,
}

/// How an input's conversions were told apart from its touches: what the
/// error says when it has none.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ConversionsFrom {
    /// Counts given as such (path aggregates, transition counts).
    #[default]
    Counts,
    /// A flag column of the touchpoints (`--conversion-col`).
    Flag(String),
    /// The rows of the events named by `--conversion-events`.
    Events {
        /// The event name column.
        column: String,
        /// The events named.
        asked: Vec<String>,
        /// Rows of each event name found, by name.
        counts: std::collections::BTreeMap<String, u64>,
    },
    /// A conversions file (`--conversions`).
    File(String),
}

impl Events {
    /// Frees the per-row columns (customer, time, channel, inline values)
    /// once journeys are built from them; what the summary reads (files,
    /// conversion flags and counts, notes) stays. The events cannot build
    /// journeys again.
    pub fn release_rows(&mut self) {
        self.customer = Vec::new();
        self.time = Vec::new();
        self.channel = Vec::new();
        if let Conversions::Inline { value, .. } = &mut self.conversions {
            *value = Vec::new();
        }
    }
}

/// An input read: all rows in memory, or partitioned on disk (out of core).
#[derive(Debug)]
pub enum Loaded {
    /// Every row, in memory.
    Whole(Events),
    /// Rows in partition files, read back a few partitions at a time.
    Parted(Parted),
}

/// Reads every touchpoint source (and the conversions file, if any) into
/// memory: an error when the input passes `spec.out_of_core`'s limit.
pub fn load(spec: &InputSpec) -> Result<Events> {
    match read::events::read(spec, false)? {
        Loaded::Whole(ev) => Ok(ev),
        Loaded::Parted(_) => unreachable!("partitions were not allowed"),
    }
}

/// [`load`], going out of core when the typed columns would pass
/// `spec.out_of_core`'s limit.
pub fn load_or_partition(spec: &InputSpec) -> Result<Loaded> {
    read::events::read(spec, true)
}
