//! The terminal table: one row per channel, one column per model, a total
//! row. Borders only when stdout is a terminal; piped output is plain
//! aligned text.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, TableStyle, presets};

use super::{ExportOptions, Exporter, grid};
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes a comfy-table.
pub struct TableExporter {
    /// Metric and styling.
    pub options: ExportOptions,
}

/// A comfy-table of the grid with numbers right-aligned.
pub(crate) fn render(report: &Report, options: ExportOptions, preset: TableStyle) -> String {
    let (header, rows) = grid(report, options.metric);
    let mut t = Table::new();
    t.load_style(preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in rows {
        t.add_row(row);
    }
    for i in 1..=report.models.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let text = t.to_string();
    // comfy-table pads the last column; trailing spaces only hurt diffs.
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

impl Exporter for TableExporter {
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let preset = if self.options.styled {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::NOTHING
        };
        out.write_all(render(report, self.options, preset).as_bytes())
            .map_err(|e| Error::Write {
                path: "<output>".into(),
                source: e,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Metric;
    use crate::output::testutil::render as run;

    #[test]
    fn plain_table_when_piped() {
        let text = run(&TableExporter {
            options: ExportOptions {
                metric: Metric::Conversions,
                styled: false,
                excel_safe: false,
            },
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].split_whitespace().eq(["channel", "first-click", "position-based"]));
        assert!(lines[2].split_whitespace().eq(["Paid", "<Search>", "2.00", "1.50"]));
        assert!(lines[3].split_whitespace().eq(["total", "3.00", "3.00"]));
    }

    #[test]
    fn share_metric_in_percent() {
        let text = run(&TableExporter {
            options: ExportOptions {
                metric: Metric::Share,
                styled: true,
                excel_safe: false,
            },
        });
        assert!(text.contains("33.33%") && text.contains("100.00%"), "{text}");
    }
}
