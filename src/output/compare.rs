//! Output of `mta compare`: the rows of a [`Comparison`] as a table, CSV
//! (`model,channel,base,new,difference,status`) or JSON. Formats only; the
//! comparison is computed in `report::compare`.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use serde::Serialize;

use super::{Metric, fixed};
use crate::error::{Error, Result};
use crate::report::compare::{Comparison, RowDiff};

/// The CSV contract's columns.
const COLUMNS: [&str; 6] = ["model", "channel", "base", "new", "difference", "status"];

/// Output formats of `mta compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CompareFormat {
    /// A table for reading in a terminal.
    #[default]
    Table,
    /// CSV: `model,channel,base,new,difference,status`.
    Csv,
    /// JSON with the settings, the counts and the rows.
    Json,
}

impl CompareFormat {
    /// The format implied by a file extension, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => CompareFormat::Csv,
            "json" => CompareFormat::Json,
            "txt" => CompareFormat::Table,
            _ => return None,
        })
    }
}

/// The metric's name as `--metric` spells it.
pub fn metric_name(metric: Metric) -> String {
    metric
        .to_possible_value()
        .expect("no Metric variant is skipped")
        .get_name()
        .to_string()
}

/// The JSON document.
#[derive(Serialize)]
struct JsonComparison<'a> {
    /// Figure compared: `conversions`, `value` or `share`.
    metric: String,
    /// The tolerance given.
    tolerance: f64,
    /// Whether the tolerance is relative to |base|.
    relative: bool,
    /// Pairs compared (present on either side).
    compared: usize,
    /// Pairs beyond tolerance, one-sided pairs included.
    beyond: usize,
    /// The rows shown (only those beyond tolerance unless `--all`).
    rows: &'a [RowDiff],
}

/// A number with 6 decimals, or `missing` when absent.
fn number(x: Option<f64>, missing: &str) -> String {
    x.map_or_else(|| missing.to_string(), |x| fixed(x, 6))
}

/// One row's cells; `missing` stands for an absent number.
fn cells(r: &RowDiff, missing: &str) -> [String; 6] {
    [
        r.model.clone(),
        r.channel.clone(),
        number(r.base, missing),
        number(r.new, missing),
        number(r.difference, missing),
        r.status.name().to_string(),
    ]
}

/// Writes `cmp` in `format`; `styled` adds terminal borders to the table.
/// An empty table prints nothing (the verdict on stderr says why).
pub fn export(cmp: &Comparison, metric: Metric, format: CompareFormat, styled: bool, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::Write {
        path: "<output>".into(),
        source: e,
    };
    match format {
        CompareFormat::Json => {
            let doc = JsonComparison {
                metric: metric_name(metric),
                tolerance: cmp.tolerance.limit,
                relative: cmp.tolerance.relative,
                compared: cmp.compared,
                beyond: cmp.beyond,
                rows: &cmp.rows,
            };
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)
        }
        CompareFormat::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            let err = super::csv_err;
            w.write_record(COLUMNS).map_err(err)?;
            for r in &cmp.rows {
                w.write_record(cells(r, "")).map_err(err)?;
            }
            w.flush().map_err(io)
        }
        CompareFormat::Table => {
            if cmp.rows.is_empty() {
                return Ok(());
            }
            let mut t = Table::new();
            t.load_style(if styled { presets::UTF8_FULL_CONDENSED } else { presets::NOTHING })
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(COLUMNS);
            for r in &cmp.rows {
                t.add_row(cells(r, "-"));
            }
            for i in 2..=4 {
                if let Some(col) = t.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            // comfy-table pads the last column; trailing spaces only hurt diffs.
            let text = t.to_string().lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n";
            out.write_all(text.as_bytes()).map_err(io)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::{Results, Tolerance};

    fn comparison() -> Comparison {
        let base = Results::parse(
            "base.csv",
            b"model,channel,conversions,value,share\n\
              linear,Email,1,10,0.25\n\
              linear,Search,3,30,0.75\n",
        )
        .unwrap();
        let new = Results::parse(
            "new.csv",
            b"model,channel,conversions,value,share\n\
              linear,Email,1,10,0.5\n\
              linear,Social,3,30,0.5\n",
        )
        .unwrap();
        Comparison::compute(
            &base,
            &new,
            |f| f.share,
            Tolerance {
                limit: 0.01,
                relative: false,
            },
        )
    }

    fn render(format: CompareFormat, styled: bool) -> String {
        let mut out = Vec::new();
        export(&comparison(), Metric::Share, format, styled, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_with_empty_cells_for_missing_sides() {
        assert_eq!(
            render(CompareFormat::Csv, false),
            "model,channel,base,new,difference,status\n\
             linear,Email,0.250000,0.500000,0.250000,beyond\n\
             linear,Search,0.750000,,,only-in-base\n\
             linear,Social,,0.500000,,only-in-new\n"
        );
    }

    #[test]
    fn json_has_settings_counts_and_nulls() {
        let v: serde_json::Value = serde_json::from_str(&render(CompareFormat::Json, false)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "metric": "share", "tolerance": 0.01, "relative": false, "compared": 3, "beyond": 3,
                "rows": [
                    {"model": "linear", "channel": "Email", "base": 0.25, "new": 0.5, "difference": 0.25, "status": "beyond"},
                    {"model": "linear", "channel": "Search", "base": 0.75, "new": null, "difference": null, "status": "only-in-base"},
                    {"model": "linear", "channel": "Social", "base": null, "new": 0.5, "difference": null, "status": "only-in-new"},
                ]
            })
        );
    }

    #[test]
    fn plain_table_when_piped_and_nothing_when_empty() {
        let text = render(CompareFormat::Table, false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].split_whitespace().eq(COLUMNS), "{text}");
        assert!(
            lines[2]
                .split_whitespace()
                .eq(["linear", "Search", "0.750000", "-", "-", "only-in-base"]),
            "{text}"
        );
        assert!(render(CompareFormat::Table, true).contains('│'));
        let mut empty = comparison();
        empty.rows.clear();
        let mut out = Vec::new();
        export(&empty, Metric::Share, CompareFormat::Table, false, &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(CompareFormat::from_path(Path::new("d.CSV")), Some(CompareFormat::Csv));
        assert_eq!(CompareFormat::from_path(Path::new("d.md")), None);
        assert_eq!(metric_name(Metric::Value), "value");
    }
}
