//! Path aggregates: `path,total_conversions,total_conversion_value,total_null`,
//! the exchange format of ChannelAttribution and similar tools.
//!
//! A path is channel names joined by a separator (`" > "` by default);
//! whitespace around names is trimmed and an empty name (`a > > b`, a
//! trailing separator) is an error rather than a silently shorter path.

use crate::error::Result;
use crate::input::format::table::Table;
use crate::input::format::{Ask, or_stdin, read_table, table_stats};
use crate::input::rejects::{self, OnError, Reason, Rejection};
use crate::input::schema::ColumnRequest;
use crate::input::{FileStats, Source};
use crate::intern::Interner;

/// All path rows of the inputs, duplicates not yet merged, in flat arrays
/// (one allocation for all paths, not one per row).
#[derive(Debug, Default)]
pub struct PathTable {
    /// Channel names (codes in first-appearance order).
    pub channels: Interner,
    /// Per file: rows read.
    pub files: Vec<FileStats>,
    /// Rows skipped by `--on-error skip`, in file order.
    pub rejections: Vec<Rejection>,
    touches: Vec<u32>,
    ends: Vec<usize>,
    conversions: Vec<f64>,
    value: Vec<f64>,
    nulls: Vec<f64>,
}

impl PathTable {
    /// Appends a row: channel codes (first touch first) and its weights.
    pub fn push(&mut self, path: &[u32], conversions: f64, value: f64, nulls: f64) {
        self.touches.extend_from_slice(path);
        self.ends.push(self.touches.len());
        self.conversions.push(conversions);
        self.value.push(value);
        self.nulls.push(nulls);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Row `i`: `(path, conversions, value, nulls)`.
    pub fn row(&self, i: usize) -> (&[u32], f64, f64, f64) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (
            &self.touches[start..self.ends[i]],
            self.conversions[i],
            self.value[i],
            self.nulls[i],
        )
    }
}

/// Reads path aggregate files; `sep` separates channels within a path.
pub fn load(sources: &[Source], dialect: &crate::input::Dialect, sep: &str, on_error: OnError) -> Result<PathTable> {
    let format = "path aggregates have the columns `path,total_conversions[,total_conversion_value][,total_null]`";
    let requests = [
        ColumnRequest::described("path", format),
        ColumnRequest::described("total_conversions", format),
        ColumnRequest::optional("total_conversion_value", ""),
        ColumnRequest::optional("total_null", ""),
    ];
    let ask = Ask {
        dialect,
        columns: &requests,
        what: "path",
        on_error,
    };
    // Trimming names makes `a>b` and `a > b` the same path.
    let sep = if sep.trim().is_empty() { sep } else { sep.trim() };
    let sep_char = {
        let mut chars = sep.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let mut out = PathTable::default();
    for source in or_stdin(sources) {
        let table = read_table(source, ask)?;
        let (mut conversions, mut value, mut nulls) = (Vec::new(), Vec::new(), Vec::new());
        table.amounts(1, "a conversion count", Reason::InvalidCount, &mut conversions)?;
        match table.columns[2] {
            Some(_) => table.amounts(2, "a conversion value", Reason::InvalidValue, &mut value)?,
            None => value.resize(table.height, 0.0),
        }
        match table.columns[3] {
            Some(_) => table.amounts(3, "a null count", Reason::InvalidCount, &mut nulls)?,
            None => nulls.resize(table.height, 0.0),
        }
        let pieces = split_paths(&table, sep, sep_char)?;
        let drop = table.dropped_rows();
        let mut dropped = drop.iter().copied().peekable();
        let mut row = 0;
        for (names, touches, lens) in pieces {
            let map: Vec<u32> = names.iter().map(|n| out.channels.intern(n)).collect();
            let mut at = 0;
            for len in lens {
                if dropped.next_if_eq(&row).is_none() {
                    out.touches.extend(touches[at..at + len].iter().map(|&c| map[c as usize]));
                    out.ends.push(out.touches.len());
                }
                at += len;
                row += 1;
            }
        }
        for (all, mut column) in [
            (&mut out.conversions, conversions),
            (&mut out.value, value),
            (&mut out.nulls, nulls),
        ] {
            rejects::retain_tail(&mut column, 0, &drop);
            all.extend(column);
        }
        out.files.push(table_stats(&table, &mut out.rejections));
    }
    if !out.rejections.is_empty() {
        // Names seen only on skipped rows must not show up as channels.
        out.channels = out.channels.compact(&mut out.touches);
    }
    Ok(out)
}

/// A piece of rows' paths: its channel names, touches and path lengths.
type PathPiece = (Interner, Vec<u32>, Vec<usize>);

/// Each piece of rows' paths: channel names interned locally (pieces are
/// split and interned in parallel, each with its own interner; merging them
/// in row order keeps first-appearance codes), the touches, and each row's
/// number of touches. A path with an empty name is a bad cell.
fn split_paths(table: &Table, sep: &str, sep_char: Option<char>) -> Result<Vec<PathPiece>> {
    let bad = |row: usize, path: &str| {
        table.reject(
            0,
            row,
            path,
            format!("channel names separated by `{sep}` (an empty name: a doubled or trailing separator?)"),
            Reason::InvalidPath,
        )
    };
    table.par_fold_text(
        0,
        "a path of channel names",
        Reason::InvalidPath,
        || (Interner::new(), Vec::<u32>::new(), Vec::<usize>::new()),
        |(names, touches, lens), row, path| {
            let before = touches.len();
            // A one-character separator splits by char, several times faster.
            let mut push = |name: &str| {
                let name = name.trim();
                if name.is_empty() {
                    return false;
                }
                touches.push(names.intern(name));
                true
            };
            let ok = match sep_char {
                Some(c) => path.split(c).all(&mut push),
                None => path.split(sep).all(&mut push),
            };
            if !ok {
                // When skipping, the row stays as an empty path until dropped.
                bad(row, path)?;
                touches.truncate(before);
            }
            lens.push(touches.len() - before);
            Ok(())
        },
    )
}
