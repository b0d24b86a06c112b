//! Output: every result is written by one writer per format.
//!
//! Tabular results are [`table::Table`]s ([`views`] maps each result to
//! one), and each format is one [`Exporter`]: a terminal table or Markdown
//! ([`text`]), CSV, JSON rows, Parquet. Report-shaped results keep their own
//! document: the JSON of `mta attribute` (with its `input` block), of
//! `mta markov` and of `mta compare`, and the HTML report. Exporters format;
//! they never compute (shares, totals, ranks come from [`crate::report`]).
//! Errors are plain I/O errors: the caller knows the destination's name.

mod csv;
pub mod html;
mod json;
mod parquet;
pub mod summary;
pub mod table;
mod text;
pub mod views;

use std::io::{self, Write};
use std::path::Path;

use crate::report::compare::Comparison;
use crate::report::markov::MarkovReport;
use crate::report::{ModelReport, Report};
pub use json::write_document;
pub use table::{Table, fixed, thousands};

/// Output formats, for every subcommand (each says which it writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for reading in a terminal.
    Table,
    /// CSV with a header (the credit contract: `model,channel,conversions,value,share`).
    Csv,
    /// JSON (the credits with the input summary; rows as an array of objects).
    Json,
    /// A Markdown table, for pasting into docs and tickets.
    Markdown,
    /// Parquet with typed columns, the same as CSV's.
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

    /// The name `--format` takes.
    pub fn name(self) -> String {
        clap_name(self)
    }

    /// The extensions that imply the format, for hints.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Table => ".txt",
            OutputFormat::Csv => ".csv",
            OutputFormat::Json => ".json",
            OutputFormat::Markdown => ".md",
            OutputFormat::Parquet => ".parquet",
            OutputFormat::Html => ".html",
        }
    }
}

/// Which figure a credit grid (table, Markdown) shows, and which `mta
/// compare` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Metric {
    /// Credited conversions.
    #[default]
    Conversions,
    /// Credited revenue.
    Value,
    /// Share of the model's attributed conversions (in percent in tables).
    Share,
    /// Spend of the channel (`--costs`).
    Spend,
    /// Cost per acquisition: spend / credited conversions (`--costs`).
    Cpa,
    /// Return on ad spend: credited value / spend (`--costs`).
    Roas,
}

impl Metric {
    /// The name `--metric` takes.
    pub fn name(self) -> String {
        clap_name(self)
    }

    /// Whether the figure needs `--costs`.
    pub fn needs_costs(self) -> bool {
        matches!(self, Metric::Spend | Metric::Cpa | Metric::Roas)
    }
}

/// The name a value of a closed set has on the command line (one source of names: clap's).
pub fn clap_name(value: impl clap::ValueEnum) -> String {
    value.to_possible_value().expect("no variant is skipped").get_name().to_string()
}

/// How output looks, not what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Box-drawing borders on terminal tables (stdout is a terminal, `NO_COLOR` unset).
    pub borders: bool,
    /// The terminal's width, when stdout is one: wide tables are split to fit.
    pub width: Option<usize>,
    /// CSV text cells that a spreadsheet would run as a formula get a `'` (`--excel-safe`).
    pub excel_safe: bool,
}

/// Writes any [`Table`] in one format.
pub trait Exporter {
    /// Writes the whole table.
    fn export(&self, table: &dyn Table, out: &mut dyn Write) -> io::Result<()>;
}

/// The exporter of a tabular `format` (`None` for HTML, which is a report,
/// not a table).
pub fn exporter(format: OutputFormat, style: &Style) -> Option<Box<dyn Exporter>> {
    Some(match format {
        OutputFormat::Table | OutputFormat::Markdown => Box::new(text::TextExporter {
            markdown: format == OutputFormat::Markdown,
            borders: style.borders,
            width: style.width,
        }),
        OutputFormat::Csv => Box::new(csv::CsvExporter {
            excel_safe: style.excel_safe,
        }),
        OutputFormat::Json => Box::new(json::JsonExporter),
        OutputFormat::Parquet => Box::new(parquet::ParquetExporter),
        OutputFormat::Html => return None,
    })
}

/// Writes `table` in a tabular `format`.
///
/// # Panics
/// For [`OutputFormat::Html`]: callers offer HTML only where they write a report.
pub fn write_table(table: &dyn Table, format: OutputFormat, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    exporter(format, style)
        .expect("HTML is a report, not a table format")
        .export(table, out)
}

/// Writes the results of `mta attribute`: the JSON document (`input` and
/// `models`), the HTML report, the credit contract (CSV, Parquet) or a grid
/// of `metric` (table, Markdown); with `--compare-models`, the standings.
pub fn write_credits(report: &Report, format: OutputFormat, style: &Style, metric: Metric, out: &mut dyn Write) -> io::Result<()> {
    match (format, &report.comparison) {
        (OutputFormat::Json, _) => write_document(report, out),
        (OutputFormat::Html, _) => html::write(report, html::Extras::default(), out),
        (OutputFormat::Csv | OutputFormat::Parquet, None) => write_table(&views::Credits(report), format, style, out),
        (OutputFormat::Csv | OutputFormat::Parquet, Some(c)) => write_table(&views::Standings(c), format, style, out),
        (_, None) if report.by.is_empty() => write_table(
            &views::CreditGrid {
                models: report.models.iter().collect(),
                metric,
                total_spend: report.input.costs.as_ref().map(|c| c.total_spend),
                headings: None,
            },
            format,
            style,
            out,
        ),
        // `--by`: a block per segment, under its heading; one model's shares
        // by period: a column per period.
        (_, None) => {
            let single_model = report
                .models
                .iter()
                .all(|m| Some(m.model) == report.models.first().map(|f| f.model));
            let blocks = if metric == Metric::Share && single_model && report.by.iter().any(|d| d.is_period()) {
                period_columns(&report.models)
            } else {
                report
                    .models
                    .chunk_by(|a, b| a.segment == b.segment)
                    .map(|models| (models[0].segment.label(), models.iter().collect(), None))
                    .collect()
            };
            let total_spend = report.input.costs.as_ref().map(|c| c.total_spend);
            for (k, (label, models, headings)) in blocks.into_iter().enumerate() {
                match format {
                    OutputFormat::Markdown => writeln!(out, "{}### {label}\n", if k > 0 { "\n" } else { "" })?,
                    _ if label.is_empty() => {}
                    _ => writeln!(out, "{}{label}", if k > 0 { "\n" } else { "" })?,
                }
                write_table(
                    &views::CreditGrid {
                        models,
                        metric,
                        total_spend,
                        headings,
                    },
                    format,
                    style,
                    out,
                )?;
            }
            Ok(())
        }
        (_, Some(comparison)) => write_table(&views::StandingGrid { report, comparison }, format, style, out),
    }
}

/// One model's entries regrouped for a column per period: per segment
/// without its period (one block when the period is the only dimension),
/// the heading, the entries in period order and the period labels.
type Block<'a> = (String, Vec<&'a ModelReport>, Option<Vec<String>>);

fn period_columns(models: &[ModelReport]) -> Vec<Block<'_>> {
    let mut groups: std::collections::BTreeMap<crate::journey::Segment, (Vec<&ModelReport>, Vec<String>)> = Default::default();
    for m in models {
        let (period, rest): (Vec<_>, Vec<_>) = m.segment.0.iter().cloned().partition(|(d, _)| d.is_period());
        let group = groups.entry(crate::journey::Segment(rest)).or_default();
        group.0.push(m);
        group.1.extend(period.into_iter().map(|(_, label)| label));
    }
    groups
        .into_iter()
        .map(|(segment, (mut entries, mut labels))| {
            let mut order: Vec<usize> = (0..labels.len()).collect();
            order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
            entries = order.iter().map(|&i| entries[i]).collect();
            labels = order.iter().map(|&i| labels[i].clone()).collect();
            let heading = match segment.is_empty() {
                true => format!("{} (share by period)", entries.first().map_or("", |m| m.model.name())),
                false => format!(
                    "{}, {} (share by period)",
                    segment.label(),
                    entries.first().map_or("", |m| m.model.name())
                ),
            };
            (heading, entries, Some(labels))
        })
        .collect()
}

/// Writes `mta markov`: everything as a JSON document, or one table.
pub fn write_markov(report: &MarkovReport, transitions: bool, format: OutputFormat, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match (format, transitions) {
        (OutputFormat::Json, _) => write_document(report, out),
        (_, true) => write_table(&views::transitions(report), format, style, out),
        (_, false) => write_table(&views::removal_effects(report), format, style, out),
    }
}

/// Writes `mta compare`: a JSON document with the settings and counts, or
/// the table of rows.
pub fn write_comparison(cmp: &Comparison, format: OutputFormat, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Json => write_document(cmp, out),
        _ => write_table(&views::diffs(cmp), format, style, out),
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

#[cfg(test)]
pub(crate) mod testutil {
    pub use crate::report::testutil::report;

    /// Writes `report` as `mta attribute` would, into a String.
    pub fn render(format: super::OutputFormat, metric: super::Metric) -> String {
        let mut out = Vec::new();
        super::write_credits(&report(), format, &super::Style::default(), metric, &mut out).unwrap();
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
    fn format_from_extension_and_names_match_clap() {
        use clap::ValueEnum;
        assert_eq!(OutputFormat::from_path(Path::new("r.JSON")), Some(OutputFormat::Json));
        assert_eq!(OutputFormat::from_path(Path::new("r.parquet")), Some(OutputFormat::Parquet));
        assert_eq!(OutputFormat::from_path(Path::new("r")), None);
        assert_eq!(OutputFormat::from_path(Path::new("report.html")), Some(OutputFormat::Html));
        for &f in OutputFormat::value_variants() {
            assert_eq!(OutputFormat::from_path(Path::new(&format!("x{}", f.extension()))), Some(f));
        }
        assert_eq!(
            (OutputFormat::Markdown.name(), Metric::Value.name()),
            ("markdown".into(), "value".into())
        );
    }

    #[test]
    fn credit_contract_in_csv() {
        assert_eq!(
            testutil::render(OutputFormat::Csv, Metric::Conversions),
            "model,channel,conversions,value,share\n\
             first-click,Email,1.000000,10.000000,0.333333\n\
             first-click,Paid <Search>,2.000000,50.000000,0.666667\n\
             position-based,Email,1.500000,25.000000,0.500000\n\
             position-based,Paid <Search>,1.500000,35.000000,0.500000\n"
        );
    }

    #[test]
    fn credit_grid_has_a_total_row_that_sums_each_column() {
        let text = testutil::render(OutputFormat::Table, Metric::Conversions);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].split_whitespace().eq(["channel", "first-click", "position-based"]));
        assert!(lines[2].split_whitespace().eq(["Paid", "<Search>", "2.00", "1.50"]));
        assert!(lines[3].split_whitespace().eq(["total", "3.00", "3.00"]));
        // Shares: the total is the sum of the shares as computed, not a fixed 100%.
        let mut report = testutil::report();
        report.models[1].credits[0].share = 1.0;
        report.models[1].share = 1.5;
        let mut out = Vec::new();
        write_credits(&report, OutputFormat::Markdown, &Style::default(), Metric::Share, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let total = text.lines().last().unwrap();
        assert!(total.contains(" 100.00% |") && total.contains(" 150.00% |"), "{text}");
    }

    #[test]
    fn json_document_has_the_contract_keys() {
        let v: serde_json::Value = serde_json::from_str(&testutil::render(OutputFormat::Json, Metric::Conversions)).unwrap();
        assert_eq!(v["input"]["rows_read"], 7);
        assert_eq!(v["models"][0]["model"], "first-click");
        assert_eq!(v["models"][1]["parameters"]["position_weights"][0], 0.4);
        let credit = &v["models"][1]["credits"][1];
        assert_eq!(credit["channel"], "Paid <Search>");
        assert_eq!(credit["value"], 35.0);
        let keys: Vec<&String> = v["models"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["credits", "model", "parameters"]);
    }
}
