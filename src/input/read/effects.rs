//! An effects file (`mta simulate --effects`): each channel's relative
//! effect on the conversion hazard, and optionally its half-life.

use crate::error::Result;
use crate::input::schema::ColumnRequest;
use crate::input::{Dialect, OnError, Reason, Source};
use crate::intern::Interner;

/// One channel's effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The channel, as written.
    pub channel: String,
    /// Relative strength (non-negative).
    pub effect: f64,
    /// Days for a touch's effect to halve, when the file gives one.
    pub half_life_days: Option<f64>,
}

/// Reads `channel,effect[,half_life]`: the half-life a number of days or a
/// duration (`12h`, `7d`, `2w`). A bad value is an error naming the file,
/// line and column; a channel listed twice too.
pub fn load(source: &Source, dialect: &Dialect) -> Result<Vec<Effect>> {
    let advice = "an effects file holds `channel,effect[,half_life]`";
    let requests = [
        ColumnRequest::described("channel", advice),
        ColumnRequest::described("effect", advice),
        ColumnRequest {
            required: false,
            ..ColumnRequest::described("half_life", advice)
        },
    ];
    let ask = crate::input::format::Ask {
        dialect: &Dialect {
            delimiter: None,
            ..*dialect
        },
        columns: &requests,
        what: "channel's effect (`channel,effect[,half_life]`)",
        on_error: OnError::Stop,
    };
    let table = crate::input::format::read_table(source, ask)?;
    let (mut names, mut codes, mut effects) = (Interner::new(), Vec::new(), Vec::new());
    table.intern(0, &mut names, Some(("a channel name", Reason::InvalidChannel)), &mut codes)?;
    table.amounts(1, "an effect", Reason::InvalidValue, &mut effects)?;
    let mut half_lives = vec![None; codes.len()];
    if table.columns[2].is_some() {
        let (mut texts, mut cells) = (Interner::new(), Vec::new());
        table.intern(2, &mut texts, None, &mut cells)?;
        for (row, &c) in cells.iter().enumerate() {
            let text = texts.name(c).trim();
            if text.is_empty() {
                continue;
            }
            half_lives[row] = Some(days(text).ok_or_else(|| {
                table.cell_error(
                    2,
                    row,
                    text,
                    "a half-life: a number of days, or a duration such as `12h`, `7d` or `2w`",
                )
            })?);
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(codes.len());
    for (row, &c) in codes.iter().enumerate() {
        let channel = names.name(c).trim().to_string();
        if !seen.insert(channel.to_lowercase()) {
            return Err(table.cell_error(0, row, &channel, "each channel once"));
        }
        out.push(Effect {
            channel,
            effect: effects[row],
            half_life_days: half_lives[row],
        });
    }
    Ok(out)
}

/// `7`, `7d`, `12h`, `2w`, `90m`, `3600s` in days (positive).
fn days(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number.trim().parse().ok()?;
    let scale = match unit.trim() {
        "" | "d" => 1.0,
        "w" => 7.0,
        "h" => 1.0 / 24.0,
        "m" => 1.0 / 1440.0,
        "s" => 1.0 / 86_400.0,
        _ => return None,
    };
    (n > 0.0 && n.is_finite()).then_some(n * scale)
}

#[cfg(test)]
mod tests {
    #[test]
    fn half_lives_in_days() {
        assert_eq!(super::days("7"), Some(7.0));
        assert_eq!(super::days("2w"), Some(14.0));
        assert_eq!(super::days("12h"), Some(0.5));
        assert_eq!(super::days("0d"), None);
        assert_eq!(super::days("7 days"), None);
    }
}
