//! Parquet, for any [`Table`]: typed columns (text String, figures and
//! counts Float64, whole numbers Int64, flags Boolean, times
//! `Datetime(ms, UTC)`), nulls where a value is missing. Rows are written in
//! row groups as they come, so a large table is never held whole.

use std::io::{self, Write};

use polars::prelude::*;

use super::Exporter;
use super::table::{Cell, Column as TableColumn, Kind, Table};

/// Rows per row group.
const BATCH: usize = 128 * 1024;

/// Writes Parquet.
pub struct ParquetExporter;

/// A column being filled (times as Int64, typed when finished).
enum Builder {
    Text(StringChunkedBuilder),
    Float(PrimitiveChunkedBuilder<Float64Type>),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Bool(BooleanChunkedBuilder),
}

impl Builder {
    fn new(column: &TableColumn) -> Self {
        let name: PlSmallStr = column.name.as_ref().into();
        match column.kind {
            Kind::Text | Kind::Figure => Builder::Text(StringChunkedBuilder::new(name, BATCH)),
            Kind::Number | Kind::Count => Builder::Float(PrimitiveChunkedBuilder::new(name, BATCH)),
            Kind::Integer | Kind::Time => Builder::Int(PrimitiveChunkedBuilder::new(name, BATCH)),
            Kind::Bool => Builder::Bool(BooleanChunkedBuilder::new(name, BATCH)),
        }
    }

    /// The Parquet type of a column of `kind`.
    fn dtype(kind: Kind) -> DataType {
        match kind {
            Kind::Text | Kind::Figure => DataType::String,
            Kind::Number | Kind::Count => DataType::Float64,
            Kind::Integer => DataType::Int64,
            Kind::Bool => DataType::Boolean,
            Kind::Time => DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
        }
    }

    fn push(&mut self, cell: &Cell<'_>) {
        match (self, cell) {
            (Builder::Text(b), Cell::Text(t)) => b.append_value(t.as_ref()),
            (Builder::Float(b), Cell::Number(x)) => b.append_value(*x),
            (Builder::Int(b), Cell::Integer(n) | Cell::Time(n)) => b.append_value(*n),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_value(*v),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Float(b), _) => b.append_null(),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
        }
    }

    fn finish(self, kind: Kind) -> Column {
        match self {
            Builder::Text(b) => b.finish().into_column(),
            Builder::Float(b) => b.finish().into_column(),
            Builder::Int(b) if kind == Kind::Time => b.finish().into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)).into_column(),
            Builder::Int(b) => b.finish().into_column(),
            Builder::Bool(b) => b.finish().into_column(),
        }
    }
}

impl Exporter for ParquetExporter {
    fn export(&self, table: &dyn Table, out: &mut dyn Write) -> io::Result<()> {
        let columns = table.columns();
        let schema: Schema = columns
            .iter()
            .map(|c| Field::new(c.name.as_ref().into(), Builder::dtype(c.kind)))
            .collect();
        let mut writer = ParquetWriter::new(out).batched(&schema).map_err(io::Error::other)?;
        let fresh = || columns.iter().map(Builder::new).collect::<Vec<_>>();
        let flush = |builders: Vec<Builder>, rows: usize, writer: &mut polars::io::parquet::write::BatchedWriter<&mut dyn Write>| {
            let columns = builders.into_iter().zip(&columns).map(|(b, c)| b.finish(c.kind)).collect();
            let df = DataFrame::new(rows, columns).expect("columns have equal length");
            writer.write_batch(&df).map_err(io::Error::other)
        };
        let (mut builders, mut rows, mut written) = (fresh(), 0, 0);
        table.for_each_row(&mut |cells| {
            for (b, cell) in builders.iter_mut().zip(cells) {
                b.push(cell);
            }
            rows += 1;
            if rows == BATCH {
                flush(std::mem::replace(&mut builders, fresh()), rows, &mut writer)?;
                written += rows;
                rows = 0;
            }
            Ok(())
        })?;
        if rows > 0 || written == 0 {
            flush(builders, rows, &mut writer)?;
        }
        writer.finish().map_err(io::Error::other)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::table::Owned;

    fn read(bytes: Vec<u8>) -> DataFrame {
        ParquetReader::new(std::io::Cursor::new(bytes)).finish().unwrap()
    }

    #[test]
    fn columns_are_typed_and_nulls_kept() {
        let mut out = Vec::new();
        ParquetExporter.export(&crate::output::table::sample(), &mut out).unwrap();
        let df = read(out);
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["path", "journey", "n", "value", "converted", "converted_at"]);
        assert_eq!(df.column("journey").unwrap().i64().unwrap().get(1), Some(2));
        assert_eq!(df.column("n").unwrap().f64().unwrap().get(1), Some(0.25));
        assert_eq!(df.column("converted").unwrap().bool().unwrap().get(1), Some(false));
        let at = df.column("converted_at").unwrap();
        assert_eq!(at.dtype(), &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)));
        assert_eq!(at.null_count(), 1);
    }

    #[test]
    fn many_row_groups_and_an_empty_table_read_back() {
        let rows = BATCH * 2 + 3;
        let table = Owned {
            columns: vec![TableColumn::new("n", Kind::Integer)],
            rows: (0..rows as i64).map(|i| vec![Cell::Integer(i)]).collect(),
            key_columns: 0,
        };
        let mut out = Vec::new();
        ParquetExporter.export(&table, &mut out).unwrap();
        let df = read(out);
        assert_eq!(df.height(), rows);
        assert_eq!(df.column("n").unwrap().i64().unwrap().get(rows - 1), Some(rows as i64 - 1));
        let empty = Owned { rows: Vec::new(), ..table };
        let mut out = Vec::new();
        ParquetExporter.export(&empty, &mut out).unwrap();
        assert_eq!(read(out).height(), 0);
    }
}
