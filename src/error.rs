//! The library's one error type.
//!
//! Every variant that comes from the data carries the file and, where there is
//! one, the line (CSV) or row (Parquet) and column at fault, so that a message
//! tells the user what to fix without opening a debugger. Messages are
//! lowercase, values in backticks, and a `hint:` follows a blank line when a
//! fix can be named.

use std::fmt;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in an input a problem sits: CSV counts physical lines (1 = header),
/// Parquet counts data rows (1 = first row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based physical line of a text file, header included.
    Line(u64),
    /// 1-based data row of a columnar file.
    Row(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`")]
    Read {
        /// File name as the user gave it (`<stdin>` for standard input).
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },

    /// An output file could not be written.
    #[error("cannot write `{path}`")]
    Write {
        /// File name as the user gave it.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },

    /// The input holds no header (or no bytes at all).
    #[error("`{path}` is empty\n\nhint: expected a header line naming the columns, then one row per {what}")]
    Empty {
        /// File name.
        path: String,
        /// What a row should be (touchpoint, conversion, path).
        what: &'static str,
    },

    /// A required column is absent from the header.
    #[error("column `{column}` not found in `{path}`\n\nhint: {hint}")]
    MissingColumn {
        /// File name.
        path: String,
        /// The column name that was looked for.
        column: String,
        /// The fix: available columns and the flag to pass.
        hint: String,
    },

    /// One cell could not be understood.
    #[error("`{path}` {location}, column `{column}`: found `{found}`, expected {expected}")]
    Cell {
        /// File name.
        path: String,
        /// Line or row of the cell.
        location: Location,
        /// Column name as written in the file.
        column: String,
        /// The offending text, shortened and escaped for display.
        found: String,
        /// What would have been accepted.
        expected: String,
    },

    /// The file is not well-formed CSV (field count, quoting, encoding).
    #[error("`{path}` {location}: {detail}")]
    Malformed {
        /// File name.
        path: String,
        /// Where the structure breaks.
        location: Location,
        /// What is wrong, and what was expected.
        detail: String,
    },

    /// polars could not read the file; the source says why.
    #[error("cannot read `{path}` as {format}")]
    Format {
        /// File name.
        path: String,
        /// `CSV` or `Parquet`.
        format: &'static str,
        /// polars' reason.
        #[source]
        source: polars::error::PolarsError,
    },

    /// A column of a typed (Parquet) file has a type mta cannot use.
    #[error("`{path}` column `{column}` has type `{found}`, expected {expected}")]
    ColumnType {
        /// File name.
        path: String,
        /// Column name.
        column: String,
        /// The column's type.
        found: String,
        /// Types that would work.
        expected: String,
    },

    /// A file named like Parquet whose bytes are not Parquet.
    #[error("`{path}` is not a Parquet file (it starts with `{start}`)\n\nhint: if it is CSV, give it a `.csv` extension")]
    NotParquet {
        /// File name.
        path: String,
        /// Its first bytes, for recognition.
        start: String,
    },

    /// A model could not be computed on this input.
    #[error("model `{model}`: {message}")]
    Model {
        /// The model's name.
        model: &'static str,
        /// What went wrong and what to do.
        message: String,
    },

    /// The input holds nothing to attribute (no rows, every row left out,
    /// no conversions, none in the period): a table of zeros would mean
    /// nothing, so it is an error (exit code 1) saying what would help.
    #[error("{message}\n\nhint: {hint}")]
    Nothing {
        /// What the input lacks.
        message: String,
        /// What would help.
        hint: String,
    },

    /// The options contradict each other or the input (exit code 2).
    #[error("{message}{}", hint.as_ref().map(|h| format!("\n\nhint: {h}")).unwrap_or_default())]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
}

impl Error {
    /// Whether the error is the user's invocation rather than the data (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage { .. })
    }

    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

/// Shortens and escapes a cell for an error message: a 10 MB field or a
/// newline must not flood or break the terminal.
pub fn display_value(raw: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, ch) in raw.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_value_escapes_and_truncates() {
        assert_eq!(display_value("a\nb"), "a\\nb");
        let long = "x".repeat(1000);
        let shown = display_value(&long);
        assert_eq!(shown.chars().count(), 61);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn cell_message_names_file_line_and_column() {
        let e = Error::Cell {
            path: "events.csv".into(),
            location: Location::Line(14),
            column: "timestamp".into(),
            found: "2026-02-30".into(),
            expected: "a valid date".into(),
        };
        assert_eq!(
            e.to_string(),
            "`events.csv` line 14, column `timestamp`: found `2026-02-30`, expected a valid date"
        );
    }
}
