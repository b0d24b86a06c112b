//! JSON. A [`Table`] is an array of row objects, one per line, keyed by the
//! column names in column order (rows stream). Report-shaped results (the
//! credits with their `input` block, `mta markov`, `mta compare`) are
//! documents: their `Serialize` types, pretty-printed.

use std::io::{self, Write};

use serde::Serialize;

use super::Exporter;
use super::table::{Cell, Kind, Table};

/// Writes a table as a JSON array of row objects.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, table: &dyn Table, out: &mut dyn Write) -> io::Result<()> {
        let columns = table.columns();
        // Keys are the same on every row: escape them once.
        let keys: Vec<String> = columns
            .iter()
            .map(|c| serde_json::to_string(c.name.as_ref()).expect("a string serializes"))
            .collect();
        out.write_all(b"[")?;
        let mut first = true;
        table.for_each_row(&mut |cells| {
            out.write_all(if first { b"\n  {" } else { b",\n  {" })?;
            first = false;
            for (i, (cell, column)) in cells.iter().zip(&columns).enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(keys[i].as_bytes())?;
                out.write_all(b":")?;
                value(cell, column.kind, out)?;
            }
            out.write_all(b"}")
        })?;
        out.write_all(if first { b"]\n" } else { b"\n]\n" })
    }
}

/// One cell as a JSON value: text and times as strings, figures as numbers,
/// a missing value (or a non-finite number) as `null`.
fn value(cell: &Cell<'_>, kind: Kind, out: &mut dyn Write) -> io::Result<()> {
    match cell {
        Cell::Text(t) => serde_json::to_writer(&mut *out, t.as_ref()).map_err(io::Error::from),
        Cell::Number(x) if x.is_finite() => serde_json::to_writer(&mut *out, x).map_err(io::Error::from),
        Cell::Integer(n) => write!(out, "{n}"),
        Cell::Bool(b) => out.write_all(if *b { b"true" } else { b"false" }),
        Cell::Time(_) => {
            let mut s = String::new();
            cell.write_text(kind, "", &mut s);
            serde_json::to_writer(&mut *out, &s).map_err(io::Error::from)
        }
        Cell::Number(_) | Cell::Null => out.write_all(b"null"),
    }
}

/// Writes a document, pretty-printed, with a final newline.
pub fn write_document<T: Serialize + ?Sized>(doc: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::table::{Owned, sample};

    #[test]
    fn rows_are_objects_in_column_order_with_typed_values() {
        let render = |table: &Owned| {
            let mut out = Vec::new();
            JsonExporter.export(table, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            render(&sample()),
            "[\n  {\"path\":\"Email > Direct, \\\"Brand\\\"\",\"journey\":1,\"n\":2.0,\"value\":30.5,\"converted\":true,\"converted_at\":\"1970-01-02T00:00:00Z\"},\n  \
             {\"path\":\"=cmd\",\"journey\":2,\"n\":0.25,\"value\":null,\"converted\":false,\"converted_at\":null}\n]\n"
        );
        assert_eq!(
            render(&Owned {
                rows: Vec::new(),
                ..sample()
            }),
            "[]\n"
        );
    }
}
