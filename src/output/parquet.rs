//! Parquet with the CSV contract's columns, typed (`conversions`, `value`,
//! `share` as Float64), for warehouses and notebooks.

use std::io::Write;

use polars::prelude::*;

use super::Exporter;
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes one Parquet file.
pub struct ParquetExporter;

impl Exporter for ParquetExporter {
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let rows = report
            .models
            .iter()
            .flat_map(|m| m.credits.iter().map(move |c| (m.model.name(), c)));
        let (mut model, mut channel, mut conv, mut value, mut share) = (vec![], vec![], vec![], vec![], vec![]);
        for (m, c) in rows {
            model.push(m);
            channel.push(&*c.channel);
            conv.push(c.conversions);
            value.push(c.value);
            share.push(c.share);
        }
        let height = model.len();
        let mut df = DataFrame::new(
            height,
            vec![
                Column::new("model".into(), model),
                Column::new("channel".into(), channel),
                Column::new("conversions".into(), conv),
                Column::new("value".into(), value),
                Column::new("share".into(), share),
            ],
        )
        .expect("columns have equal length");
        let err = |e: PolarsError| Error::Write {
            path: "<output>".into(),
            source: std::io::Error::other(e),
        };
        let mut buf = Vec::new();
        ParquetWriter::new(&mut buf).finish(&mut df).map_err(err)?;
        out.write_all(&buf).map_err(|e| Error::Write {
            path: "<output>".into(),
            source: e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testutil::report;

    #[test]
    fn round_trips_through_polars() {
        let mut buf = Vec::new();
        ParquetExporter.export(&report(), &mut buf).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(buf)).finish().unwrap();
        assert_eq!(df.height(), 4);
        let value = df.column("value").unwrap().f64().unwrap();
        assert_eq!(value.get(3), Some(35.0));
        let channel = df.column("channel").unwrap().str().unwrap();
        assert_eq!(channel.get(1), Some("Paid <Search>"));
    }
}
