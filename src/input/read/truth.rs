//! A truth file (`mta evaluate --truth`, `mta report --truth`): each
//! channel's true share of the conversions, from a simulation whose causal
//! process is known (`mta simulate` writes one) or any other source.

use crate::error::{Error, Result};
use crate::input::schema::ColumnRequest;
use crate::input::{Dialect, OnError, Reason, Source};
use crate::intern::Interner;

/// Channels and their true shares, normalised to sum 1, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// The file's name, for messages.
    pub file: String,
    /// `(channel, share)`.
    pub shares: Vec<(String, f64)>,
}

/// Reads `channel,share` (other columns ignored). A channel listed twice,
/// a negative or non-numeric share, or shares that are all 0 is an error
/// naming the file (and line).
pub fn load(source: &Source, dialect: &Dialect) -> Result<Truth> {
    let advice = "a truth file holds `channel,share` (as `mta simulate` writes it)";
    let requests = [
        ColumnRequest::described("channel", advice),
        ColumnRequest::described("share", advice),
    ];
    let ask = crate::input::format::Ask {
        dialect: &Dialect {
            delimiter: None,
            ..*dialect
        },
        columns: &requests,
        what: "channel's true share (`channel,share`)",
        on_error: OnError::Stop,
    };
    let table = crate::input::format::read_table(source, ask)?;
    let (mut names, mut codes, mut shares) = (Interner::new(), Vec::new(), Vec::new());
    table.intern(0, &mut names, Some(("a channel name", Reason::InvalidChannel)), &mut codes)?;
    table.amounts(1, "a share", Reason::InvalidValue, &mut shares)?;
    let mut seen = std::collections::HashMap::new();
    for (row, &c) in codes.iter().enumerate() {
        let key = names.name(c).trim().to_lowercase();
        if let Some(first) = seen.insert(key, row) {
            return Err(table.cell_error(
                0,
                row,
                names.name(c),
                format!("each channel once (it is on row {} already)", first + 1),
            ));
        }
    }
    let total: f64 = shares.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return Err(Error::usage(
            format!("`{}` gives no channel a share above 0", table.name),
            "the shares are relative: any non-negative numbers, not all 0",
        ));
    }
    Ok(Truth {
        file: table.name.clone(),
        shares: codes
            .iter()
            .zip(&shares)
            .map(|(&c, &s)| (names.name(c).trim().to_string(), s / total))
            .collect(),
    })
}
