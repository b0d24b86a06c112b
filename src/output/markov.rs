//! Output of `mta markov`: removal effects or the transition matrix, as a
//! table, Markdown, CSV, or (everything at once) JSON.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::{OutputFormat, fixed};
use crate::error::{Error, Result};
use crate::report::markov::MarkovReport;

/// Which table a row-oriented format shows (JSON always has both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MarkovView {
    /// `channel,removal_effect,conversions,value`.
    #[default]
    RemovalEffects,
    /// `from,to,probability,count`.
    Transitions,
}

fn rows(report: &MarkovReport, view: MarkovView) -> (Vec<&'static str>, Vec<Vec<String>>) {
    match view {
        MarkovView::RemovalEffects => (
            vec!["channel", "removal_effect", "conversions", "value"],
            report
                .removal_effects
                .iter()
                .map(|r| {
                    vec![
                        r.channel.clone(),
                        fixed(r.removal_effect, 6),
                        fixed(r.conversions, 6),
                        fixed(r.value, 6),
                    ]
                })
                .collect(),
        ),
        MarkovView::Transitions => (
            vec!["from", "to", "probability", "count"],
            report
                .transitions
                .iter()
                .map(|t| vec![t.from.clone(), t.to.clone(), fixed(t.probability, 6), fixed(t.count, 6)])
                .collect(),
        ),
    }
}

/// Writes `report` in `format`; `styled` adds terminal borders to tables.
pub fn export(report: &MarkovReport, format: OutputFormat, view: MarkovView, styled: bool, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::Write {
        path: "<output>".into(),
        source: e,
    };
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)
        }
        OutputFormat::Csv => {
            let (header, rows) = rows(report, view);
            let mut w = ::csv::Writer::from_writer(out);
            let err = super::csv_err;
            w.write_record(header).map_err(err)?;
            for r in rows {
                w.write_record(r).map_err(err)?;
            }
            w.flush().map_err(io)
        }
        OutputFormat::Table | OutputFormat::Markdown => {
            let (header, rows) = rows(report, view);
            let preset = match (format, styled) {
                (OutputFormat::Markdown, _) => presets::ASCII_MARKDOWN,
                (_, true) => presets::UTF8_FULL_CONDENSED,
                _ => presets::NOTHING,
            };
            let mut t = Table::new();
            t.load_style(preset)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(header.clone());
            for r in rows {
                t.add_row(r);
            }
            for i in 0..header.len() {
                if let Some(col) = t.column_mut(i).filter(|_| i >= view_text_columns(view)) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            let text = t.to_string().lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n";
            out.write_all(text.as_bytes()).map_err(io)
        }
        OutputFormat::Html => Err(Error::usage(
            "`mta markov` does not write HTML",
            "use `mta report --models markov -o report.html` for charts, or `--format csv`",
        )),
        OutputFormat::Parquet => Err(Error::usage(
            "`mta markov` does not write Parquet",
            "use `--format csv` or `--format json`",
        )),
    }
}

/// Leading text columns of a view (the rest are numbers, right-aligned).
fn view_text_columns(view: MarkovView) -> usize {
    match view {
        MarkovView::RemovalEffects => 1,
        MarkovView::Transitions => 2,
    }
}
