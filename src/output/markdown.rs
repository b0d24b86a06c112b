//! A Markdown table of the same grid as the terminal table.

use std::io::Write;

use super::{ExportOptions, Exporter, Metric};
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes a GitHub-flavoured Markdown table.
pub struct MarkdownExporter {
    /// Figure shown per model.
    pub metric: Metric,
}

impl Exporter for MarkdownExporter {
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let options = ExportOptions {
            metric: self.metric,
            styled: false,
            excel_safe: false,
        };
        let text = super::table::render(report, options, comfy_table::presets::ASCII_MARKDOWN);
        out.write_all(text.as_bytes()).map_err(|e| Error::Write {
            path: "<output>".into(),
            source: e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testutil::render;

    #[test]
    fn pipe_table() {
        let text = render(&MarkdownExporter { metric: Metric::Value });
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("| channel"), "{text}");
        assert!(lines[1].starts_with("|--"), "{text}");
        assert!(lines[3].contains("| Paid <Search> |") && lines[3].contains("50.00"), "{text}");
        assert_eq!(lines.len(), 5);
    }
}
