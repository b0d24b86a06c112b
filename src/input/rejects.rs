//! Rows skipped by `--on-error skip`: why, where, and what they held.
//!
//! Skipping is opt-in: by default the first bad row stops the run with a
//! precise error. When rows are skipped nothing is lost silently: every one
//! is counted by reason and can be written out with its line (the rejects
//! file), so that rows read = rows used + rows skipped, always.

use std::collections::BTreeMap;

/// What to do with a row that cannot be read (`--on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OnError {
    /// Stop at the first bad row (an error naming file, line and column).
    #[default]
    Stop,
    /// Skip bad rows, count them by reason and keep going.
    Skip,
}

/// Why a row was skipped. The keys are a contract: they name the counts in
/// the JSON `input` block and the `reason` column of the rejects file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Not the header's number of fields (often a missing closing quote).
    MalformedRow,
    /// Bytes that are not UTF-8 text.
    InvalidUtf8,
    /// Empty or missing customer id.
    InvalidCustomerId,
    /// A timestamp that does not parse, is impossible or out of range.
    InvalidTimestamp,
    /// Empty or missing channel name.
    InvalidChannel,
    /// A conversion flag that is not one of the accepted spellings.
    InvalidConversionFlag,
    /// A revenue amount that is not a non-negative number.
    InvalidValue,
    /// A path with an empty channel name (doubled or trailing separator).
    InvalidPath,
    /// A conversion or null count that is not a non-negative number.
    InvalidCount,
    /// A Markov transition that no walk takes (from `(null)`, into `(start)`...).
    InvalidTransition,
}

impl Reason {
    /// The stable key (snake case).
    pub fn key(self) -> &'static str {
        match self {
            Reason::MalformedRow => "malformed_row",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::InvalidCustomerId => "invalid_customer_id",
            Reason::InvalidTimestamp => "invalid_timestamp",
            Reason::InvalidChannel => "invalid_channel",
            Reason::InvalidConversionFlag => "invalid_conversion_flag",
            Reason::InvalidValue => "invalid_value",
            Reason::InvalidPath => "invalid_path",
            Reason::InvalidCount => "invalid_count",
            Reason::InvalidTransition => "invalid_transition",
        }
    }
}

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// File name as given.
    pub file: String,
    /// Physical line where the row starts (CSV; `None` for Parquet).
    pub line: Option<u64>,
    /// Data row number in its file, counting from 1 (header excluded).
    pub row: u64,
    /// Why it was skipped (the first problem found, in column order).
    pub reason: Reason,
    /// Header name of the bad cell; empty for a malformed row.
    pub column: String,
    /// The bad cell as found; empty for a malformed row.
    pub value: String,
    /// What was expected, or what is wrong with the row.
    pub detail: String,
    /// The row as written in the file, line ends removed (CSV only).
    pub record: String,
}

/// Counts of skipped rows by reason key, for the summary.
pub fn count_by_reason(rejections: &[Rejection]) -> BTreeMap<&'static str, u64> {
    let mut counts = BTreeMap::new();
    for r in rejections {
        *counts.entry(r.reason.key()).or_insert(0) += 1;
    }
    counts
}

/// Drops the rows `drop` (sorted, relative to `start`) from `v[start..]`.
pub(crate) fn retain_tail<T>(v: &mut Vec<T>, start: usize, drop: &[usize]) {
    if drop.is_empty() {
        return;
    }
    let mut next = drop.iter().peekable();
    let mut i = 0usize;
    let mut tail = v.split_off(start);
    tail.retain(|_| {
        let skip = next.peek().is_some_and(|&&d| d == i);
        if skip {
            next.next();
        }
        i += 1;
        !skip
    });
    v.append(&mut tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retain_tail_drops_only_listed_rows_after_start() {
        let mut v: Vec<u32> = (0..8).collect();
        retain_tail(&mut v, 3, &[0, 2, 4]);
        assert_eq!(v, [0, 1, 2, 4, 6]);
        retain_tail(&mut v, 0, &[]);
        assert_eq!(v.len(), 5);
    }

    #[test]
    fn keys_are_distinct_snake_case() {
        let all = [
            Reason::MalformedRow,
            Reason::InvalidUtf8,
            Reason::InvalidCustomerId,
            Reason::InvalidTimestamp,
            Reason::InvalidChannel,
            Reason::InvalidConversionFlag,
            Reason::InvalidValue,
            Reason::InvalidPath,
            Reason::InvalidCount,
        ];
        let keys: std::collections::BTreeSet<_> = all.iter().map(|r| r.key()).collect();
        assert_eq!(keys.len(), all.len());
        assert!(
            keys.iter()
                .all(|k| k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        );
    }
}
