//! The flags shared by subcommands, as clap declares them, and the parsing
//! of each flag's own value (a duration, a size, weights, a list of names).
//!
//! What depends on several flags (combinations refused, settings resolved,
//! secondary inputs opened) is `super::plan`'s; the library below never
//! sees clap. Parse errors are usage errors (exit 2).

use std::path::PathBuf;

use clap::Args;

use crate::channels::RuleSource;
use crate::error::{Error, Result};
use crate::input::ga4::Identity;
use crate::input::{Encoding, OnError, TimeFormat, Zone};
use crate::journey::transform::PathTransform;
use crate::journey::{ChannelFilter, JourneyMode};
use crate::model::markov::{MarkovConfig, MarkovOrder};
use crate::model::{ModelConfig, ModelKind};
use crate::output::OutputFormat;

/// Flags that name the customer, time, channel and traffic columns.
pub(super) const TRAFFIC_COLUMN_FLAGS: [&str; 7] = [
    "customer_col",
    "time_col",
    "channel_col",
    "conversion_col",
    "source_col",
    "medium_col",
    "campaign_col",
];

/// Flags that name the conversion type and event columns.
pub(super) const TYPE_COLUMN_FLAGS: [&str; 2] = ["type_col", "event_col"];

/// Flags that name the revenue and order columns.
pub(super) const VALUE_COLUMN_FLAGS: [&str; 2] = ["value_col", "order_col"];

/// The parts, one after the other, as one list of flag ids (`N` = their
/// lengths' sum, checked at compile time): the conflict lists below share
/// their column flags instead of each keeping its own copy.
pub(super) const fn flags<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut p) = (0, 0);
    while p < parts.len() {
        let mut k = 0;
        while k < parts[p].len() {
            assert!(i < N, "the lengths add up");
            out[i] = parts[p][k];
            (i, k) = (i + 1, k + 1);
        }
        p += 1;
    }
    assert!(i == N, "the lengths add up");
    out
}

/// Flags that name columns or describe CSV text: a GA4 export has its own
/// schema, so with `--ga4` they would be silently ignored; they are refused.
const GA4_CONFLICTS: [&str; 17] = flags(&[
    &["inputs", "paths", "conversions"],
    &TRAFFIC_COLUMN_FLAGS,
    &TYPE_COLUMN_FLAGS,
    &VALUE_COLUMN_FLAGS,
    &["time_format", "delimiter", "decimal_comma"],
]);

/// Where the data comes from and how journeys are built.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Touchpoint files (CSV, CSV.gz or Parquet); several are concatenated; a directory or a quoted glob (`'events/*.parquet'`) stands for its files; `-` or none reads CSV from stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The inputs name tables, not files (`mta sql`): not expanded as
    /// directories or globs.
    #[arg(skip)]
    pub literal_inputs: bool,
    /// The inputs are path aggregates: `path,total_conversions[,total_conversion_value][,total_null]`.
    #[arg(long, help_heading = "Input")]
    pub paths: bool,
    /// Separator between channels in a path (with `--paths`).
    #[arg(long, default_value = " > ", value_name = "SEP", help_heading = "Input")]
    pub sep: String,
    /// GA4 BigQuery export files (Parquet, or newline-delimited JSON `.json`/`.jsonl`/`.ndjson`, optionally gzipped): sessions are the touches, events named in `--conversion-events` (default `purchase`) the conversions.
    #[arg(
        long,
        num_args = 1..,
        value_name = "FILE",
        conflicts_with_all = GA4_CONFLICTS,
        help_heading = "Input"
    )]
    pub ga4: Vec<String>,
    /// Who a GA4 customer is: `user-id` (a device's last `user_id`, so logged-out and logged-in visits join; else its `user_pseudo_id`) or `pseudo` (`user_pseudo_id` only) [default: user-id].
    #[arg(long, value_enum, value_name = "ID", help_heading = "Input")]
    pub ga4_identity: Option<Identity>,
    /// Conversions in a separate file: `customer_id,timestamp[,value][,conversion_type]`, read with the touch files' column flags and formats unless the `--conv-*` flags say otherwise.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub conversions: Option<String>,
    /// The conversions file's own columns and formats (a CRM export beside
    /// a web export).
    #[command(flatten)]
    pub conv: ConvArgs,
    /// Accounts: the people of one company as one customer.
    #[command(flatten)]
    pub accounts: AccountArgs,
    /// Customer id column.
    #[arg(long, default_value = "customer_id", value_name = "NAME", help_heading = "Columns")]
    pub customer_col: String,
    /// Timestamp column.
    #[arg(long, default_value = "timestamp", value_name = "NAME", help_heading = "Columns")]
    pub time_col: String,
    /// Channel column.
    #[arg(long, default_value = "channel", value_name = "NAME", help_heading = "Columns")]
    pub channel_col: String,
    /// Inline conversion flag column (1/0, true/false, yes/no).
    #[arg(long, default_value = "conversion", value_name = "NAME", help_heading = "Columns")]
    pub conversion_col: String,
    /// Traffic source column, for `--channel-rules` [default: `source`, else `utm_source`].
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub source_col: Option<String>,
    /// Traffic medium column, for `--channel-rules` [default: `medium`, else `utm_medium`].
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub medium_col: Option<String>,
    /// Campaign column, for `--channel-rules` (optional) [default: `campaign`, else `utm_campaign`].
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub campaign_col: Option<String>,
    /// Order (transaction) id column: a conversion whose order id was seen before (a reloaded thank-you page) counts once, at its first occurrence in time.
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub order_col: Option<String>,
    /// Derive channels from source / medium / campaign: `ga4` (GA4's default channel group), a rules FILE (CSV `channel,source,medium,campaign` of regular expressions), or `FILE,ga4`. Default: the channel column, else `ga4` when the input has source and medium columns.
    #[arg(long, value_name = "RULES", help_heading = "Columns")]
    pub channel_rules: Option<String>,
    /// Conversion type column (purchase, lead...) of inline events or the conversions file (optional unless given).
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub type_col: Option<String>,
    /// Event name column, for `--conversion-events`.
    #[arg(long, default_value = "event_name", value_name = "NAME", help_heading = "Columns")]
    pub event_col: String,
    /// Event-level exports: rows whose event (`--event-col`) is one of these are conversions of that type; the other rows are touches.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "EVENT[,EVENT...]",
        conflicts_with = "conversions",
        help_heading = "Input"
    )]
    pub conversion_events: Vec<String>,
    /// Milestone conversion types in funnel order, e.g. `lead,opportunity` (at most two): they end no journey, and mark for `w-shaped` and `full-path` the last touch at or before each; the credited type is `--conversion-types` (default: every other type).
    #[arg(long, value_delimiter = ',', value_name = "TYPE[,TYPE]", help_heading = "Journeys")]
    pub milestones: Vec<String>,
    /// Keep only conversions of these types (case-insensitive); the others neither close journeys nor get credit (an inline one stays as a touch).
    #[arg(long, value_delimiter = ',', value_name = "TYPE[,TYPE...]", help_heading = "Journeys")]
    pub conversion_types: Vec<String>,
    /// Conversion revenue column (empty = 0; optional unless given).
    #[arg(long, value_name = "NAME", help_heading = "Columns")]
    pub value_col: Option<String>,
    /// Timestamp format: `auto`, `epoch-s`, `epoch-ms` or a strftime pattern like `%d/%m/%Y %H:%M`.
    #[arg(long, default_value = "auto", value_name = "FORMAT", help_heading = "Input")]
    pub time_format: String,
    /// Zone of timestamps without an offset: `UTC`, `+02:00` or an IANA name like `Europe/Paris`.
    #[arg(long, default_value = "UTC", value_name = "ZONE", help_heading = "Input")]
    pub timezone: String,
    /// Field delimiter (`,` `;` `\t` `|` ...); detected from the header when absent.
    #[arg(long, value_name = "CHAR", help_heading = "Input")]
    pub delimiter: Option<String>,
    /// Text encoding of CSV input: `utf-8`, `windows-1252` (Excel on Windows), `latin1` or `utf-16`; a UTF-16 byte-order mark is detected.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8, value_name = "ENCODING", help_heading = "Input")]
    pub encoding: Encoding,
    /// Amounts use a decimal comma and `.` between thousands (`12,50`, `1.234,50`), as in German or French exports.
    #[arg(long, help_heading = "Input")]
    pub decimal_comma: bool,
    /// Drop touches older than this before their conversion, e.g. `30d` (units s, m, h, d, w).
    #[arg(long, value_name = "DURATION", help_heading = "Journeys")]
    pub lookback: Option<String>,
    /// One touch per visit: consecutive rows of a customer with the same channel, each less than DURATION after the customer's previous row (touch or conversion), are one touch at the first row's time, e.g. `30m`; a different channel always starts a new touch, and a conversion row stays a conversion.
    #[arg(long, value_name = "DURATION", help_heading = "Journeys")]
    pub session_gap: Option<String>,
    /// Keep only the last N touches of each journey.
    #[arg(long, value_name = "N", help_heading = "Journeys")]
    pub max_touches: Option<usize>,
    /// How touches become journeys: `split` at each conversion, or a `window` of `--lookback` before each conversion (fractribution's and Snowplow's paths).
    #[arg(long, value_enum, default_value_t = JourneyMode::Split, value_name = "MODE", help_heading = "Journeys")]
    pub journey_mode: JourneyMode,
    /// Transform every journey, in the order given, after `--lookback` and `--max-touches`: `unique`, `exposure` (collapse repeats), `first` (first touch of each channel), `remove-if-not-all:CH[|CH...]`, `remove-if-last-and-not-all:CH[|CH...]`.
    #[arg(long, value_delimiter = ',', value_parser = parse_transform, value_name = "T[,T...]", help_heading = "Journeys")]
    pub path_transform: Vec<PathTransform>,
    /// Keep journeys whose conversion (or, for a non-converting journey, last touch) is at or after this date or timestamp (in `--timezone`); earlier touches still count, within `--lookback`.
    #[arg(long, value_name = "DATE", help_heading = "Journeys")]
    pub from: Option<String>,
    /// Keep journeys whose conversion (or last touch) is before this date or timestamp (exclusive).
    #[arg(long, value_name = "DATE", help_heading = "Journeys")]
    pub to: Option<String>,
    /// Drop touches of these channels before journeys are built (case-insensitive; after `--channel-rules`).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "CH[,CH...]",
        conflicts_with = "include_channels",
        help_heading = "Journeys"
    )]
    pub exclude_channels: Vec<String>,
    /// Keep only touches of these channels (case-insensitive; after `--channel-rules`).
    #[arg(long, value_delimiter = ',', value_name = "CH[,CH...]", help_heading = "Journeys")]
    pub include_channels: Vec<String>,
    /// What a bad row does: `stop` the run with an error naming file, line and column, or `skip` it (counted by reason in the summary).
    #[arg(long, value_enum, default_value_t = OnError::Stop, value_name = "POLICY", help_heading = "Input")]
    pub on_error: OnError,
    /// With `--on-error skip`: write every skipped row to FILE (CSV: `file,line,row,reason,column,value,detail,record`).
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub rejects: Option<PathBuf>,
    /// Memory the run may use, e.g. `4G` or `800M` [default: half of this machine's memory]. Past it, `mta attribute` puts rows in partition files on disk by customer and processes a few partitions at a time, with the same results.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help_heading = "Input")]
    pub memory_limit: Option<u64>,
    /// Where partition files go when the input passes `--memory-limit` [default: the system temp dir]; they are removed on exit, on error and on Ctrl-C too.
    #[arg(long, value_name = "DIR", help_heading = "Input")]
    pub temp_dir: Option<PathBuf>,
}

/// How the conversions file (`--conversions`) is written when it is not
/// written like the touch files: each flag defaults to the touch files'
/// setting, so a CRM export (`;`, Windows-1252, `28.07.2026`, `45.000,00`)
/// and a web export are read as they are.
#[derive(Debug, Default, Args)]
pub struct ConvArgs {
    /// Deals: rows of the conversions file with the same id in this column are one conversion, at the earliest row's time with that row's value (a deal listed once per buying-committee contact is one deal); the rows merged are counted in the summary.
    #[arg(
        long,
        value_name = "NAME",
        requires = "conversions",
        conflicts_with = "order_col",
        help_heading = "Conversions file"
    )]
    pub conversion_id_col: Option<String>,
    /// Customer id column of the conversions file [default: `--customer-col`].
    #[arg(long, value_name = "NAME", requires = "conversions", help_heading = "Conversions file")]
    pub conv_customer_col: Option<String>,
    /// Time column of the conversions file [default: `--time-col`].
    #[arg(long, value_name = "NAME", requires = "conversions", help_heading = "Conversions file")]
    pub conv_time_col: Option<String>,
    /// Revenue column of the conversions file [default: `--value-col`].
    #[arg(long, value_name = "NAME", requires = "conversions", help_heading = "Conversions file")]
    pub conv_value_col: Option<String>,
    /// Conversion type column of the conversions file [default: `--type-col`].
    #[arg(long, value_name = "NAME", requires = "conversions", help_heading = "Conversions file")]
    pub conv_type_col: Option<String>,
    /// How the conversions file writes times [default: `--time-format`], e.g. `%d.%m.%Y` (a date alone is the end of that day).
    #[arg(long, value_name = "FORMAT", requires = "conversions", help_heading = "Conversions file")]
    pub conv_time_format: Option<String>,
    /// Field delimiter of the conversions file [default: `--delimiter`, else detected from its header].
    #[arg(long, value_name = "CHAR", requires = "conversions", help_heading = "Conversions file")]
    pub conv_delimiter: Option<String>,
    /// Text encoding of the conversions file [default: `--encoding`].
    #[arg(
        long,
        value_enum,
        value_name = "ENCODING",
        requires = "conversions",
        help_heading = "Conversions file"
    )]
    pub conv_encoding: Option<Encoding>,
    /// The conversions file writes amounts with a decimal comma (`45.000,00`) [default: `--decimal-comma`]; `--conv-decimal-comma=false` for decimal points beside German touch files.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        default_missing_value = "true",
        requires = "conversions",
        help_heading = "Conversions file"
    )]
    pub conv_decimal_comma: Option<bool>,
}

/// Accounts (B2B): journeys and conversions per company, its people's
/// touches merged in time order.
#[derive(Debug, Default, Args)]
pub struct AccountArgs {
    /// Accounts (B2B): CSV of `customer_id,account_id` pairs (the customer column may also carry `--customer-col`'s name); each person's touches and conversions count for their account, merged in time order. A person in two accounts is an error.
    #[arg(long, value_name = "FILE", conflicts_with = "account_col", help_heading = "Accounts")]
    pub accounts: Option<String>,
    /// Accounts (B2B) from a column of the touch files (and of the conversions file, see `--conv-account-col`): a row counts for the account on it; a row without one for its person.
    #[arg(long, value_name = "NAME", help_heading = "Accounts")]
    pub account_col: Option<String>,
    /// The account column of the conversions file [default: `--account-col`].
    #[arg(long, value_name = "NAME", requires_all = ["conversions", "account_col"], help_heading = "Accounts")]
    pub conv_account_col: Option<String>,
    /// Rows of people without an account: `keep` each person as a customer of their own, or `drop` them; counted either way [default: keep].
    #[arg(long, value_enum, value_name = "WHAT", help_heading = "Accounts")]
    pub account_missing: Option<crate::input::accounts::AccountMissing>,
}

/// `--robust` and its scenarios (`mta budget`, `mta report`).
#[derive(Debug, Args)]
pub struct RobustArgs {
    /// Move spend only where the scenarios agree: every model that ran (participation aside) at each of `--lookbacks` (and each bootstrap replicate), each exactly `mta budget --model M --models M --lookback L`; adds `scenarios,increase_share,decrease_share,robust_direction`.
    #[arg(long, help_heading = "Robustness")]
    pub robust: bool,
    /// The lookbacks of `--robust`'s scenarios.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "7d,14d,30d,90d",
        value_name = "L[,L...]",
        help_heading = "Robustness"
    )]
    pub lookbacks: Vec<String>,
    /// The share of the scenarios that must move a channel one way for `robust_direction` to say so.
    #[arg(long, default_value_t = 0.9, value_name = "SHARE", help_heading = "Robustness")]
    pub agreement: f64,
}

impl RobustArgs {
    /// The refusal of an agreement that cannot decide a direction.
    pub fn refusal(&self) -> super::plan::Refusal {
        super::plan::Refusal::when(
            !(self.agreement > 0.5 && self.agreement <= 1.0),
            format!("`--agreement {}` must be above 0.5 and at most 1", self.agreement),
            "e.g. `--agreement 0.9`: nine scenarios in ten move the channel that way",
        )
    }

    /// The lookbacks in milliseconds (none without `--robust`).
    pub fn lookbacks_ms(&self) -> Result<Vec<f64>> {
        match self.robust {
            true => self.lookbacks.iter().map(|l| parse_duration(l, "--lookbacks")).collect(),
            false => Ok(Vec::new()),
        }
    }
}

/// `4G`, `800M`, `1.5G`, `512K` or bytes: sizes in binary units.
fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("unknown unit `{unit}`: expected K, M, G or T (e.g. `4G`, `800M`)")),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok((n * scale as f64) as u64),
        _ => Err(format!("expected a size such as `4G` or `800M`, found `{s}`")),
    }
}

/// Half of this machine's memory (from /proc/meminfo), else 4 GiB.
pub(super) fn default_memory_limit() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    total.map_or(4 << 30, |t| t / 2)
}

/// Spend per channel, weighed against the credits (`--costs`).
#[derive(Debug, Args)]
pub struct CostArgs {
    /// Spend per channel: CSV, gzip CSV or Parquet with `channel,spend[,date][,campaign]` (spend summed per channel; channel names as attributed, matched case-insensitively). Adds spend, CPA and ROAS to every credit.
    #[arg(long, value_name = "FILE", help_heading = "Costs")]
    pub costs: Option<String>,
    /// Channel column of the costs file.
    #[arg(long, default_value = "channel", value_name = "NAME", help_heading = "Costs")]
    pub cost_channel_col: String,
    /// Spend column of the costs file (a non-negative amount).
    #[arg(long, default_value = "spend", value_name = "NAME", help_heading = "Costs")]
    pub cost_col: String,
    /// Date column of the costs file (a day or timestamp; optional unless given): dated rows outside `--from`/`--to` are left out.
    #[arg(long, value_name = "NAME", help_heading = "Costs")]
    pub cost_date_col: Option<String>,
    /// How the cost dates are written: `auto` (ISO 8601 or epoch), or a strftime pattern such as `%d.%m.%Y`.
    #[arg(long, default_value = "auto", value_name = "FORMAT", help_heading = "Costs")]
    pub cost_date_format: String,
    /// Text encoding of the costs file alone [default: the events' `--encoding`].
    #[arg(long, value_enum, value_name = "ENCODING", help_heading = "Costs")]
    pub cost_encoding: Option<Encoding>,
    /// Lift tests to calibrate credit with: CSV `channel,start,end,incremental_conversions[,lo,hi][,incremental_value]` (dates in `--timezone`, end exclusive). Adds `calibration_factor,calibrated_conversions,calibrated_value` to every credit.
    #[arg(long, value_name = "FILE", help_heading = "Calibration")]
    pub lift: Option<String>,
    /// The costs file alone writes amounts with a decimal comma (`1.234,50`) [default: the events' `--decimal-comma`]; `--cost-decimal-comma=false` for a costs file with decimal points beside German events.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", help_heading = "Costs")]
    pub cost_decimal_comma: Option<bool>,
}

/// The flag groups of a subcommand that reads events and runs models on
/// them (`attribute`, `budget`, `report`, `scorecard`).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Input and journey flags.
    #[command(flatten)]
    pub input: InputArgs,
    /// Model flags.
    #[command(flatten)]
    pub models: ModelArgs,
    /// Cost flags.
    #[command(flatten)]
    pub costs: CostArgs,
    /// Output flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which models run, with their parameters.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Models to run, comma-separated [default: every model the input supports].
    #[arg(long, value_delimiter = ',', value_name = "MODELS", help_heading = "Models")]
    pub models: Vec<ModelKind>,
    /// Channel that `last-non-direct` skips (case-insensitive).
    #[arg(long, default_value = "Direct", value_name = "NAME", help_heading = "Models")]
    pub direct_channel: String,
    /// `position-based` weights of first, middle and last touches; they must sum to 1.
    #[arg(long, default_value = "0.4,0.2,0.4", value_name = "F,M,L", help_heading = "Models")]
    pub position_weights: String,
    /// `time-decay` half-life (units s, m, h, d, w).
    #[arg(long, default_value = "7d", value_name = "DURATION", help_heading = "Models")]
    pub half_life: String,
    /// Markov model parameters.
    #[command(flatten)]
    pub markov: MarkovArgs,
}

/// Parameters of the Markov model (shared by `attribute` and `markov`).
#[derive(Debug, Clone, Args)]
pub struct MarkovArgs {
    /// `markov` order: channels per state, 1 to 4, or `auto` (the order with the best penalised ROC AUC).
    #[arg(long, default_value = "1", value_parser = parse_markov_order, value_name = "K|auto", help_heading = "Models")]
    pub markov_order: MarkovOrder,
    /// `markov`: keep self-loops from consecutive identical states instead of collapsing them.
    #[arg(long, help_heading = "Models")]
    pub keep_repeats: bool,
}

/// `--include-channels` / `--exclude-channels` (clap lets only one through).
pub(super) fn channel_filter(include: &[String], exclude: &[String]) -> Result<Option<ChannelFilter>> {
    let (include, names) = match (include.is_empty(), exclude.is_empty()) {
        (true, true) => return Ok(None),
        (false, _) => (true, include),
        (true, false) => (false, exclude),
    };
    if names.iter().any(|n| n.trim().is_empty()) {
        let flag = if include { "--include-channels" } else { "--exclude-channels" };
        return Err(Error::usage(
            format!("`{flag}` names an empty channel"),
            "list channel names separated by commas, e.g. `Direct,Email`",
        ));
    }
    Ok(Some(ChannelFilter {
        include,
        names: names.to_vec(),
    }))
}

/// A list of names (`--conversion-events`, `--conversion-types`); `None` when not given.
pub(super) fn names_list(names: &[String], flag: &str) -> Result<Option<Vec<String>>> {
    if names.is_empty() {
        return Ok(None);
    }
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(Error::usage(
            format!("`{flag}` names an empty value"),
            "list names separated by commas, e.g. `purchase,sign_up`",
        ));
    }
    Ok(Some(names.iter().map(|n| n.trim().to_string()).collect()))
}

/// `--from` / `--to`: a date (midnight) or timestamp, in `zone` unless it has an offset.
pub(super) fn parse_instant(s: &str, flag: &str, zone: Zone) -> Result<i64> {
    // No sample value: always ISO 8601 (an integer like `20260101` is not
    // taken for epoch seconds).
    crate::input::time::TimeParser::new(&TimeFormat::Auto, zone, None)
        .parse(s)
        .map_err(|why| {
            let expected = if why.starts_with("an ISO 8601") {
                "a date or an ISO 8601 timestamp"
            } else {
                why.as_str()
            };
            Error::usage(
                format!("`{flag} {s}`: expected {expected}"),
                "e.g. `2026-01-01` or `2026-01-01T12:00:00+01:00`",
            )
        })
}

fn parse_markov_order(s: &str) -> std::result::Result<MarkovOrder, String> {
    match s.trim() {
        "auto" => Ok(MarkovOrder::Auto),
        t => match t.parse::<usize>() {
            Ok(k) if (1..=crate::model::markov::MAX_ORDER).contains(&k) => Ok(MarkovOrder::Fixed(k)),
            _ => Err(format!("expected 1 to {} or `auto`", crate::model::markov::MAX_ORDER)),
        },
    }
}

impl MarkovArgs {
    /// The parameters as given; the model resolves an `auto` order itself.
    pub fn config(&self) -> MarkovConfig {
        MarkovConfig {
            order: self.markov_order,
            keep_repeats: self.keep_repeats,
        }
    }
}

/// Where and how results are written: the same flags for every subcommand.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format (each subcommand's help says which it writes and its default).
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<OutputFormat>,
    /// Output file, written atomically; `-` is stdout.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<String>,
    /// No summary or notes on stderr.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
    /// In CSV, prefix text cells (channels, ids, paths) starting with `=`, `+`, `-` or `@` with `'` so a spreadsheet does not run them as formulas (such a file no longer reads back as data).
    #[arg(long, help_heading = "Output")]
    pub excel_safe: bool,
}

impl ModelArgs {
    /// Validates into the model list (empty = default set) and parameters.
    pub fn into_config(self) -> Result<(Vec<ModelKind>, ModelConfig)> {
        let half_life_ms = parse_duration(&self.half_life, "--half-life")?;
        let position_weights = parse_weights(&self.position_weights)?;
        let mut models = Vec::new();
        for m in self.models {
            if !models.contains(&m) {
                models.push(m);
            }
        }
        Ok((
            models,
            ModelConfig {
                direct_channel: self.direct_channel,
                position_weights,
                half_life_ms,
                markov: self.markov.config(),
            },
        ))
    }
}

/// `--channel-rules ga4`, `FILE` or `FILE,ga4`: rule sets tried in order.
pub(super) fn parse_rule_sources(s: &str) -> Result<Vec<RuleSource>> {
    let parts: Vec<RuleSource> = s
        .split(',')
        .map(str::trim)
        .map(|p| {
            if p.eq_ignore_ascii_case("ga4") {
                RuleSource::Ga4
            } else {
                RuleSource::File(p.to_string())
            }
        })
        .collect();
    if parts.iter().any(|p| *p == RuleSource::File(String::new())) {
        return Err(Error::usage(
            format!("`--channel-rules {s}` names an empty file"),
            "pass `ga4`, a rules file, or `FILE,ga4`",
        ));
    }
    Ok(parts)
}

fn parse_transform(s: &str) -> std::result::Result<PathTransform, String> {
    s.parse()
}

/// `30d`, `12h`, `1.5w`, `90s`, `15m` to milliseconds; must be positive.
pub fn parse_duration(s: &str, flag: &str) -> Result<f64> {
    let t = s.trim();
    let bad = || {
        Error::usage(
            format!("`{flag} {s}` is not a duration"),
            "write a positive number and a unit: s, m, h, d or w, e.g. `30d`",
        )
    };
    let unit = t.chars().last().ok_or_else(bad)?;
    let ms_per = match unit {
        's' => 1e3,
        'm' => 60e3,
        'h' => 3_600e3,
        'd' => 86_400e3,
        'w' => 604_800e3,
        _ => return Err(bad()),
    };
    let n: f64 = t[..t.len() - 1].trim().parse().map_err(|_| bad())?;
    if !(n.is_finite() && n > 0.0) {
        return Err(bad());
    }
    Ok(n * ms_per)
}

pub(super) fn parse_delimiter(s: &str, flag: &str) -> Result<u8> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
        _ => Err(Error::usage(
            format!("`{flag} {s}` must be a single ASCII character"),
            format!("e.g. `{flag} ';'` or `{flag} '\\t'`"),
        )),
    }
}

fn parse_weights(s: &str) -> Result<[f64; 3]> {
    let bad = |why: &str| {
        Error::usage(
            format!("`--position-weights {s}` {why}"),
            "give three non-negative numbers for first, middle and last touch that sum to 1, e.g. `0.4,0.2,0.4`",
        )
    };
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad("is not a list of numbers"))?;
    let w: [f64; 3] = parts.try_into().map_err(|_| bad("must have exactly three numbers"))?;
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(bad("has a negative or non-finite weight"));
    }
    if (w.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
        return Err(bad("does not sum to 1"));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units_and_refuse_nonsense() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("800M"), Ok(800 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("4X").unwrap_err().contains("unknown unit"));
        for bad in ["", "G", "-1G", "0", "nanG"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d", "--lookback").unwrap(), 30.0 * 86_400_000.0);
        assert_eq!(parse_duration("1.5h", "--lookback").unwrap(), 5_400_000.0);
        assert_eq!(parse_duration("2w", "--lookback").unwrap(), 14.0 * 86_400_000.0);
        for bad in ["30", "d", "-1d", "0s", "abc", "", "1y"] {
            assert!(parse_duration(bad, "--lookback").is_err(), "{bad}");
        }
    }

    #[test]
    fn weights() {
        assert_eq!(parse_weights("0.4,0.2,0.4").unwrap(), [0.4, 0.2, 0.4]);
        assert_eq!(parse_weights(" 0.2 , 0.2, 0.6").unwrap(), [0.2, 0.2, 0.6]);
        assert!(parse_weights("0.5,0.5").is_err());
        assert!(parse_weights("0.5,0.5,0.5").unwrap_err().to_string().contains("sum to 1"));
        assert!(parse_weights("1.2,-0.2,0").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";", "--delimiter").unwrap(), b';');
        assert_eq!(parse_delimiter("\\t", "--delimiter").unwrap(), b'\t');
        assert!(parse_delimiter(";;", "--delimiter").is_err());
    }
}
