//! Long CSV, the contract other tools read: `model,channel,conversions,value,share`,
//! one row per model and channel (models in `--models` order, channels by
//! name), numbers with 6 decimals.

use std::io::Write;

use super::{Exporter, fixed};
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes the CSV contract.
pub struct CsvExporter {
    /// Prefix formula-like channel names (`--excel-safe`).
    pub excel_safe: bool,
}

impl Exporter for CsvExporter {
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let mut w = ::csv::Writer::from_writer(out);
        let io = super::csv_err;
        if let Some(comparison) = &report.comparison {
            // `--compare-models`: the cross-model view, long.
            w.write_record(["channel", "model", "share", "rank", "disagreement"]).map_err(io)?;
            for c in comparison {
                for m in &c.models {
                    w.write_record([
                        c.channel.as_str(),
                        m.model.name(),
                        &fixed(m.share, 6),
                        &m.rank.to_string(),
                        &fixed(c.disagreement, 6),
                    ])
                    .map_err(io)?;
                }
            }
            return w.flush().map_err(|e| Error::Write {
                path: "<output>".into(),
                source: e,
            });
        }
        // `--bootstrap` adds the interval columns after the contract's columns.
        let intervals = report.models.iter().any(|m| m.credits.iter().any(|c| c.interval.is_some()));
        let mut header = vec!["model", "channel", "conversions", "value", "share"];
        if intervals {
            header.extend(["conversions_lo", "conversions_hi", "value_lo", "value_hi"]);
        }
        w.write_record(&header).map_err(io)?;
        for m in &report.models {
            for c in &m.credits {
                let mut row = vec![
                    m.model.name().to_string(),
                    if self.excel_safe {
                        super::excel_safe(&c.channel).into_owned()
                    } else {
                        c.channel.to_string()
                    },
                    fixed(c.conversions, 6),
                    fixed(c.value, 6),
                    fixed(c.share, 6),
                ];
                if let Some(i) = &c.interval {
                    row.extend([i.conversions_lo, i.conversions_hi, i.value_lo, i.value_hi].map(|x| fixed(x, 6)));
                }
                w.write_record(&row).map_err(io)?;
            }
        }
        w.flush().map_err(|e| Error::Write {
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
    fn long_rows_with_six_decimals() {
        assert_eq!(
            render(&CsvExporter { excel_safe: false }),
            "model,channel,conversions,value,share\n\
             first-click,Email,1.000000,10.000000,0.333333\n\
             first-click,Paid <Search>,2.000000,50.000000,0.666667\n\
             position-based,Email,1.500000,25.000000,0.500000\n\
             position-based,Paid <Search>,1.500000,35.000000,0.500000\n"
        );
    }
}
