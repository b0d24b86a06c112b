//! Output of `mta attribute --per-conversion`: CSV
//! (`customer_id,converted_at,model,channel,credit,value`), JSON lines in an
//! array, or Parquet with the same columns.

use std::io::Write;

use polars::prelude::*;

use super::{OutputFormat, fixed};
use crate::error::{Error, Result};
use crate::report::per_conversion::PerConversion;

fn io(e: std::io::Error) -> Error {
    Error::Write {
        path: "<output>".into(),
        source: e,
    }
}

/// Writes every row of `rows` in `format` (CSV, JSON or Parquet);
/// `excel_safe` defuses formula-like text cells in CSV.
pub fn export(rows: &PerConversion<'_>, format: OutputFormat, excel_safe: bool, out: &mut dyn Write) -> Result<()> {
    match format {
        OutputFormat::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            let err = super::csv_err;
            w.write_record(["customer_id", "converted_at", "model", "channel", "credit", "value"])
                .map_err(err)?;
            let text = |t: &str| {
                if excel_safe {
                    super::excel_safe(t).into_owned()
                } else {
                    t.to_string()
                }
            };
            rows.for_each(|r| {
                w.write_record([
                    &text(r.customer_id),
                    &r.converted_at,
                    r.model,
                    &text(r.channel),
                    &fixed(r.credit, 6),
                    &fixed(r.value, 6),
                ])
                .map_err(err)
            })?;
            w.flush().map_err(io)
        }
        OutputFormat::Json => {
            out.write_all(b"[").map_err(io)?;
            let mut first = true;
            rows.for_each(|r| {
                out.write_all(if first { b"\n  " } else { b",\n  " }).map_err(io)?;
                first = false;
                serde_json::to_writer(&mut *out, r).map_err(|e| io(e.into()))
            })?;
            out.write_all(b"\n]\n").map_err(io)
        }
        OutputFormat::Parquet => {
            let (mut customer, mut at, mut model, mut channel, mut credit, mut value) = (vec![], vec![], vec![], vec![], vec![], vec![]);
            rows.for_each(|r| {
                customer.push(r.customer_id.to_string());
                at.push(r.converted_at.clone());
                model.push(r.model);
                channel.push(r.channel.to_string());
                credit.push(r.credit);
                value.push(r.value);
                Ok::<(), Error>(())
            })?;
            let mut df = DataFrame::new(
                customer.len(),
                vec![
                    Column::new("customer_id".into(), customer),
                    Column::new("converted_at".into(), at),
                    Column::new("model".into(), model),
                    Column::new("channel".into(), channel),
                    Column::new("credit".into(), credit),
                    Column::new("value".into(), value),
                ],
            )
            .expect("columns have equal length");
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .finish(&mut df)
                .map_err(|e| io(std::io::Error::other(e)))?;
            out.write_all(&buf).map_err(io)
        }
        OutputFormat::Table | OutputFormat::Markdown | OutputFormat::Html => Err(Error::usage(
            "`--per-conversion` writes CSV, JSON or Parquet",
            "pass `--format csv`, `--format json` or `--format parquet`",
        )),
    }
}
