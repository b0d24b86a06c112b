//! Spend per channel (`--costs`): what the credits are weighed against to
//! give cost per acquisition and return on ad spend.

use super::schema::ColumnRequest;
use super::{Dialect, FileStats, OnError, Reason, Source, TimeFormat, Zone};
use crate::error::Result;

/// Where the costs are and how to read them.
#[derive(Debug, Clone)]
pub struct CostSpec {
    /// The costs file (CSV, gzip CSV or Parquet).
    pub source: Source,
    /// Channel column (`--cost-channel-col`).
    pub channel_col: String,
    /// Spend column (`--cost-col`).
    pub spend_col: String,
    /// Date column (`--cost-date-col`); optional in the file unless the flag was given.
    pub date_col: String,
    /// Whether the date column must be there (the flag was given).
    pub date_required: bool,
    /// How the dates are written (`--cost-date-format`, default detected).
    pub date_format: TimeFormat,
    /// The CSV dialect of the events applies to the costs too.
    pub dialect: Dialect,
    /// Zone of dates without an offset (`--timezone`).
    pub zone: Zone,
    /// `--from` / `--to` (epoch ms; `to` exclusive): dated rows outside are left out.
    pub from_ms: Option<i64>,
    /// See `from_ms`.
    pub to_ms: Option<i64>,
}

/// Spend summed per channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Per channel (as first written; channels match case-insensitively,
    /// so `Email` and `email` rows add up under the first spelling), in
    /// order of first appearance.
    pub spend: Vec<(String, f64)>,
    /// The file's rows.
    pub file: Option<FileStats>,
    /// Dated rows outside `--from` / `--to`, left out.
    pub rows_outside_period: u64,
    /// Their spend.
    pub spend_outside_period: f64,
    /// Lower-case channel name -> its position in `spend`.
    index: std::collections::HashMap<String, usize>,
}

impl Costs {
    /// Total spend kept.
    pub fn total(&self) -> f64 {
        self.spend.iter().map(|(_, s)| s).sum()
    }

    /// Spend of `channel` (case-insensitive), if the file has any row for it.
    pub fn of(&self, channel: &str) -> Option<f64> {
        self.index.get(&channel.to_lowercase()).map(|&i| self.spend[i].1)
    }
}

/// Reads the costs file. Negative or non-numeric spend, a bad date or a
/// missing column is an error naming the file, line and column.
pub fn load(spec: &CostSpec) -> Result<Costs> {
    let requests = [
        ColumnRequest::required(&spec.channel_col, "--cost-channel-col"),
        ColumnRequest::required(&spec.spend_col, "--cost-col"),
        ColumnRequest {
            required: spec.date_required,
            ..ColumnRequest::optional(&spec.date_col, "--cost-date-col")
        },
    ];
    let what = "channel's spend (`channel,spend[,date]`)";
    let table = super::read_table(&spec.source, &spec.dialect, &requests, what, OnError::Stop)?;
    let mut names = crate::intern::Interner::new();
    let (mut channel, mut spend, mut time) = (Vec::new(), Vec::new(), Vec::new());
    table.intern(0, &mut names, Some(("a channel name", Reason::InvalidChannel)), &mut channel)?;
    table.amounts(1, "a spend amount", Reason::InvalidValue, &mut spend)?;
    if table.columns[2].is_some() {
        table.times(2, &spec.date_format, spec.zone, &mut time)?;
    }
    let mut costs = Costs::default();
    for row in 0..channel.len() {
        if let Some(&t) = time.get(row)
            && (spec.from_ms.is_some_and(|f| t < f) || spec.to_ms.is_some_and(|to| t >= to))
        {
            costs.rows_outside_period += 1;
            costs.spend_outside_period += spend[row];
            continue;
        }
        let name = names.name(channel[row]).trim();
        let i = *costs.index.entry(name.to_lowercase()).or_insert_with(|| {
            costs.spend.push((name.to_string(), 0.0));
            costs.spend.len() - 1
        });
        costs.spend[i].1 += spend[row];
    }
    costs.file = Some(FileStats {
        name: table.name.clone(),
        rows: table.height as u64,
        skipped: 0,
        anonymous: 0,
    });
    Ok(costs)
}
