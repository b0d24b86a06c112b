//! CSV, for any [`Table`]: a header of the column names, then one record
//! per row; figures with 6 decimals, whole counts as integers, times in
//! RFC 3339 UTC, an empty field for a missing value. Rows stream.

use std::io::{self, Write};

use super::table::{Kind, Table};
use super::{Exporter, excel_safe};

/// Writes CSV.
pub struct CsvExporter {
    /// Prefix formula-like text cells with `'` (`--excel-safe`).
    pub excel_safe: bool,
}

impl Exporter for CsvExporter {
    fn export(&self, table: &dyn Table, out: &mut dyn Write) -> io::Result<()> {
        let columns = table.columns();
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(columns.iter().map(|c| c.name.as_ref())).map_err(csv_err)?;
        let mut buf = String::new();
        table.for_each_row(&mut |cells| {
            for (cell, column) in cells.iter().zip(&columns) {
                buf.clear();
                cell.write_text(column.kind, "", &mut buf);
                let field = if self.excel_safe && column.kind == Kind::Text {
                    excel_safe(&buf)
                } else {
                    std::borrow::Cow::Borrowed(buf.as_str())
                };
                w.write_field(field.as_bytes()).map_err(csv_err)?;
            }
            w.write_record(None::<&[u8]>).map_err(csv_err)
        })?;
        w.flush()
    }
}

/// The I/O error itself: `csv::Error` has no `source()`, so wrapping it
/// would hide a broken pipe (a quiet exit 0) behind a failure.
fn csv_err(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::table::sample;

    fn render(excel_safe: bool) -> String {
        let mut out = Vec::new();
        CsvExporter { excel_safe }.export(&sample(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_follow_their_kind_and_quote_when_needed() {
        assert_eq!(
            render(false),
            "path,journey,n,value,converted,converted_at\n\
             \"Email > Direct, \"\"Brand\"\"\",1,2,30.500000,true,1970-01-02T00:00:00Z\n\
             =cmd,2,0.250000,NaN,false,\n"
        );
        assert!(render(true).contains("\n'=cmd,2,"));
    }
}
