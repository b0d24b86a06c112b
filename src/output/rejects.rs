//! The rejects file of `--on-error skip --rejects FILE`: one CSV row per
//! skipped input row, `file,line,row,reason,column,value,detail,record`.
//!
//! `line` is where the row starts in its CSV file (empty for Parquet),
//! `row` its data row number; `record` is the row as written, so that it can
//! be fixed and fed back.

use std::io::Write;

use crate::error::Result;
use crate::input::Rejection;

/// The header, a contract for tools that read the file.
pub const HEADER: [&str; 8] = ["file", "line", "row", "reason", "column", "value", "detail", "record"];

/// Writes `rejections` as CSV (a header even when there are none).
pub fn export(rejections: &[Rejection], out: &mut dyn Write) -> Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let err = super::csv_err;
    w.write_record(HEADER).map_err(err)?;
    for r in rejections {
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        w.write_record([
            r.file.as_str(),
            &line,
            &r.row.to_string(),
            r.reason.key(),
            &r.column,
            &r.value,
            &r.detail,
            &r.record,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| super::csv_err(e.into()))
}
