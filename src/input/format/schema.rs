//! Column names and their resolution against a file's header.
//!
//! Exports name columns inconsistently (`Customer ID `, `customer_id`), so
//! names match case-insensitively after trimming. A missing column is an
//! error that lists what the file does have and names the flag to pass.

use crate::error::{Error, Result};

/// Names of the input columns (`--customer-col` and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Customer identifier column.
    pub customer: String,
    /// Touch (or conversion) time column.
    pub timestamp: String,
    /// Channel name column.
    pub channel: String,
    /// Inline conversion flag column.
    pub conversion: String,
    /// Conversion revenue column.
    pub value: String,
    /// Whether the user named the value column: then it must exist.
    pub value_required: bool,
    /// Traffic source column (channel rules).
    pub source: String,
    /// Traffic medium column (channel rules).
    pub medium: String,
    /// Campaign column (channel rules; optional).
    pub campaign: String,
    /// Conversion type column (inline events or the conversions file; optional).
    pub conversion_type: String,
    /// Whether the user named the type column: then it must exist.
    pub type_required: bool,
    /// Event name column, for `--conversion-events`.
    pub event: String,
    /// `--order-col`: order (transaction) id column; a conversion whose
    /// order id was seen before is a repeat, counted once.
    pub order: Option<String>,
    /// None of `--source-col`, `--medium-col`, `--campaign-col` was given:
    /// `utm_source`, `utm_medium`, `utm_campaign` stand in for absent
    /// `source`, `medium`, `campaign` columns (raw UTM exports).
    pub utm_fallback: bool,
}

impl Default for ColumnMap {
    fn default() -> Self {
        ColumnMap {
            customer: "customer_id".into(),
            timestamp: "timestamp".into(),
            channel: "channel".into(),
            conversion: "conversion".into(),
            value: "value".into(),
            value_required: false,
            source: "source".into(),
            medium: "medium".into(),
            campaign: "campaign".into(),
            conversion_type: "conversion_type".into(),
            type_required: false,
            event: "event_name".into(),
            order: None,
            utm_fallback: true,
        }
    }
}

/// One column a reader asks a file for.
#[derive(Debug, Clone)]
pub struct ColumnRequest<'a> {
    /// Name to look for.
    pub name: &'a str,
    /// The flag that renames it, for the hint.
    pub flag: &'a str,
    /// Whether its absence is an error.
    pub required: bool,
    /// Extra advice when it is missing (e.g. `--conversions`).
    pub advice: Option<&'a str>,
    /// A name tried when `name` is absent (`utm_source` for `source`).
    pub fallback: Option<&'a str>,
}

impl<'a> ColumnRequest<'a> {
    /// A column that must be present.
    pub fn required(name: &'a str, flag: &'a str) -> Self {
        ColumnRequest {
            name,
            flag,
            required: true,
            advice: None,
            fallback: None,
        }
    }
    /// A column that must be present, of a file whose columns no flag
    /// renames: `advice` says what the file should hold.
    pub fn described(name: &'a str, advice: &'a str) -> Self {
        ColumnRequest {
            advice: Some(advice),
            ..ColumnRequest::required(name, "")
        }
    }

    /// A column that may be absent.
    pub fn optional(name: &'a str, flag: &'a str) -> Self {
        ColumnRequest {
            name,
            flag,
            required: false,
            advice: None,
            fallback: None,
        }
    }
}

/// Finds each requested column in `header`, returning its index.
///
/// `delimiter` only improves the hint: a header read as one column that
/// contains another likely delimiter points at `--delimiter`.
pub fn resolve(path: &str, header: &[String], requests: &[ColumnRequest<'_>], delimiter: Option<u8>) -> Result<Vec<Option<usize>>> {
    let norm = |s: &str| s.trim().to_lowercase();
    requests
        .iter()
        .map(|req| {
            let want = norm(req.name);
            let found = header.iter().position(|h| norm(h) == want);
            let all: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| norm(h) == want)
                .map(|(i, _)| i + 1)
                .collect();
            if all.len() > 1 {
                let cols = all.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" and ");
                return Err(Error::Malformed {
                    path: path.to_string(),
                    location: crate::error::Location::Line(1),
                    detail: format!(
                        "column `{}` appears more than once (columns {cols}); expected one column of that name (rename the others{})",
                        req.name,
                        if req.flag.is_empty() {
                            String::new()
                        } else {
                            format!(", or pass `{} <NAME>`", req.flag)
                        }
                    ),
                });
            }
            let found = found.or_else(|| {
                let other = norm(req.fallback?);
                let all: Vec<usize> = (0..header.len()).filter(|&i| norm(&header[i]) == other).collect();
                // A doubled fallback is no answer: the name's error stands.
                (all.len() == 1).then(|| all[0])
            });
            match found {
                Some(i) => Ok(Some(i)),
                None if !req.required => Ok(None),
                None => Err(missing(path, header, req, delimiter)),
            }
        })
        .collect()
}

/// A header's names, trimmed and quoted, for messages: `` `a`, `b` ``.
pub fn listed(header: &[String]) -> String {
    header.iter().map(|h| format!("`{}`", h.trim())).collect::<Vec<_>>().join(", ")
}

fn missing(path: &str, header: &[String], req: &ColumnRequest<'_>, delimiter: Option<u8>) -> Error {
    let mut hint = format!("available columns are {}", listed(header));
    if !req.flag.is_empty() {
        hint.push_str(&format!("; pass `{} <NAME>`", req.flag));
    }
    if let Some(advice) = req.advice {
        hint.push_str(if req.flag.is_empty() { "; " } else { ", " });
        hint.push_str(advice);
    }
    let has = |name: &str| header.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
    if has("event_name") && has("user_pseudo_id") && has("event_params") {
        hint = format!(
            "`{path}` is a GA4 BigQuery export (`event_name`, `user_pseudo_id`, `event_params`): read it with `--ga4 {path}`, which turns its events into sessions and conversions"
        );
    }
    if header.len() == 1 {
        let other = [b',', b';', b'\t', b'|']
            .into_iter()
            .filter(|&d| Some(d) != delimiter)
            .find(|&d| header[0].as_bytes().contains(&d));
        if let Some(d) = other {
            let shown = if d == b'\t' { "\\t".to_string() } else { (d as char).to_string() };
            hint = format!(
                "the header was read as a single column `{}`: the file seems to be delimited by `{shown}`; pass `--delimiter '{shown}'`",
                crate::error::display_value(header[0].trim())
            );
        }
    }
    Error::MissingColumn {
        path: path.to_string(),
        column: req.name.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_case_insensitively_and_trimmed() {
        let h = header(&[" Customer_ID ", "TimeStamp", "channel"]);
        let reqs = [
            ColumnRequest::required("customer_id", "--customer-col"),
            ColumnRequest::required("timestamp", "--time-col"),
            ColumnRequest::optional("value", "--value-col"),
        ];
        assert_eq!(resolve("f.csv", &h, &reqs, None).unwrap(), vec![Some(0), Some(1), None]);
    }

    #[test]
    fn a_fallback_name_stands_in_for_an_absent_column_only() {
        let reqs = [ColumnRequest {
            fallback: Some("utm_source"),
            ..ColumnRequest::optional("source", "--source-col")
        }];
        assert_eq!(resolve("f.csv", &header(&["x", "UTM_Source"]), &reqs, None).unwrap(), vec![Some(1)]);
        assert_eq!(
            resolve("f.csv", &header(&["utm_source", "source"]), &reqs, None).unwrap(),
            vec![Some(1)]
        );
        assert_eq!(resolve("f.csv", &header(&["x"]), &reqs, None).unwrap(), vec![None]);
    }

    #[test]
    fn missing_column_lists_available_ones() {
        let h = header(&["user", "time", "source"]);
        let err = resolve("events.csv", &h, &[ColumnRequest::required("timestamp", "--time-col")], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `timestamp` not found in `events.csv`\n\nhint: available columns are `user`, `time`, `source`; pass `--time-col <NAME>`"
        );
    }

    #[test]
    fn single_column_header_suggests_delimiter() {
        let h = header(&["customer_id;timestamp;channel"]);
        let err = resolve("e.csv", &h, &[ColumnRequest::required("timestamp", "--time-col")], Some(b',')).unwrap_err();
        assert!(err.to_string().contains("pass `--delimiter ';'`"), "{err}");
    }
}
