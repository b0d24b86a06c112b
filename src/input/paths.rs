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

/// All path rows of the inputs, duplicates not yet merged, in flat arrays
/// (one allocation for all paths, not one per row).
#[derive(Debug, Default)]
pub struct PathTable {
    /// Channel names (codes in first-appearance order).
    pub channels: Interner,
    /// Per file: rows read.
    pub files: Vec<FileStats>,
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
    let sep_char = {
        let mut chars = sep.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let stdin = [Source::Stdin];
    let sources: &[Source] = if sources.is_empty() { &stdin } else { sources };
    let mut out = PathTable::default();
    for source in sources {
        let table = read_table(source, delimiter, &requests, "path")?;
        let (mut conversions, mut value, mut nulls) = (Vec::new(), Vec::new(), Vec::new());
        table.amounts(1, "a conversion count", &mut conversions)?;
        match table.columns[2] {
            Some(_) => table.amounts(2, "a conversion value", &mut value)?,
            None => value.resize(table.height, 0.0),
        }
        match table.columns[3] {
            Some(_) => table.amounts(3, "a null count", &mut nulls)?,
            None => nulls.resize(table.height, 0.0),
        }
        let bad = |row: usize, path: &str| {
            table.error_at(
                0,
                row,
                path,
                format!("channel names separated by `{sep}` (an empty name: a doubled or trailing separator?)"),
            )
        };
        // Pieces of rows are split and interned in parallel, each with its own
        // interner; merging them in row order keeps first-appearance codes.
        let pieces = table.par_fold_text(
            0,
            "a path of channel names",
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
                    return Err(bad(row, path));
                }
                lens.push(touches.len() - before);
                Ok(())
            },
        )?;
        for (names, touches, lens) in pieces {
            let map: Vec<u32> = names.iter().map(|n| out.channels.intern(n)).collect();
            let mut at = 0;
            for len in lens {
                out.touches.extend(touches[at..at + len].iter().map(|&c| map[c as usize]));
                out.ends.push(out.touches.len());
                at += len;
            }
        }
        out.conversions.extend(conversions);
        out.value.extend(value);
        out.nulls.extend(nulls);
        out.files.push(FileStats {
            name: table.name.clone(),
            rows: table.height as u64,
        });
    }
    Ok(out)
}
