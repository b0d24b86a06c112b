//! Inputs that hold nothing to attribute: no data rows, every row left
//! out, no conversions, none in the period, none with a touch before it.
//! A table of zeros would look like a result, so each is an error that says
//! what the input lacks and what would help.

use super::InputSummary;
use crate::error::{Error, Result};
use crate::input::ConversionsFrom;

/// An error when `s` leaves nothing to attribute, checked in the order a
/// run loses its data: rows, rows kept, conversions, conversions in the
/// period, conversions with a touch.
pub fn check(s: &InputSummary) -> Result<()> {
    let nothing = |message: String, hint: String| Err(Error::Nothing { message, hint });
    let whole = |n: u64| crate::format::thousands(n as f64, 0);
    if s.rows_read == 0 {
        let what = if s.kind == "paths" { "path rows" } else { "data rows" };
        return match s.files.as_slice() {
            [one] => nothing(
                format!("`{}` has a header but no {what}: there is nothing to attribute", one.name),
                "export the rows too (touches and conversions), not only the column names".into(),
            ),
            files => nothing(
                format!(
                    "the {} input files have headers but no {what}: there is nothing to attribute",
                    files.len()
                ),
                "check that the export wrote its rows".into(),
            ),
        };
    }
    if s.rows_used == 0 {
        let mut parts = Vec::new();
        if s.rows_skipped > 0 {
            let reasons: Vec<String> = s
                .skipped_by_reason
                .iter()
                .map(|(k, n)| format!("{} {}", whole(*n), k.replace('_', " ")))
                .collect();
            parts.push(format!("{} skipped as bad ({})", whole(s.rows_skipped), reasons.join(", ")));
        }
        if s.rows_anonymous > 0 {
            parts.push(format!("{} without a customer id", whole(s.rows_anonymous)));
        }
        if s.repeated_orders > 0 {
            parts.push(format!("{} repeating an order", whole(s.repeated_orders)));
        }
        let hint = match (s.rows_skipped > 0, s.rows_anonymous > 0) {
            (true, _) => "run with `--on-error stop` to see the first bad row, or write them all with `--rejects FILE`",
            (false, true) => "the customer id column is empty on every row: name the right one with `--customer-col`",
            (false, false) => "check the input's columns",
        };
        let read = match s.rows_read {
            1 => "the only row read was left out".to_string(),
            n => format!("all {} rows read were left out", whole(n)),
        };
        return nothing(format!("no row is left to attribute: {read} ({})", parts.join(", ")), hint.into());
    }
    let removed_by_type = s.removed_by_conversion_type.as_ref().map_or(0, |r| r.conversions);
    if s.conversions_read == 0.0 {
        return Err(no_conversions(s));
    }
    if s.conversions_read == removed_by_type as f64 {
        let types = s
            .conversions_by_type
            .iter()
            .flatten()
            .map(|(t, n)| format!("`{t}` ({})", whole(*n)));
        return nothing(
            "`--conversion-types` keeps none of the conversions".into(),
            format!("the conversions' types are {}", types.collect::<Vec<_>>().join(", ")),
        );
    }
    let outside = s.outside_period.map_or(0, |p| p.conversions);
    if s.built.conversions == 0.0 && s.built.unattributed_conversions == 0 && outside > 0 {
        let range = match (s.times.first_conversion, s.times.last_conversion) {
            (Some(a), Some(b)) => format!(
                "the data's conversions run from {} to {}",
                s.zone.local_date(a).format("%Y-%m-%d"),
                s.zone.local_date(b).format("%Y-%m-%d")
            ),
            _ => "the data has conversions outside it only".into(),
        };
        return nothing(
            format!("the period of `--from`/`--to` holds none of the {} conversions", whole(outside)),
            format!("{range} (dates in `--timezone`); `--to` is exclusive"),
        );
    }
    if s.built.conversions == 0.0 && s.built.unattributed_conversions > 0 {
        let hint = match &s.conversions_from {
            ConversionsFrom::File(name) => format!(
                "check that the customer ids of `{name}` are written as in the touchpoint files (same column, no prefix or padding), and that `--lookback` is not too short"
            ),
            _ => "a conversion's journey holds the customer's touches at or before it: check `--lookback` and the timestamps' zone (`--timezone`)".into(),
        };
        return nothing(
            format!(
                "none of the {} conversions has a touch before it, so no channel can be credited",
                whole(s.built.unattributed_conversions)
            ),
            hint,
        );
    }
    Ok(())
}

/// The error for an input without any conversion: how conversions were
/// looked for, and what was found instead.
fn no_conversions(s: &InputSummary) -> Error {
    let whole = |n: u64| crate::format::thousands(n as f64, 0);
    let anonymous = match s.anonymous_conversions {
        0 => String::new(),
        n => format!(" ({} conversions were on rows without a customer id)", whole(n)),
    };
    let (message, hint) = match &s.conversions_from {
        ConversionsFrom::Flag(column) => (
            format!("no row is a conversion: column `{column}` is never `1`, `true` or `yes`{anonymous}"),
            "give conversions in a separate file with `--conversions FILE`, or name conversion events with `--event-col` and `--conversion-events`"
                .to_string(),
        ),
        ConversionsFrom::Events { column, asked, counts } => {
            let asked_list = asked.join(",");
            // Most rows first: the conversion event is rarely the commonest.
            let mut by_rows: Vec<(&String, &u64)> = counts.iter().collect();
            by_rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let found: Vec<String> = by_rows.iter().map(|(name, n)| format!("`{name}` ({})", whole(**n))).collect();
            let mut hint = match found.is_empty() {
                true => format!("column `{column}` is empty"),
                false => format!("column `{column}` holds {}", found.join(", ")),
            };
            let names: Vec<&str> = counts.keys().map(String::as_str).collect();
            if let Some(best) = asked.iter().filter_map(|a| closest(a, &names)).min_by_key(|(d, _)| *d) {
                hint.push_str(&format!("; did you mean `{}`? (`--conversion-events {}`)", best.1, best.1));
            }
            (
                format!("no row is a conversion: `--conversion-events {asked_list}` matches none of the values of column `{column}`{anonymous}"),
                hint,
            )
        }
        ConversionsFrom::File(name) => (
            format!("the conversions file `{name}` holds no conversions{anonymous}"),
            "give one row per conversion: customer id, time and value".into(),
        ),
        ConversionsFrom::Counts => (
            "the input holds no conversions: every conversion count is 0".into(),
            match s.kind {
                "transitions" => "transition counts need rows into `(conversion)`".into(),
                _ => "path aggregates need `total_conversions` above 0 on some path".into(),
            },
        ),
    };
    Error::Nothing { message, hint }
}

/// The name of `names` closest to `to` (case-insensitive edit distance)
/// and its distance, when one is close enough to be a likely typo.
fn closest<'a>(to: &str, names: &[&'a str]) -> Option<(usize, &'a str)> {
    let to = to.to_lowercase();
    names
        .iter()
        .map(|n| (distance(&to, &n.to_lowercase()), *n))
        .filter(|&(d, n)| d <= (n.chars().count().max(to.chars().count()) / 3).max(2))
        .min()
}

/// Levenshtein distance (insertions, deletions, substitutions) by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances_by_hand() {
        assert_eq!(distance("purchases", "purchase"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn the_closest_name_must_be_close() {
        let names = ["page_view", "add_to_cart", "purchase"];
        assert_eq!(closest("Purchases", &names), Some((1, "purchase")));
        assert_eq!(closest("add-to-cart", &names), Some((2, "add_to_cart")));
        assert_eq!(closest("sign_up", &names), None);
    }
}
