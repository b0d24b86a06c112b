//! Parquet reading through polars; columns keep their types and the
//! converters in [`super::table`] accept the ones that make sense.

use std::io::Cursor;

use polars::prelude::*;

use super::schema::{ColumnRequest, resolve};
use super::table::{Locator, Table, TableColumn};
use crate::error::{Error, Result};
use crate::input::rejects::OnError;

/// The top-level columns stored as INT96: Spark's (and Impala's) legacy
/// timestamps, which are UTC instants though their Arrow type has no zone.
fn int96_columns(meta: &polars::io::parquet::read::FileMetadata) -> Vec<String> {
    meta.schema_descr
        .columns()
        .iter()
        .filter(|c| {
            c.path_in_schema.len() == 1
                && c.descriptor.primitive_type.physical_type == polars_parquet::parquet::schema::types::PhysicalType::Int96
        })
        .map(|c| c.path_in_schema[0].to_string())
        .collect()
}

/// Puts the types other tools write into the ones the converters of
/// [`super::table`] read: dictionary (pandas `category`, polars
/// `Categorical`/`Enum`, DuckDB `ENUM`) to text, decimals to floats. Text
/// in large strings and string views already arrives as text; times keep
/// their unit and zone.
fn normalize(data: &Column) -> PolarsResult<Column> {
    match data.dtype() {
        DataType::Categorical(..) | DataType::Enum(..) => data.cast(&DataType::String),
        DataType::Decimal(..) => data.cast(&DataType::Float64),
        _ => Ok(data.clone()),
    }
}

/// A Parquet file's columns as read: the frame, the file's header and its
/// INT96 columns.
pub(crate) struct Frame {
    pub df: DataFrame,
    pub header: Vec<String>,
    pub int96: Vec<String>,
}

/// Reads the columns `choose` picks from the header of a Parquet file held
/// in memory (a corrupt file is an error, never a panic).
pub(crate) fn read_frame(name: &str, bytes: &[u8], choose: impl FnOnce(&[String]) -> Result<Vec<String>>) -> Result<Frame> {
    read_frame_slice(name, bytes, None, choose)
}

/// [`read_frame`] of rows `slice` (start, length) only: polars decodes only
/// the row groups that hold them.
pub(crate) fn read_frame_slice(
    name: &str,
    bytes: &[u8],
    slice: Option<(usize, usize)>,
    choose: impl FnOnce(&[String]) -> Result<Vec<String>>,
) -> Result<Frame> {
    let format_err = |source| Error::Format {
        path: name.to_string(),
        format: "Parquet",
        source,
    };
    // polars panics on some corrupt files: that is a corrupt file, not a crash.
    let corrupt = |panic: String| format_err(PolarsError::ComputeError(format!("the file is corrupt ({panic})").into()));
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = super::guard::guarded(|| reader.schema()).map_err(corrupt)?.map_err(format_err)?;
    let int96 = super::guard::guarded(|| reader.get_metadata().map(|m| int96_columns(m)))
        .map_err(corrupt)?
        .map_err(format_err)?;
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let mut wanted = choose(&header)?;
    wanted.sort_unstable();
    wanted.dedup();
    let df = super::guard::guarded(|| reader.with_columns(Some(wanted)).with_slice(slice).finish())
        .map_err(corrupt)?
        .map_err(format_err)?;
    // A corrupt file can decode to columns of different lengths (polars
    // checks that only in debug builds).
    if let Some(c) = df.columns().iter().find(|c| c.len() != df.height()) {
        return Err(corrupt(format!(
            "column `{}` has {} values for {} rows",
            c.name(),
            c.len(),
            df.height()
        )));
    }
    Ok(Frame { df, header, int96 })
}

/// Rows per table when a Parquet file is read in pieces (whole row groups,
/// at least one), unless `MTA_PARQUET_CHUNK_ROWS` says otherwise (tests cut
/// small files into many pieces).
fn chunk_rows() -> usize {
    std::env::var("MTA_PARQUET_CHUNK_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(1 << 20)
}

/// Reads the requested columns of a Parquet file held in memory in pieces
/// of whole row groups, handing each to `f` as a table whose rows are
/// numbered as in the file: the decoded columns of the whole file are never
/// held at once.
pub fn read_chunks(
    name: &str,
    bytes: &[u8],
    requests: &[ColumnRequest<'_>],
    on_error: OnError,
    mut f: impl FnMut(Table) -> Result<()>,
) -> Result<()> {
    let corrupt = |panic: String| Error::Format {
        path: name.to_string(),
        format: "Parquet",
        source: PolarsError::ComputeError(format!("the file is corrupt ({panic})").into()),
    };
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let groups: Vec<usize> = super::guard::guarded(|| reader.get_metadata().map(|m| m.row_groups.iter().map(|g| g.num_rows()).collect()))
        .map_err(corrupt)?
        .map_err(|source| Error::Format {
            path: name.to_string(),
            format: "Parquet",
            source,
        })?;
    let limit = chunk_rows();
    let mut slices: Vec<(usize, usize)> = Vec::new();
    let (mut start, mut len) = (0, 0);
    for rows in groups {
        if len > 0 && len + rows > limit {
            slices.push((start, len));
            (start, len) = (start + len, 0);
        }
        len += rows;
    }
    if len > 0 || slices.is_empty() {
        slices.push((start, len));
    }
    let whole = slices.len() == 1;
    for (start, len) in slices {
        let mut table = read_slice(name, bytes, (!whole).then_some((start, len)), requests, on_error)?;
        table.offset = super::table::Offset {
            lines: 0,
            rows: start as u64,
        };
        f(table)?;
    }
    Ok(())
}

/// Reads the requested columns of a Parquet file held in memory.
pub fn read(name: &str, bytes: &[u8], requests: &[ColumnRequest<'_>], on_error: OnError) -> Result<Table> {
    read_slice(name, bytes, None, requests, on_error)
}

/// [`read`] of rows `slice` only (row numbers of the table start at 1).
fn read_slice(name: &str, bytes: &[u8], slice: Option<(usize, usize)>, requests: &[ColumnRequest<'_>], on_error: OnError) -> Result<Table> {
    let format_err = |source| Error::Format {
        path: name.to_string(),
        format: "Parquet",
        source,
    };
    let mut indices = Vec::new();
    let Frame { df, header, int96 } = read_frame_slice(name, bytes, slice, |header| {
        indices = resolve(name, header, requests, None)?;
        Ok(indices.iter().flatten().map(|&i| header[i].clone()).collect())
    })?;
    let columns = indices
        .iter()
        .map(|idx| {
            idx.map(|i| {
                let data = df.column(&header[i]).expect("projected column is present");
                Ok(TableColumn {
                    header: header[i].clone(),
                    data: normalize(data).map_err(format_err)?,
                    utc: int96.contains(&header[i]),
                    cells: None,
                })
            })
            .transpose()
        })
        .collect::<Result<_>>()?;
    Ok(Table {
        name: name.to_string(),
        header: header.clone(),
        columns,
        height: df.height(),
        locator: Locator::Rows,
        skipped: (on_error == OnError::Skip).then(Default::default),
        anonymous: Default::default(),
        left_out: Default::default(),
        decimal_comma: false,
        currency: Default::default(),
        saw_currency: Default::default(),
        offset: Default::default(),
        malformed: Vec::new(),
        text: None,
    })
}
