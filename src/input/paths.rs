//! Path aggregates: `path,total_conversions,total_conversion_value,total_null`,
//! the exchange format of ChannelAttribution and similar tools.
//!
//! A path is channel names joined by a separator (`" > "` by default);
//! whitespace around names is trimmed and an empty name (`a > > b`, a
//! trailing separator) is an error rather than a silently shorter path.

use super::schema::ColumnRequest;
use super::{FileStats, Source, read_table};
use crate::error::Result;
use crate::intern::Interner;

/// One path row: channel codes in order and the journeys' weights.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRow {
    /// Channel codes, first touch first.
    pub path: Vec<u32>,
    /// Converting journeys with this path.
    pub conversions: f64,
    /// Their total revenue.
    pub value: f64,
    /// Non-converting journeys with this path.
    pub nulls: f64,
}

/// All path rows of the inputs, duplicates not yet merged.
#[derive(Debug, Default)]
pub struct PathTable {
    /// Channel names (codes in first-appearance order).
    pub channels: Interner,
    /// Rows in file order.
    pub rows: Vec<PathRow>,
    /// Per file: rows read.
    pub files: Vec<FileStats>,
}

/// Reads path aggregate files; `sep` separates channels within a path.
pub fn load(sources: &[Source], delimiter: Option<u8>, sep: &str) -> Result<PathTable> {
    let format = Some("path aggregates have the columns `path,total_conversions[,total_conversion_value][,total_null]`");
    let requests = [
        ColumnRequest {
            advice: format,
            ..ColumnRequest::required("path", "")
        },
        ColumnRequest {
            advice: format,
            ..ColumnRequest::required("total_conversions", "")
        },
        ColumnRequest::optional("total_conversion_value", ""),
        ColumnRequest::optional("total_null", ""),
    ];
    // Trimming names makes `a>b` and `a > b` the same path.
    let sep = if sep.trim().is_empty() { sep } else { sep.trim() };
    let stdin = [Source::Stdin];
    let sources: &[Source] = if sources.is_empty() { &stdin } else { sources };
    let mut out = PathTable::default();
    for source in sources {
        let table = read_table(source, delimiter, &requests, "path")?;
        let paths = table.texts(0, "a path of channel names")?;
        let mut conversions = Vec::new();
        table.amounts(1, "a conversion count", &mut conversions)?;
        let mut value = Vec::new();
        let mut nulls = Vec::new();
        match table.columns[2] {
            Some(_) => table.amounts(2, "a conversion value", &mut value)?,
            None => value.resize(paths.len(), 0.0),
        }
        match table.columns[3] {
            Some(_) => table.amounts(3, "a null count", &mut nulls)?,
            None => nulls.resize(paths.len(), 0.0),
        }
        for (row, path) in paths.iter().enumerate() {
            let mut codes = Vec::new();
            for name in path.split(sep).map(str::trim) {
                if name.is_empty() {
                    return Err(table.error_at(
                        0,
                        row,
                        path,
                        format!("channel names separated by `{sep}` (an empty name: a doubled or trailing separator?)"),
                    ));
                }
                codes.push(out.channels.intern(name));
            }
            out.rows.push(PathRow {
                path: codes,
                conversions: conversions[row],
                value: value[row],
                nulls: nulls[row],
            });
        }
        out.files.push(FileStats {
            name: table.name.clone(),
            rows: table.height as u64,
        });
    }
    Ok(out)
}
