//! Spend per channel (`--costs`): what the credits are weighed against to
//! give cost per acquisition and return on ad spend.
//!
//! The file is read and checked before the events ([`load`]: a wrong column
//! is refused before any work), its rows kept; the spend of the analysis
//! period is summed once the data's dates are known ([`CostFile::totals`],
//! per period of `--by` from [`CostFile::totals_by`]).

use crate::channels::{ChannelRules, Derivation};
use crate::error::{Error, Result};
use crate::input::schema::ColumnRequest;
use crate::input::{Dialect, FileStats, OnError, Reason, Source, TimeFormat, Zone};
use crate::intern::Interner;

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
    /// Encoding and decimal comma (the events', unless `--cost-encoding`
    /// or `--cost-decimal-comma`); the delimiter is detected on its own.
    pub dialect: Dialect,
    /// Zone of dates without an offset (`--timezone`).
    pub zone: Zone,
    /// `--from` / `--to` (epoch ms; `to` exclusive): the analysis period.
    pub from_ms: Option<i64>,
    /// See `from_ms`.
    pub to_ms: Option<i64>,
    /// The events' channel rules (`--channel-rules`), for a file without a
    /// channel column but with source and medium (GA4's cost data import);
    /// `None`: GA4's default channel group.
    pub rules: Option<ChannelRules>,
}

/// A costs file read and checked: one spend per row, with its channel and
/// (if the file has dates) its time.
#[derive(Debug, Clone)]
pub struct CostFile {
    /// The file's rows.
    pub file: FileStats,
    /// Channel names as written (or derived from source and medium).
    channels: Interner,
    channel: Vec<u32>,
    spend: Vec<f64>,
    /// Per row, when the file has a date column.
    time: Option<Vec<i64>>,
    /// Per row, the file's row it comes from: a monthly row (`2026-01`) is
    /// spread over its days, one row each.
    source_row: Vec<u32>,
    zone: Zone,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    /// Channels came from source / medium / campaign: a note for the user.
    pub derived: Option<String>,
    /// Spend shaped like German thousands read as decimals: a warning.
    pub warnings: Vec<String>,
}

/// Spend summed per channel over the analysis period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Per channel (as first written; channels match case-insensitively,
    /// so `Email` and `email` rows add up under the first spelling), in
    /// order of first appearance.
    pub spend: Vec<(String, f64)>,
    /// The file's rows.
    pub file: Option<FileStats>,
    /// Dated rows outside the analysis period, left out.
    pub rows_outside_period: u64,
    /// Their spend.
    pub spend_outside_period: f64,
    /// The analysis period, in words (for the warning about rows outside it).
    pub period: String,
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

    fn add(&mut self, name: &str, spend: f64) {
        let i = *self.index.entry(name.to_lowercase()).or_insert_with(|| {
            self.spend.push((name.to_string(), 0.0));
            self.spend.len() - 1
        });
        self.spend[i].1 += spend;
    }
}

/// Reads the costs file. Negative or non-numeric spend, a bad date or a
/// missing column is an error naming the file, line and column.
pub fn load(spec: &CostSpec) -> Result<CostFile> {
    let utm = |name, fallback| ColumnRequest {
        fallback: Some(fallback),
        ..ColumnRequest::optional(name, "")
    };
    let requests = [
        ColumnRequest::optional(&spec.channel_col, "--cost-channel-col"),
        ColumnRequest::required(&spec.spend_col, "--cost-col"),
        ColumnRequest {
            required: spec.date_required,
            ..ColumnRequest::optional(&spec.date_col, "--cost-date-col")
        },
        utm("source", "utm_source"),
        utm("medium", "utm_medium"),
        utm("campaign", "utm_campaign"),
    ];
    let what = "channel's spend (`channel,spend[,date]`)";
    let ask = crate::input::format::Ask {
        dialect: &spec.dialect,
        columns: &requests,
        what,
        on_error: OnError::Stop,
    };
    let table = crate::input::format::read_table(&spec.source, ask)?;
    let mut channels = Interner::new();
    let (mut channel, mut spend, mut time) = (Vec::new(), Vec::new(), Vec::new());
    let mut derived = None;
    match (&table.columns[0], &table.columns[3], &table.columns[4]) {
        (Some(_), _, _) => table.intern(0, &mut channels, Some(("a channel name", Reason::InvalidChannel)), &mut channel)?,
        (None, Some(_), Some(_)) => {
            let rules = spec.rules.clone().unwrap_or_else(ChannelRules::ga4);
            let header = |c: usize| table.columns[c].as_ref().map_or("", |col| col.header.as_str());
            derived = Some(format!(
                "`{}` has no `{}` column: its channels come from `{}` and `{}` by the events' channel rules",
                table.name,
                spec.channel_col,
                header(3),
                header(4)
            ));
            let cols = [Some(3), Some(4), table.columns[5].as_ref().map(|_| 5)];
            Derivation::new(rules).derive(&table, cols, &mut channels, &mut channel)?;
        }
        _ => {
            let available = crate::input::schema::listed(&table.header);
            return Err(Error::MissingColumn {
                path: table.name.clone(),
                column: spec.channel_col.clone(),
                hint: format!(
                    "available columns are {available}; pass `--cost-channel-col <NAME>`, or give `utm_source` and `utm_medium` (or `source` and `medium`) columns, as GA4's cost data import has them, for channels by the events' rules"
                ),
            });
        }
    }
    // As revenue is: currencies around amounts dropped, a mix refused, and
    // German thousands without `--cost-decimal-comma` warned about.
    let (mut currency, mut thousands) = (None, crate::input::format::table::ThousandsCheck::default());
    table.money(1, "a spend amount", &mut currency, &mut thousands, &mut spend)?;
    let warnings = thousands
        .warning(&table.name, &spec.spend_col, "`--cost-decimal-comma`")
        .map(|w| w.trim_start_matches("warning: ").to_string());
    let dated = table.columns[2].is_some();
    let mut source_row: Vec<u32> = (0..spend.len() as u32).collect();
    if dated {
        match months(&table, 2, &spec.date_format)? {
            Some(months) => {
                (channel, spend, time, source_row) = spread_over_days(&months, &channel, &spend, spec.zone)?;
            }
            None => table.times(2, &spec.date_format, spec.zone, "--cost-date-format", &mut time)?,
        }
    }
    Ok(CostFile {
        file: FileStats {
            name: table.name.clone(),
            rows: table.height as u64,
            skipped: 0,
            anonymous: 0,
        },
        channels,
        channel,
        spend,
        time: dated.then_some(time),
        source_row,
        zone: spec.zone,
        from_ms: spec.from_ms,
        to_ms: spec.to_ms,
        derived,
        warnings: warnings.into_iter().collect(),
    })
}

/// Monthly cost dates: each row's month (its first day) when the date
/// column names months (`2026-01` read as such, or `--cost-date-format`
/// without a day, such as `%m/%Y` for `12/2025`); `None` when it names days
/// (or is not text). A value that is not a month then is an error naming
/// its line and `--cost-date-format`.
fn months(table: &crate::input::format::table::Table, col: usize, format: &TimeFormat) -> Result<Option<Vec<chrono::NaiveDate>>> {
    let is_text = table.columns[col]
        .as_ref()
        .is_some_and(|c| c.data.dtype() == &polars::prelude::DataType::String);
    if !is_text {
        return Ok(None);
    }
    let pattern = match format {
        TimeFormat::Auto => None,
        TimeFormat::Pattern(p) if !names_a_day(p) => Some(p.as_str()),
        _ => return Ok(None),
    };
    let (mut names, mut codes) = (Interner::new(), Vec::new());
    table.intern(col, &mut names, None, &mut codes)?;
    let parse = |v: &str| match pattern {
        None => iso_month(v),
        Some(p) => chrono::NaiveDate::parse_from_str(&format!("{v} 1"), &format!("{p} %d")).ok(),
    };
    let first = codes.iter().map(|&c| names.name(c)).find(|v| !v.is_empty());
    if pattern.is_none() && first.and_then(iso_month).is_none() {
        return Ok(None);
    }
    let expected = match pattern {
        None => "a month like `2026-01`, as the column's first value (or a format given with `--cost-date-format`)".to_string(),
        Some(p) => format!("a month in the format `{p}` (from `--cost-date-format`)"),
    };
    codes
        .iter()
        .enumerate()
        .map(|(row, &c)| parse(names.name(c)).ok_or_else(|| table.cell_error(col, row, names.name(c), expected.clone())))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// `2026-01`: the first day of that month.
fn iso_month(v: &str) -> Option<chrono::NaiveDate> {
    let (y, m) = v.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// Whether a strftime pattern names the day (else it names a month).
fn names_a_day(p: &str) -> bool {
    ["%d", "%e", "%j", "%F", "%D", "%x", "%c", "%+", "%s", "%-d", "%a", "%A", "%u", "%w"]
        .iter()
        .any(|d| p.contains(d))
}

/// Monthly rows spread evenly over their month's days: one row per day at
/// its midnight in `zone`, a day's share of the spend each, so that an
/// analysis period or a `--by` period holding part of a month gets that
/// part of its spend.
#[allow(clippy::type_complexity)]
fn spread_over_days(
    months: &[chrono::NaiveDate],
    channel: &[u32],
    spend: &[f64],
    zone: Zone,
) -> Result<(Vec<u32>, Vec<f64>, Vec<i64>, Vec<u32>)> {
    use chrono::Datelike;
    let localize = crate::input::time::TimeParser::new(&TimeFormat::Auto, zone, None);
    let mut out = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (row, first) in months.iter().enumerate() {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .expect("a month within the years 1-9999");
        let days = (next - *first).num_days();
        for d in 0..days {
            let date = *first + chrono::Duration::days(d);
            let local = i64::from(date.num_days_from_ce() - 719_163) * 86_400_000;
            let ms = localize.localize_ms(local).map_err(|m| Error::usage(m, "see `--timezone`"))?;
            out.0.push(channel[row]);
            out.1.push(spend[row] / days as f64);
            out.2.push(ms);
            out.3.push(row as u32);
        }
    }
    Ok(out)
}

impl CostFile {
    /// Whether the rows have dates.
    pub fn is_dated(&self) -> bool {
        self.time.is_some()
    }

    /// Spend per channel over the analysis period: `--from`/`--to`, else
    /// (each end that is not given) the days of `span`, the data's first
    /// and last instant (first touch to last touch or conversion), in the
    /// zone. Dated rows outside it are left out and counted; undated rows
    /// are kept.
    pub fn totals(&self, span: Option<(i64, i64)>) -> Costs {
        let mut costs = self.empty(span);
        let mut last_outside = None;
        for row in 0..self.spend.len() {
            match self.time.as_ref().map(|t| t[row]) {
                Some(t) if !self.inside(t, span) => {
                    // A monthly row counts once, however many of its days are outside.
                    if last_outside.replace(self.source_row[row]) != Some(self.source_row[row]) {
                        costs.rows_outside_period += 1;
                    }
                    costs.spend_outside_period += self.spend[row];
                }
                _ => costs.add(self.channels.name(self.channel[row]).trim(), self.spend[row]),
            }
        }
        costs
    }

    /// [`Self::totals`] per group of rows: the rows dated in the period,
    /// grouped by `key` of their time, in key order; `None` when the rows
    /// have no dates.
    pub fn totals_by<K: Ord>(&self, span: Option<(i64, i64)>, key: impl Fn(i64) -> K) -> Option<Vec<(K, Costs)>> {
        let time = self.time.as_ref()?;
        let mut by: std::collections::BTreeMap<K, Costs> = std::collections::BTreeMap::new();
        for (row, &t) in time.iter().enumerate() {
            if self.inside(t, span) {
                let costs = by.entry(key(t)).or_insert_with(|| self.empty(span));
                costs.add(self.channels.name(self.channel[row]).trim(), self.spend[row]);
            }
        }
        Some(by.into_iter().collect())
    }

    /// The zone the rows' dates are read in.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Whether a row dated `t` is in the analysis period.
    fn inside(&self, t: i64, span: Option<(i64, i64)>) -> bool {
        let day = self.zone.local_date(t);
        let after_start = match (self.from_ms, span) {
            (Some(f), _) => t >= f,
            (None, Some((first, _))) => day >= self.zone.local_date(first),
            (None, None) => true,
        };
        let before_end = match (self.to_ms, span) {
            (Some(to), _) => t < to,
            (None, Some((_, last))) => day <= self.zone.local_date(last),
            (None, None) => true,
        };
        after_start && before_end
    }

    /// No spend yet, with the file and the period in words.
    fn empty(&self, span: Option<(i64, i64)>) -> Costs {
        let day = |ms: i64| self.zone.local_date(ms).format("%Y-%m-%d").to_string();
        let period = match (self.from_ms, self.to_ms, span) {
            (Some(_), Some(_), _) => "the period of `--from`/`--to`".to_string(),
            (None, None, Some((a, b))) => format!(
                "the days of the data, {} to {} (its first touch to its last touch or conversion, in `--timezone`)",
                day(a),
                day(b)
            ),
            (_, _, Some((a, b))) => format!(
                "the period of `--from`/`--to`, the data's days ({} to {}) where one is not given",
                day(a),
                day(b)
            ),
            _ => "the period of `--from`/`--to`".to_string(),
        };
        Costs {
            file: Some(self.file.clone()),
            period,
            ..Costs::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    /// A costs file of `(channel, spend, day)` rows, days from 1970-01-01.
    fn file(rows: &[(&str, f64, i64)], zone: Zone, from_ms: Option<i64>, to_ms: Option<i64>) -> CostFile {
        let mut channels = Interner::new();
        CostFile {
            file: FileStats {
                name: "costs.csv".into(),
                rows: rows.len() as u64,
                skipped: 0,
                anonymous: 0,
            },
            channel: rows.iter().map(|r| channels.intern(r.0)).collect(),
            channels,
            spend: rows.iter().map(|r| r.1).collect(),
            time: Some(rows.iter().map(|r| r.2 * DAY).collect()),
            source_row: (0..rows.len() as u32).collect(),
            zone,
            from_ms,
            to_ms,
            derived: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn rows_outside_the_data_s_days_are_left_out_and_counted() {
        let f = file(
            &[("Email", 10.0, 9), ("email", 5.0, 10), ("Search", 7.0, 12), ("Search", 100.0, 13)],
            Zone::Utc,
            None,
            None,
        );
        // The data runs from day 10 at noon to day 12 at 23:00: days 10 to 12.
        let c = f.totals(Some((10 * DAY + DAY / 2, 12 * DAY + 23 * 3_600_000)));
        assert_eq!(c.spend, [("email".to_string(), 5.0), ("Search".to_string(), 7.0)]);
        assert_eq!((c.rows_outside_period, c.spend_outside_period), (2, 110.0));
        assert_eq!(c.of("EMAIL"), Some(5.0));
        assert!(c.period.contains("1970-01-11 to 1970-01-13"), "{}", c.period);
        // In a zone 3 hours ahead, 23:00 UTC of day 12 is day 13 there.
        let plus3: Zone = "+03:00".parse().unwrap();
        let f = file(&[("Search", 100.0, 13)], plus3, None, None);
        assert_eq!(f.totals(Some((10 * DAY, 12 * DAY + 23 * 3_600_000))).total(), 100.0);
    }

    #[test]
    fn from_and_to_choose_the_period_and_each_end_alone_too() {
        let rows = [("Email", 1.0, 9), ("Email", 2.0, 10), ("Email", 4.0, 11), ("Email", 8.0, 12)];
        let f = file(&rows, Zone::Utc, Some(10 * DAY), Some(12 * DAY));
        assert_eq!(f.totals(Some((0, 20 * DAY))).total(), 6.0);
        // `--from` alone: the data's last day closes it.
        let f = file(&rows, Zone::Utc, Some(11 * DAY), None);
        assert_eq!(f.totals(Some((0, 11 * DAY + 5))).total(), 4.0);
    }

    #[test]
    fn spend_by_group_follows_the_cost_rows_dates() {
        let f = file(
            &[("Email", 1.0, 30), ("Email", 2.0, 31), ("Search", 4.0, 31)],
            Zone::Utc,
            None,
            None,
        );
        let by = f.totals_by(Some((0, 40 * DAY)), |t| t / DAY).unwrap();
        let keys: Vec<i64> = by.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [30, 31]);
        assert_eq!((by[0].1.total(), by[1].1.of("Search")), (1.0, Some(4.0)));
        let mut undated = f.clone();
        undated.time = None;
        assert!(undated.totals_by(None, |t| t).is_none());
    }
}
