//! Output of `mta paths` and `mta journeys`: tables of rows as CSV, JSON or
//! Parquet. The rows arrive computed and sorted ([`crate::journey::export`]);
//! this module only formats them, one generic writer per format over the
//! [`Rows`] trait rather than one exporter per row type.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::{csv_err, fixed, io_err};
use crate::error::Result;
use crate::input::time::format_ms;
use crate::journey::export::{JourneyRow, PathRow};

/// Formats of `mta paths` and `mta journeys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RowFormat {
    /// CSV with a header: whole counts as integers, other figures with 6 decimals.
    Csv,
    /// A pretty-printed JSON array of row objects.
    Json,
    /// Parquet with typed columns.
    Parquet,
}

impl RowFormat {
    /// The format implied by a file extension, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => RowFormat::Csv,
            "json" => RowFormat::Json,
            "parquet" | "pq" => RowFormat::Parquet,
            _ => return None,
        })
    }
}

/// A row type every [`RowFormat`] can write.
pub trait Rows: Serialize + Sized {
    /// Column names: the CSV header, the JSON keys and the Parquet columns.
    const COLUMNS: &'static [&'static str];
    /// Positions of the free-text columns (ids, paths): the cells
    /// `--excel-safe` defuses. Figures are never touched.
    const TEXT: &'static [usize];
    /// One CSV record, in [`Self::COLUMNS`] order.
    fn record(&self) -> Vec<String>;
    /// All rows as typed columns, in [`Self::COLUMNS`] order.
    fn columns(rows: &[Self]) -> Vec<Column>;
}

/// Writes `rows` in `format`; `excel_safe` defuses formula-like text cells in CSV.
pub fn export<R: Rows>(rows: &[R], format: RowFormat, excel_safe: bool, out: &mut dyn Write) -> Result<()> {
    match format {
        RowFormat::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            w.write_record(R::COLUMNS).map_err(csv_err)?;
            for r in rows {
                let mut record = r.record();
                if excel_safe {
                    for &i in R::TEXT {
                        if let std::borrow::Cow::Owned(safe) = super::excel_safe(&record[i]) {
                            record[i] = safe;
                        }
                    }
                }
                w.write_record(record).map_err(csv_err)?;
            }
            w.flush().map_err(io_err)
        }
        RowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(|e| io_err(e.into()))?;
            out.write_all(b"\n").map_err(io_err)
        }
        RowFormat::Parquet => {
            let mut df = DataFrame::new(rows.len(), R::columns(rows)).expect("columns have equal length");
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .finish(&mut df)
                .map_err(|e| io_err(std::io::Error::other(e)))?;
            out.write_all(&buf).map_err(io_err)
        }
    }
}

/// A count: an integer when whole (always, for event input), else 6 decimals
/// (path input may carry weighted counts).
fn count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        fixed(x, 0)
    } else {
        fixed(x, 6)
    }
}

impl Rows for PathRow {
    const COLUMNS: &'static [&'static str] = &["path", "total_conversions", "total_conversion_value", "total_null"];
    const TEXT: &'static [usize] = &[0];

    fn record(&self) -> Vec<String> {
        vec![
            self.path.clone(),
            count(self.total_conversions),
            fixed(self.total_conversion_value, 6),
            count(self.total_null),
        ]
    }

    fn columns(rows: &[Self]) -> Vec<Column> {
        let f64s = |name: &str, get: fn(&PathRow) -> f64| Column::new(name.into(), rows.iter().map(get).collect::<Vec<f64>>());
        vec![
            Column::new("path".into(), rows.iter().map(|r| r.path.as_str()).collect::<Vec<&str>>()),
            f64s("total_conversions", |r| r.total_conversions),
            f64s("total_conversion_value", |r| r.total_conversion_value),
            f64s("total_null", |r| r.total_null),
        ]
    }
}

impl Rows for JourneyRow<'_> {
    const COLUMNS: &'static [&'static str] = &[
        "customer_id",
        "journey",
        "path",
        "touches",
        "converted",
        "value",
        "first_touch_at",
        "converted_at",
    ];
    const TEXT: &'static [usize] = &[0, 2];

    fn record(&self) -> Vec<String> {
        vec![
            self.customer_id.to_string(),
            self.journey.to_string(),
            self.path.clone(),
            self.touches.to_string(),
            self.converted.to_string(),
            fixed(self.value, 6),
            format_ms(self.first_touch_at),
            self.converted_at.map(format_ms).unwrap_or_default(),
        ]
    }

    fn columns(rows: &[Self]) -> Vec<Column> {
        let time = |name: &str, values: Vec<Option<i64>>| {
            Int64Chunked::from_iter_options(name.into(), values.into_iter())
                .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
                .into_column()
        };
        vec![
            Column::new("customer_id".into(), rows.iter().map(|r| r.customer_id).collect::<Vec<&str>>()),
            Column::new("journey".into(), rows.iter().map(|r| r.journey as i64).collect::<Vec<i64>>()),
            Column::new("path".into(), rows.iter().map(|r| r.path.as_str()).collect::<Vec<&str>>()),
            Column::new("touches".into(), rows.iter().map(|r| r.touches as i64).collect::<Vec<i64>>()),
            Column::new("converted".into(), rows.iter().map(|r| r.converted).collect::<Vec<bool>>()),
            Column::new("value".into(), rows.iter().map(|r| r.value).collect::<Vec<f64>>()),
            time("first_touch_at", rows.iter().map(|r| Some(r.first_touch_at)).collect()),
            time("converted_at", rows.iter().map(|r| r.converted_at).collect()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn paths() -> Vec<PathRow> {
        vec![
            PathRow {
                path: "Email > Direct, \"Brand\"".into(),
                total_conversions: 2.0,
                total_conversion_value: 30.5,
                total_null: 1.0,
            },
            PathRow {
                path: "Search".into(),
                total_conversions: 0.25,
                total_conversion_value: 0.0,
                total_null: 0.0,
            },
        ]
    }

    fn journeys() -> Vec<JourneyRow<'static>> {
        vec![
            JourneyRow {
                customer_id: "amy",
                journey: 1,
                path: "Search > Email".into(),
                touches: 2,
                converted: true,
                value: 20.0,
                first_touch_at: DAY,
                converted_at: Some(3 * DAY + 1),
            },
            JourneyRow {
                customer_id: "amy",
                journey: 2,
                path: "Social".into(),
                touches: 1,
                converted: false,
                value: 0.0,
                first_touch_at: 6 * DAY,
                converted_at: None,
            },
        ]
    }

    fn render<R: Rows>(rows: &[R], format: RowFormat) -> Vec<u8> {
        let mut out = Vec::new();
        export(rows, format, false, &mut out).unwrap();
        out
    }

    #[test]
    fn path_csv_prints_whole_counts_as_integers_and_quotes_when_needed() {
        assert_eq!(
            String::from_utf8(render(&paths(), RowFormat::Csv)).unwrap(),
            "path,total_conversions,total_conversion_value,total_null\n\
             \"Email > Direct, \"\"Brand\"\"\",2,30.500000,1\n\
             Search,0.250000,0.000000,0\n"
        );
    }

    #[test]
    fn journey_csv_has_rfc3339_times_and_an_empty_cell_without_conversion() {
        assert_eq!(
            String::from_utf8(render(&journeys(), RowFormat::Csv)).unwrap(),
            "customer_id,journey,path,touches,converted,value,first_touch_at,converted_at\n\
             amy,1,Search > Email,2,true,20.000000,1970-01-02T00:00:00Z,1970-01-04T00:00:00.001Z\n\
             amy,2,Social,1,false,0.000000,1970-01-07T00:00:00Z,\n"
        );
    }

    #[test]
    fn json_is_an_array_of_row_objects_in_column_order() {
        let text = String::from_utf8(render(&journeys(), RowFormat::Json)).unwrap();
        assert!(text.ends_with("]\n"));
        let positions: Vec<usize> = JourneyRow::COLUMNS
            .iter()
            .map(|c| text.find(&format!("\"{c}\"")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[1]["converted_at"], serde_json::Value::Null);
        assert_eq!(v[0]["journey"], 1);
        let v: serde_json::Value = serde_json::from_slice(&render(&paths(), RowFormat::Json)).unwrap();
        assert_eq!(v[0].as_object().unwrap().len(), PathRow::COLUMNS.len());
        assert_eq!(v[1]["total_conversions"], 0.25);
    }

    #[test]
    fn parquet_columns_are_typed() {
        let df = ParquetReader::new(std::io::Cursor::new(render(&journeys(), RowFormat::Parquet)))
            .finish()
            .unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, JourneyRow::COLUMNS);
        assert_eq!(df.column("converted").unwrap().bool().unwrap().get(1), Some(false));
        assert_eq!(df.column("touches").unwrap().i64().unwrap().get(0), Some(2));
        let at = df.column("converted_at").unwrap();
        assert_eq!(at.dtype(), &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)));
        assert_eq!(at.null_count(), 1);
        let df = ParquetReader::new(std::io::Cursor::new(render(&paths(), RowFormat::Parquet)))
            .finish()
            .unwrap();
        assert_eq!(df.column("total_conversions").unwrap().f64().unwrap().get(1), Some(0.25));
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(RowFormat::from_path(Path::new("p.PARQUET")), Some(RowFormat::Parquet));
        assert_eq!(RowFormat::from_path(Path::new("p.md")), None);
    }
}
