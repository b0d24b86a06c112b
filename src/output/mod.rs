//! Output: one exporter per format, all writing a [`Report`] to any
//! `Write`. Exporters format; they never compute.

pub mod compare;
mod csv;
pub mod html;
mod json;
mod markdown;
pub mod markov;
mod parquet;
pub mod per_conversion;
pub mod rejects;
pub mod rows;
mod table;

use std::io::Write;
use std::path::Path;

use crate::error::Result;
use crate::report::Report;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for reading in a terminal (one column per model).
    Table,
    /// Long CSV: `model,channel,conversions,value,share`.
    Csv,
    /// JSON with the input summary and every model's credits.
    Json,
    /// A Markdown table, for pasting into docs and tickets.
    Markdown,
    /// Parquet, same columns as CSV.
    Parquet,
    /// A self-contained HTML page with charts (`mta report` adds journey and Markov sections).
    Html,
}

impl OutputFormat {
    /// The format implied by a file extension, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => OutputFormat::Csv,
            "json" => OutputFormat::Json,
            "md" | "markdown" => OutputFormat::Markdown,
            "parquet" | "pq" => OutputFormat::Parquet,
            "txt" => OutputFormat::Table,
            "html" | "htm" => OutputFormat::Html,
            _ => return None,
        })
    }
}

/// Which figure the table and Markdown formats show per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Metric {
    /// Credited conversions.
    #[default]
    Conversions,
    /// Credited revenue.
    Value,
    /// Share of the model's attributed conversions, in percent.
    Share,
}

/// Settings that change how a report looks, not what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// Figure shown by table-like formats.
    pub metric: Metric,
    /// Borders for a terminal (only when stdout is one).
    pub styled: bool,
    /// CSV text cells that a spreadsheet would run as a formula get a `'` prefix.
    pub excel_safe: bool,
}

/// Serializes a [`Report`] in one format.
pub trait Exporter {
    /// Writes the whole report.
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()>;
}

/// The exporter for `format`.
pub fn exporter(format: OutputFormat, options: ExportOptions) -> Box<dyn Exporter> {
    match format {
        OutputFormat::Table => Box::new(table::TableExporter { options }),
        OutputFormat::Csv => Box::new(csv::CsvExporter {
            excel_safe: options.excel_safe,
        }),
        OutputFormat::Json => Box::new(json::JsonExporter),
        OutputFormat::Markdown => Box::new(markdown::MarkdownExporter { metric: options.metric }),
        OutputFormat::Parquet => Box::new(parquet::ParquetExporter),
        OutputFormat::Html => Box::new(html::HtmlExporter::default()),
    }
}

/// An output I/O error (the destination's name is added by the caller).
pub(crate) fn io_err(e: std::io::Error) -> crate::Error {
    crate::Error::Write {
        path: "<output>".into(),
        source: e,
    }
}

/// Keeps the I/O error itself: `csv::Error` has no `source()`, so converting
/// it whole would hide a broken pipe (a quiet exit 0) behind a failure.
pub(crate) fn csv_err(e: ::csv::Error) -> crate::Error {
    if !e.is_io_error() {
        return io_err(e.into());
    }
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => io_err(io),
        _ => unreachable!("checked by is_io_error"),
    }
}

/// A text cell made inert for spreadsheets (`--excel-safe`): one starting
/// with `=`, `+`, `-` or `@` (also after a tab or carriage return) would run
/// as a formula when the CSV is opened, so it gets a leading `'`. Only text
/// cells are touched: numbers must stay numbers.
pub fn excel_safe(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => std::borrow::Cow::Owned(format!("'{text}")),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// Fixed-point text with `places` decimals; never prints `-0.000`.
pub fn fixed(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Text for one cell of a table-like format.
fn metric_cell(metric: Metric, c: &crate::report::ChannelCredit) -> String {
    match (metric, &c.interval) {
        (Metric::Conversions, Some(i)) => format!(
            "{} ({}-{})",
            fixed(c.conversions, 2),
            fixed(i.conversions_lo, 2),
            fixed(i.conversions_hi, 2)
        ),
        (Metric::Value, Some(i)) => format!("{} ({}-{})", fixed(c.value, 2), fixed(i.value_lo, 2), fixed(i.value_hi, 2)),
        (Metric::Conversions, None) => fixed(c.conversions, 2),
        (Metric::Value, None) => fixed(c.value, 2),
        (Metric::Share, _) => format!("{}%", fixed(c.share * 100.0, 2)),
    }
}

/// Rows of a channel x model grid (header, channel rows, total row) for the
/// table-like formats.
fn grid(report: &Report, metric: Metric) -> (Vec<String>, Vec<Vec<String>>) {
    if let Some(comparison) = &report.comparison {
        return comparison_grid(report, comparison);
    }
    let mut header = vec!["channel".to_string()];
    header.extend(report.models.iter().map(|m| m.model.to_string()));
    let channels = report.models.first().map(|m| m.credits.len()).unwrap_or(0);
    let mut rows: Vec<Vec<String>> = (0..channels)
        .map(|i| {
            let mut row = vec![report.models[0].credits[i].channel.to_string()];
            row.extend(report.models.iter().map(|m| metric_cell(metric, &m.credits[i])));
            row
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(report.models.iter().map(|m| match metric {
        Metric::Conversions => fixed(m.conversions, 2),
        Metric::Value => fixed(m.value, 2),
        Metric::Share => format!("{}%", fixed(if m.conversions > 0.0 { 100.0 } else { 0.0 }, 2)),
    }));
    rows.push(total);
    (header, rows)
}

/// The `--compare-models` grid: share and rank per model, and the spread.
fn comparison_grid(report: &Report, comparison: &[crate::report::cross_model::ChannelComparison]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["channel".to_string()];
    header.extend(report.models.iter().map(|m| format!("{} (rank)", m.model)));
    header.push("disagreement".to_string());
    let rows = comparison
        .iter()
        .map(|c| {
            let mut row = vec![c.channel.clone()];
            row.extend(c.models.iter().map(|m| format!("{}% ({})", fixed(m.share * 100.0, 2), m.rank)));
            row.push(format!(
                "{} pts ({} vs {})",
                fixed(c.disagreement * 100.0, 2),
                c.extremes.0,
                c.extremes.1
            ));
            row
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::collections::BTreeMap;

    use crate::model::{ModelKind, Parameter};
    use crate::report::{ChannelCredit, InputSummary, ModelReport, Report};

    /// A small fixed report for exporter snapshots.
    pub fn report() -> Report {
        let credit = |channel: &str, conversions: f64, value: f64, share: f64| ChannelCredit {
            interval: None,
            channel: channel.into(),
            conversions,
            value,
            share,
        };
        Report {
            input: InputSummary {
                kind: "events",
                files: vec![crate::report::FileSummary {
                    name: "events.csv".into(),
                    rows: 7,
                    skipped: 0,
                }],
                rows_read: 7,
                rows_used: 7,
                rows_skipped: 0,
                skipped_by_reason: BTreeMap::new(),
                conversions_read: 3.0,
                customers: Some(3),
                distinct_paths: None,
                journeys: 4.0,
                converting_journeys: 3.0,
                non_converting: 1.0,
                conversions: 3.0,
                revenue: 60.0,
                unattributed_conversions: 0,
                unattributed_value: 0.0,
                touches: 7,
                dropped_by_lookback: 0,
                dropped_by_max_touches: 0,
                ignored_values: 0,
                first_touch: Some("2025-01-01T00:00:00Z".into()),
                last_touch: Some("2025-01-09T00:00:00Z".into()),
            },
            models: vec![
                ModelReport {
                    model: ModelKind::FirstClick,
                    parameters: BTreeMap::new(),
                    credits: vec![credit("Email", 1.0, 10.0, 1.0 / 3.0), credit("Paid <Search>", 2.0, 50.0, 2.0 / 3.0)],
                    conversions: 3.0,
                    value: 60.0,
                    share: 1.0,
                    details: None,
                },
                ModelReport {
                    model: ModelKind::PositionBased,
                    parameters: BTreeMap::from([("position_weights", Parameter::Numbers(vec![0.4, 0.2, 0.4]))]),
                    credits: vec![credit("Email", 1.5, 25.0, 0.5), credit("Paid <Search>", 1.5, 35.0, 0.5)],
                    conversions: 3.0,
                    value: 60.0,
                    share: 1.0,
                    details: None,
                },
            ],
            notes: Vec::new(),
            warnings: Vec::new(),
            comparison: None,
        }
    }

    /// Runs an exporter into a String.
    pub fn render(e: &dyn super::Exporter) -> String {
        let mut out = Vec::new();
        e.export(&report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_safe_defuses_formulas_only() {
        assert_eq!(excel_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(excel_safe("+1"), "'+1");
        assert_eq!(excel_safe("-cmd"), "'-cmd");
        assert_eq!(excel_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(excel_safe("Paid Search"), "Paid Search");
        assert_eq!(excel_safe(""), "");
    }

    #[test]
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(-0.0000001, 6), "0.000000");
        assert_eq!(fixed(-1.5, 2), "-1.50");
        assert_eq!(fixed(2.0 / 3.0, 6), "0.666667");
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(OutputFormat::from_path(Path::new("r.JSON")), Some(OutputFormat::Json));
        assert_eq!(OutputFormat::from_path(Path::new("r.parquet")), Some(OutputFormat::Parquet));
        assert_eq!(OutputFormat::from_path(Path::new("r")), None);
        assert_eq!(OutputFormat::from_path(Path::new("report.html")), Some(OutputFormat::Html));
    }
}
